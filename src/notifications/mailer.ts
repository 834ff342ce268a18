import nodemailer from 'nodemailer';

export interface MailSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
}

export interface Mailer {
  send(m: { to: string; subject: string; text: string }): Promise<void>;
}

/** E-mail through nodemailer when SMTP is configured. */
export function smtpMailer(s: MailSettings): Mailer {
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    auth: s.user ? { user: s.user, pass: s.pass ?? '' } : undefined,
    tls: { rejectUnauthorized: false },
  });
  return {
    async send(m) {
      await transport.sendMail({ from: s.from, to: m.to, subject: m.subject, text: m.text });
    },
  };
}
