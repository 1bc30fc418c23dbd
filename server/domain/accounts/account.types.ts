/**
 * What the accounts service offers the transports. The HTTP router, the socket
 * gateway and the Yjs endpoint all resolve a cookie to a Viewer through it.
 */
import type { z } from 'zod';
import type { CodeChannel, RegisterInput, userCreateSchema, userUpdateSchema } from '../../../shared/schemas/account.schema.js';
import type { CodeRequest, User } from '../../../shared/protocol/api.js';
import type { Role } from '../../../shared/status-machine.js';
import type { PersonalData, SessionInfo } from '../../../shared/schemas/profile.schema.js';
import type { Viewer } from '../viewer.js';
import type { CodeAnswer, RecoveryPurpose } from './recovery.js';

/** A user as shown to the user themself and to admins (the shared wire shape). */
export type PublicUser = User;

/** A new session: the cookie token (given to the browser only) and its CSRF token. */
export interface IssuedSession {
  token: string;
  csrfToken: string;
  expiresAt: number;
  user: PublicUser;
}

export type { CodeRequest };

/** A session an open socket or Yjs connection was authenticated with. */
export interface LiveSession {
  sessionId: string;
  userId: string;
}

export interface AccountService {
  /**
   * Creates an unconfirmed citizen account, sends both codes, and returns a
   * session (limited until both contacts are confirmed) plus the two requests.
   */
  register(input: RegisterInput, ip: string, presentedToken?: string, userAgent?: string): Promise<{ session: IssuedSession; codes: CodeRequest[] }>;
  /** Checks a code for the session's user; replaces the session id on success. */
  confirmCode(sessionToken: string, requestId: string, code: string, ip: string, userAgent?: string): Promise<IssuedSession>;
  /** Sends a new code on one channel (rate limited). */
  resendCode(viewer: Viewer, channel: CodeChannel, ip: string): Promise<CodeRequest>;
  /**
   * E-mail or phone + password; rate limited per IP and per account. The
   * session whose cookie came with the request (`presentedToken`) ends on
   * success, as it does on registration.
   */
  login(login: string, password: string, ip: string, presentedToken?: string, userAgent?: string): Promise<IssuedSession>;
  logout(sessionToken: string): Promise<void>;
  /** The viewer behind a cookie token, or null (expired, unknown, locked user). */
  resolveSession(sessionToken: string): Promise<{ viewer: Viewer; csrfToken: string; user: PublicUser } | null>;
  /**
   * Of the sessions that open connections were authenticated with, ends those
   * that have expired or are gone, announcing each (`session.ended`) so that
   * its sockets close; returns the ended ids.
   */
  endExpiredSessions(live: readonly LiveSession[]): Promise<string[]>;
  me(viewer: Viewer): Promise<PublicUser>;
  /** The owner locks their account at once: every session ends. */
  lockSelf(viewer: Viewer): Promise<void>;
  setPrivacy(viewer: Viewer, expertsSeeContacts: boolean): Promise<PublicUser>;
  /** The profile (docs/accounts.md): ФИО, date of birth, address, ИНН. */
  updatePersonal(viewer: Viewer, data: PersonalData): Promise<PublicUser>;
  /** Needs the current password; ends every other session; returns how many ended. */
  changePassword(viewer: Viewer, currentPassword: string, newPassword: string): Promise<number>;
  /** A code to the new e-mail or phone (never when another account holds it; the answer is the same). */
  requestContactChange(viewer: Viewer, channel: CodeChannel, value: string): Promise<CodeRequest>;
  /** The code from the new address: the contact is changed (and confirmed), the old one is told. */
  confirmContactChange(viewer: Viewer, requestId: string, code: string, ip: string): Promise<PublicUser>;
  listSessions(viewer: Viewer): Promise<SessionInfo[]>;
  endSession(viewer: Viewer, publicId: string): Promise<void>;
  /** Records the acceptance of the consent text in force (consent.ts). */
  acceptConsent(viewer: Viewer, version: string): Promise<PublicUser>;
  /** Recovery or unlock, step one: the same answer whether or not the account exists. */
  requestCodeByLogin(purpose: RecoveryPurpose, login: string, ip: string): Promise<CodeRequest>;
  /** Step two: the code (and a new password); every session ends, the account is unlocked, a new session returned. */
  completeByCode(purpose: RecoveryPurpose, answer: CodeAnswer, ip: string, presentedToken?: string, userAgent?: string): Promise<IssuedSession>;
  /** Admin. */
  createUser(viewer: Viewer, input: z.infer<typeof userCreateSchema>): Promise<PublicUser>;
  updateUser(viewer: Viewer, id: string, patch: z.infer<typeof userUpdateSchema>): Promise<PublicUser>;
  listUsers(viewer: Viewer, filter: { role?: Role; departmentId?: string; limit: number; offset: number }): Promise<{ items: PublicUser[]; total: number }>;
  /** Seeds demo accounts on an empty store; returns their logins and one-time printed passwords. */
  seedDemo(departments: { id: string; code: string; name: string }[]): Promise<{ role: Role; login: string; password: string; note: string }[]>;
}
