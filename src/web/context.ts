import type { User } from '../domain/organisation';
import type { Lang, MessageKey } from './i18n';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: User;
      /** the raw token of this request (bearer or session cookie) */
      authToken?: string;
      authVia?: 'bearer' | 'session';
      lang: Lang;
      t: (key: MessageKey) => string;
      csrfToken?: string;
    }
  }
}

export {};
