/**
 * REST for accounts: registration and code confirmation, login and logout, the
 * signed-in user's own account, and the admin's user management. Each handler
 * parses, makes one AccountService call, and shapes the reply.
 */
import { Router, type Response } from 'express';
import type { AccountService, IssuedSession } from '../../domain/accounts/account.types.js';
import { DomainError } from '../../domain/errors.js';
import { mountRoute } from './mount-route.js';
import { clearSessionCookie, ipOf, optionalViewerOf, requireConfirmed, sessionTokenFrom, setSessionCookie, viewerOf } from './request-context.js';

/** The cookie token of the request, or UNAUTHENTICATED. */
function requireToken(res: Response): string {
  const token = sessionTokenFrom(res);
  if (!token) throw new DomainError('UNAUTHENTICATED', 'Войдите в систему');
  return token;
}

/** Sets the cookie and returns the body every sign-in step answers with. */
function signIn(res: Response, session: IssuedSession, secure: boolean): { user: IssuedSession['user']; csrfToken: string } {
  setSessionCookie(res, session, secure);
  return { user: session.user, csrfToken: session.csrfToken };
}

/** The CSRF token sessionMiddleware resolved for this request (request-context.ts keeps it in res.locals). */
function csrfTokenOf(res: Response): string | undefined {
  return (res.locals as { csrfToken?: string }).csrfToken;
}

export function authRoutes(deps: { accounts: AccountService; secureCookies: boolean }): Router {
  const { accounts, secureCookies } = deps;
  const r = Router();

  mountRoute(r, 'auth.register', async ({ req, res, body }) => {
    const { session, codes } = await accounts.register(body(), ipOf(req), sessionTokenFrom(res), req.headers['user-agent']);
    return { ...signIn(res, session, secureCookies), codes };
  });

  mountRoute(r, 'auth.confirm', async ({ req, res, body }) => {
    const { requestId, code } = body();
    const session = await accounts.confirmCode(requireToken(res), requestId, code, ipOf(req), req.headers['user-agent']);
    return signIn(res, session, secureCookies);
  });

  mountRoute(r, 'auth.resend', async ({ req, res, body }) => {
    const { channel } = body();
    return { request: await accounts.resendCode(viewerOf(res), channel, ipOf(req)) };
  });

  mountRoute(r, 'auth.login', async ({ req, res, body }) => {
    const { login, password } = body();
    return signIn(res, await accounts.login(login, password, ipOf(req), sessionTokenFrom(res), req.headers['user-agent']), secureCookies);
  });

  mountRoute(r, 'auth.logout', async ({ res }) => {
    const token = sessionTokenFrom(res);
    if (token) await accounts.logout(token);
    clearSessionCookie(res, secureCookies);
  });

  // Unconfirmed accounts may read themselves (to show what is left to confirm) and lock themselves.
  // Nobody signed in is an answer, not an error: the page asks on every load.
  mountRoute(r, 'me.get', async ({ res }) => {
    const viewer = optionalViewerOf(res);
    return viewer ? { user: await accounts.me(viewer), csrfToken: csrfTokenOf(res) } : { user: null };
  });

  mountRoute(r, 'me.lock', async ({ res }) => {
    await accounts.lockSelf(viewerOf(res));
    clearSessionCookie(res, secureCookies);
  });

  mountRoute(r, 'me.privacy', async ({ res, body }) => {
    const { expertsSeeContacts } = body();
    return { user: await accounts.setPrivacy(requireConfirmed(res), expertsSeeContacts) };
  });

  return r;
}

/** Admin: users and roles. The service refuses every role but admin. */
export function adminUserRoutes(accounts: AccountService): Router {
  const r = Router();
  mountRoute(r, 'admin.users.list', async ({ res, query }) => {
    const viewer = requireConfirmed(res);
    return accounts.listUsers(viewer, query());
  });
  mountRoute(r, 'admin.users.create', async ({ res, body }) => ({ user: await accounts.createUser(requireConfirmed(res), body()) }));
  mountRoute(r, 'admin.users.update', async ({ res, param, body }) => ({ user: await accounts.updateUser(requireConfirmed(res), param('id'), body()) }));
  return r;
}
