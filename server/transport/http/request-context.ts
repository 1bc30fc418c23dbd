/**
 * Per-request context: the session cookie resolved to a Viewer, the client IP,
 * and the CSRF rule for state-changing requests.
 */
import { parse as parseCookie, serialize } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccountService, IssuedSession, PublicUser } from '../../domain/accounts/account.types.js';
import { DomainError } from '../../domain/errors.js';
import type { Viewer } from '../../domain/viewer.js';

/** Name of the httpOnly session cookie. */
export const SESSION_COOKIE = 'cr_session';
/** Header carrying the CSRF token on state-changing requests. */
export const CSRF_HEADER = 'x-csrf-token';

interface Locals {
  viewer?: Viewer;
  user?: PublicUser;
  csrfToken?: string;
  sessionToken?: string;
}

const locals = (res: Response): Locals => res.locals as Locals;

export function sessionTokenOf(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  const token = parseCookie(cookieHeader)[SESSION_COOKIE];
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : undefined;
}

/** Resolves the cookie (if any) to a viewer; never fails the request by itself. */
export function sessionMiddleware(accounts: AccountService): RequestHandler {
  return async (req, res, next) => {
    const token = sessionTokenOf(req.headers.cookie);
    if (token) {
      const resolved = await accounts.resolveSession(token);
      if (resolved) Object.assign(locals(res), { ...resolved, sessionToken: token });
    }
    next();
  };
}

/** The signed-in viewer, or null for an anonymous request (no cookie, or one of an ended session). */
export function optionalViewerOf(res: Response): Viewer | null {
  return locals(res).viewer ?? null;
}

/** The signed-in viewer or UNAUTHENTICATED. */
export function viewerOf(res: Response): Viewer {
  const v = locals(res).viewer;
  if (!v) throw new DomainError('UNAUTHENTICATED', 'Войдите в систему');
  return v;
}

export function sessionTokenFrom(res: Response): string | undefined {
  return locals(res).sessionToken;
}

/** Requires a fully confirmed account (both contacts) for everything but confirmation itself. */
export function requireConfirmed(res: Response): Viewer {
  const viewer = viewerOf(res);
  const user = locals(res).user;
  if (user && (!user.emailConfirmed || !user.phoneConfirmed)) {
    throw new DomainError('ACCOUNT_NOT_CONFIRMED', 'Подтвердите электронную почту и телефон');
  }
  // A citizen who has not accepted the consent text in force (docs/accounts.md): only me, the consent and logout stay open.
  if (user?.consentRequired) throw new DomainError('CONSENT_REQUIRED', 'Примите согласие на обработку персональных данных');
  return viewer;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie-authenticated requests: every state-changing request
 * must come from an allowed Origin (or Referer), and when a session exists it
 * must also carry the session's CSRF token in `x-csrf-token`.
 */
export function csrfMiddleware(allowedOrigins: () => string[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const origin = req.headers.origin ?? refererOrigin(req.headers.referer);
    if (!origin || !allowedOrigins().includes(origin)) {
      next(new DomainError('CSRF_FAILED', 'Запрос отклонён: неизвестный источник'));
      return;
    }
    const expected = locals(res).csrfToken;
    if (expected !== undefined && req.headers[CSRF_HEADER] !== expected) {
      next(new DomainError('CSRF_FAILED', 'Запрос отклонён: нет CSRF-токена'));
      return;
    }
    next();
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

/** Sets the session cookie: httpOnly, SameSite=Lax, Secure over https. */
export function setSessionCookie(res: Response, session: IssuedSession, secure: boolean): void {
  res.append(
    'Set-Cookie',
    serialize(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      expires: new Date(session.expiresAt),
    }),
  );
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.append('Set-Cookie', serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 0 }));
}

/** The client IP as Express computed it (honouring TRUST_PROXY). */
export function ipOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
