import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { ACCESS_CODE_ALPHABET, ACCESS_CODE_LENGTH } from '../../shared/access-code.js';

/** A random URL-safe id (128 bits, 22 characters). */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** A token for cookies (256 bits). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A 6-digit one-time code, uniformly random. */
export function newNumericCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** An 8-character access code without look-alike characters (0/O, 1/I). */
export function newAccessCode(): string {
  let s = '';
  for (let i = 0; i < ACCESS_CODE_LENGTH; i++) s += ACCESS_CODE_ALPHABET.charAt(randomInt(0, ACCESS_CODE_ALPHABET.length));
  return s;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Keyed hash for secrets we must compare later (codes, access codes). */
export function hmac(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}
