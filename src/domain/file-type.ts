/**
 * What an uploaded file really is, from its bytes — the name and the browser's Content-Type are only
 * claims. Pure: no I/O. The accepted kinds are the document types of the measures' materials: PDF,
 * Word, Excel (both the OLE2 and the Office Open XML forms), OFD, ZIP, PNG, JPEG and plain text.
 */

export type SniffedKind = 'pdf' | 'ole2' | 'docx' | 'xlsx' | 'ofd' | 'zip' | 'png' | 'jpeg' | 'text';

/** Extension → the kind its bytes must be, and the media type we store and serve it as. */
export const DOCUMENT_KINDS: Readonly<Record<string, { kind: SniffedKind; mimeType: string }>> = {
  '.pdf': { kind: 'pdf', mimeType: 'application/pdf' },
  '.doc': { kind: 'ole2', mimeType: 'application/msword' },
  '.xls': { kind: 'ole2', mimeType: 'application/vnd.ms-excel' },
  '.docx': { kind: 'docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  '.xlsx': { kind: 'xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  '.ofd': { kind: 'ofd', mimeType: 'application/ofd' },
  '.zip': { kind: 'zip', mimeType: 'application/zip' },
  '.png': { kind: 'png', mimeType: 'image/png' },
  '.jpg': { kind: 'jpeg', mimeType: 'image/jpeg' },
  '.jpeg': { kind: 'jpeg', mimeType: 'image/jpeg' },
  '.txt': { kind: 'text', mimeType: 'text/plain; charset=utf-8' },
};

const startsWith = (b: Buffer, bytes: number[]) => bytes.every((x, i) => b[i] === x);

/** Names of the entries of a zip file, from its central directory (at most `max`). */
function zipEntryNames(b: Buffer, max = 500): string[] {
  const end = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > b.length) return [];
  const count = b.readUInt16LE(end + 10);
  const names: string[] = [];
  for (let at = b.readUInt32LE(end + 16), i = 0; i < Math.min(count, max) && at + 46 <= b.length; i++) {
    if (b.readUInt32LE(at) !== 0x02014b50) break;
    const nameLength = b.readUInt16LE(at + 28);
    names.push(b.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + b.readUInt16LE(at + 30) + b.readUInt16LE(at + 32);
  }
  return names;
}

/** Markup that a browser would run or render when served as text: refused as .txt. */
const MARKUP = /^\s*<(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|meta|style|a\s|img\s)/i;

function isPlainText(b: Buffer): boolean {
  if (b.includes(0)) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    try {
      text = new TextDecoder('gb18030', { fatal: true }).decode(b); // many Chinese office texts are GBK
    } catch {
      return false;
    }
  }
  return !MARKUP.test(text.replace(/^\uFEFF/, ''));
}

/** The kind of the bytes, or null when they are none of the accepted kinds. */
export function sniff(b: Buffer): SniffedKind | null {
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf'; // %PDF-
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole2';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) {
    const names = zipEntryNames(b);
    if (names.some((n) => n.startsWith('word/'))) return 'docx';
    if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
    if (names.some((n) => n === 'OFD.xml')) return 'ofd';
    return 'zip';
  }
  return isPlainText(b) ? 'text' : null;
}

/** Whether bytes of `kind` may be stored under an extension that expects `expected` (.zip takes any zip). */
export function kindMatches(expected: SniffedKind, actual: SniffedKind | null): boolean {
  return actual === expected || (expected === 'zip' && (actual === 'docx' || actual === 'xlsx' || actual === 'ofd'));
}

/**
 * A stored file name: no control characters or path separators, at most `max` characters (code
 * points, never half a character), keeping the extension when it has to be shortened.
 */
export function safeFilename(name: string, max = 255): string {
  const clean = Array.from(name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim() || 'file');
  if (clean.length <= max) return clean.join('');
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : [];
  return [...clean.slice(0, max - ext.length), ...ext].join('');
}
