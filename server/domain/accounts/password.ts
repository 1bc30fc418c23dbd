/**
 * Password hashing: argon2id with the OWASP minimum parameters (19 MiB, 2
 * passes, 1 lane), about 30–60 ms per hash on a server core.
 */
import { argon2id, hash, verify } from 'argon2';
import { newToken } from '../../lib/ids.js';

const PARAMS = { type: argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

/** False for a wrong password and for a malformed hash (never throws on bad input). */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password with the same parameters. Login verifies against
 * it when no user has the given login, so an unknown login takes as long as a
 * wrong password and the timing does not tell which accounts exist.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(newToken());
  return dummy;
}
