/**
 * REST for the person's own account (docs/accounts.md): the consent text and
 * its acceptance, personal data, password, contacts and sessions; password
 * recovery and unlocking by a code. Each handler parses, makes one
 * AccountService call, and shapes the reply.
 */
import { Router, type Request, type Response } from 'express';
import type { AccountService, IssuedSession } from '../../domain/accounts/account.types.js';
import { currentConsent } from '../../domain/accounts/consent.js';
import { mountRoute } from './mount-route.js';
import { ipOf, requireConfirmed, sessionTokenFrom, setSessionCookie, viewerOf } from './request-context.js';

const userAgentOf = (req: Request): string | undefined => req.headers['user-agent'];

function signIn(res: Response, session: IssuedSession, secure: boolean): { user: IssuedSession['user']; csrfToken: string } {
  setSessionCookie(res, session, secure);
  return { user: session.user, csrfToken: session.csrfToken };
}

export function profileRoutes(deps: { accounts: AccountService; secureCookies: boolean }): Router {
  const { accounts, secureCookies } = deps;
  const r = Router();

  // Public: the text registration shows.
  mountRoute(r, 'consent.get', () => Promise.resolve({ terms: currentConsent() }));

  // Open before the consent is accepted (requireConfirmed refuses everything else with CONSENT_REQUIRED).
  mountRoute(r, 'me.consent', async ({ res, body }) => {
    const viewer = viewerOf(res);
    const { version } = body();
    return { user: await accounts.acceptConsent(viewer, version) };
  });

  mountRoute(r, 'me.profile', async ({ res, body }) => ({ user: await accounts.updatePersonal(requireConfirmed(res), body()) }));

  mountRoute(r, 'me.password', async ({ res, body }) => {
    const viewer = requireConfirmed(res);
    const { currentPassword, newPassword } = body();
    return { endedSessions: await accounts.changePassword(viewer, currentPassword, newPassword) };
  });

  mountRoute(r, 'me.contact', async ({ res, body }) => {
    const viewer = requireConfirmed(res);
    const { channel, value } = body();
    return { request: await accounts.requestContactChange(viewer, channel, value) };
  });

  mountRoute(r, 'me.contactConfirm', async ({ req, res, body }) => {
    const viewer = requireConfirmed(res);
    const { requestId, code } = body();
    return { user: await accounts.confirmContactChange(viewer, requestId, code, ipOf(req)) };
  });

  mountRoute(r, 'me.sessions', async ({ res }) => ({ items: await accounts.listSessions(requireConfirmed(res)) }));

  mountRoute(r, 'me.sessionEnd', async ({ res, param }) => {
    const viewer = requireConfirmed(res);
    const id = param('id');
    await accounts.endSession(viewer, id);
  });

  // Recovery and unlock: for people who cannot sign in, so no session is needed (one that came along is replaced).
  mountRoute(r, 'auth.recover', async ({ req, body }) => ({ request: await accounts.requestCodeByLogin('recover', body().login, ipOf(req)) }));

  mountRoute(r, 'auth.recoverReset', async ({ req, res, body }) => {
    const answer = body();
    return signIn(res, await accounts.completeByCode('recover', answer, ipOf(req), sessionTokenFrom(res), userAgentOf(req)), secureCookies);
  });

  mountRoute(r, 'auth.unlock', async ({ req, body }) => ({ request: await accounts.requestCodeByLogin('unlock', body().login, ipOf(req)) }));

  mountRoute(r, 'auth.unlockConfirm', async ({ req, res, body }) => {
    const { password, ...rest } = body();
    const answer = password === undefined ? rest : { ...rest, password };
    return signIn(res, await accounts.completeByCode('unlock', answer, ipOf(req), sessionTokenFrom(res), userAgentOf(req)), secureCookies);
  });

  return r;
}
