/**
 * REST for accounts: registration and code confirmation, login and logout, the
 * signed-in user's own account, and the admin's user management. Each handler
 * parses, makes one AccountService call, and shapes the reply.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import {
  confirmCodeSchema,
  loginSchema,
  privacySchema,
  registerSchema,
  resendCodeSchema,
  userCreateSchema,
  userUpdateSchema,
} from '../../../shared/schemas/account.schema.js';
import { idSchema, pageSchema } from '../../../shared/schemas/common.schema.js';
import { ROLES } from '../../../shared/status-machine.js';
import type { AccountService, IssuedSession } from '../../domain/accounts/account.types.js';
import { DomainError } from '../../domain/errors.js';
import { param, parse } from './http-errors.js';
import { clearSessionCookie, ipOf, requireConfirmed, sessionTokenFrom, setSessionCookie, viewerOf } from './request-context.js';

const userListQuerySchema = pageSchema.extend({
  role: z.enum(ROLES).optional(),
  departmentId: idSchema.optional(),
});

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

  r.post('/api/auth/register', async (req, res) => {
    const { session, codes } = await accounts.register(parse(registerSchema, req.body), ipOf(req), sessionTokenFrom(res));
    res.status(201).json({ ...signIn(res, session, secureCookies), codes });
  });

  r.post('/api/auth/confirm', async (req, res) => {
    const { requestId, code } = parse(confirmCodeSchema, req.body);
    const session = await accounts.confirmCode(requireToken(res), requestId, code, ipOf(req));
    res.json(signIn(res, session, secureCookies));
  });

  r.post('/api/auth/resend', async (req, res) => {
    const { channel } = parse(resendCodeSchema, req.body);
    res.json({ request: await accounts.resendCode(viewerOf(res), channel, ipOf(req)) });
  });

  r.post('/api/auth/login', async (req, res) => {
    const { login, password } = parse(loginSchema, req.body);
    res.json(signIn(res, await accounts.login(login, password, ipOf(req), sessionTokenFrom(res)), secureCookies));
  });

  r.post('/api/auth/logout', async (_req, res) => {
    const token = sessionTokenFrom(res);
    if (token) await accounts.logout(token);
    clearSessionCookie(res, secureCookies);
    res.status(204).end();
  });

  // Unconfirmed accounts may read themselves (to show what is left to confirm) and lock themselves.
  r.get('/api/me', async (_req, res) => {
    res.json({ user: await accounts.me(viewerOf(res)), csrfToken: csrfTokenOf(res) });
  });

  r.post('/api/me/lock', async (_req, res) => {
    await accounts.lockSelf(viewerOf(res));
    clearSessionCookie(res, secureCookies);
    res.status(204).end();
  });

  r.put('/api/me/privacy', async (req, res) => {
    const { expertsSeeContacts } = parse(privacySchema, req.body);
    res.json({ user: await accounts.setPrivacy(requireConfirmed(res), expertsSeeContacts) });
  });

  return r;
}

/** Admin: users and roles. The service refuses every role but admin. */
export function adminUserRoutes(accounts: AccountService): Router {
  const r = Router();
  r.get('/api/admin/users', async (req, res) => {
    const viewer = requireConfirmed(res);
    res.json(await accounts.listUsers(viewer, parse(userListQuerySchema, req.query)));
  });
  r.post('/api/admin/users', async (req, res) => {
    res.status(201).json({ user: await accounts.createUser(requireConfirmed(res), parse(userCreateSchema, req.body)) });
  });
  r.patch('/api/admin/users/:id', async (req, res) => {
    res.json({ user: await accounts.updateUser(requireConfirmed(res), param(req, 'id'), parse(userUpdateSchema, req.body)) });
  });
  return r;
}
