/**
 * File names as people send them and as we hand them back. A name is stored
 * only after `sanitizeFileName`; a download names the file through
 * `contentDisposition`, which never lets the name break out of the header.
 */
import { DomainError } from '../errors.js';

/** Longest stored name, in characters (the extension is kept when cutting). */
export const FILE_NAME_MAX_CHARS = 200;

// Control characters (C0, DEL, C1) and format characters such as the bidi
// overrides (U+202E makes "gpj.pdf" read as "fdp.jpg"): never part of a real name.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const SEPARATORS = /[/\\]/;
// Windows device names, with or without an extension: "CON.pdf" cannot be saved there as it is.
const WINDOWS_DEVICE = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\.|$)/iu;

/**
 * The name to store, or VALIDATION_FAILED. A name with a path separator (`/`,
 * `\`) or one that starts with `..` is refused rather than cut down to its last
 * segment: such a name never comes from an ordinary file picker, so it is a
 * mistake or an attack and the sender should know. Control and bidi characters
 * are dropped, Unicode is normalised to NFC (Cyrillic names stay as they are),
 * surrounding spaces and trailing dots are trimmed, a Windows device name
 * (`CON.pdf`, `lpt1.png`) gets an underscore in front, the length is capped.
 */
export function sanitizeFileName(raw: string): string {
  if (SEPARATORS.test(raw) || raw.trimStart().startsWith('..')) {
    throw new DomainError('VALIDATION_FAILED', `Недопустимое имя файла «${preview(raw)}»: уберите из него путь (символы /, \\ и ..)`, {
      file: 'Имя файла не должно содержать путь',
    });
  }
  const cleaned = raw
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .trim()
    .replace(/[.\s]+$/u, '');
  if (!cleaned || cleaned === '.') {
    throw new DomainError('VALIDATION_FAILED', 'У файла нет имени', { file: 'У файла нет имени' });
  }
  return capLength(WINDOWS_DEVICE.test(cleaned) ? `_${cleaned}` : cleaned);
}

/** The extension in lower case without the dot, or '' when there is none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/**
 * A `Content-Disposition` value: an ASCII fallback in `filename` for old
 * clients and the exact name in `filename*` (RFC 5987/6266, UTF-8).
 */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  return `${kind}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** Percent-encodes everything outside RFC 5987's attr-char set. */
export function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Printable ASCII without quotes or backslashes; each run of other characters becomes one `_`. */
function asciiFallback(name: string): string {
  const ext = extensionOf(name);
  const safe = name.replace(/(?:[^\x20-\x7e]|["\\%])+/g, '_');
  // A Cyrillic name would come out as "_ _1.pdf"; "file.pdf" says more.
  const base = ext ? safe.slice(0, -(ext.length + 1)) : safe;
  return /[A-Za-z]/.test(base) ? safe : ext ? `file.${ext}` : 'file';
}

/** Cuts by code points, keeping the extension. */
function capLength(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= FILE_NAME_MAX_CHARS) return name;
  const ext = extensionOf(name);
  const tail = ext && ext.length < 20 ? `.${ext}` : '';
  return (
    chars
      .slice(0, FILE_NAME_MAX_CHARS - tail.length)
      .join('')
      .trimEnd() + tail
  );
}

/** A short, printable echo of a refused name for the error message. */
function preview(raw: string): string {
  const clean = raw.replace(INVISIBLE, '');
  return clean.length > 60 ? `${clean.slice(0, 57)}…` : clean;
}
