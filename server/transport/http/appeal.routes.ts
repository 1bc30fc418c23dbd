/** REST for appeals: thin handlers — parse, call one service function, shape the reply. Paths and schemas: shared/protocol/routes.ts. */
import { Router, type RequestHandler } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AppealService } from '../../domain/appeals/appeal.service.js';
import { rateLimited } from '../../domain/errors.js';
import { mountRoute } from './mount-route.js';
import { ipOf, requireConfirmed } from './request-context.js';

export function appealRoutes(appeals: AppealService): Router {
  const r = Router();

  mountRoute(r, 'appeals.create', async ({ res, body }) => ({ appeal: await appeals.createDraft(requireConfirmed(res), body()) }));
  mountRoute(r, 'appeals.mine', async ({ res, query }) => appeals.listMine(requireConfirmed(res), query()));
  mountRoute(r, 'appeals.invited', async ({ res, query }) => appeals.invitations(requireConfirmed(res), query()));
  mountRoute(r, 'queue.list', async ({ res, query }) => appeals.queue(requireConfirmed(res), query()));
  mountRoute(r, 'appeals.get', async ({ res, param }) => ({ appeal: await appeals.get(requireConfirmed(res), param('id')) }));
  // 'appeals.update' is mounted by case-entry.routes.ts: saving a rejected appeal is a correction.
  mountRoute(r, 'appeals.submit', async ({ res, param, body }) => {
    const { version } = body();
    return appeals.submit(requireConfirmed(res), param('id'), version);
  });
  mountRoute(r, 'appeals.transition', async ({ res, param, body }) => ({ appeal: await appeals.transition(requireConfirmed(res), param('id'), body()) }));
  mountRoute(r, 'appeals.history', async ({ res, param, query }) => {
    const { after } = query();
    return { items: await appeals.history(requireConfirmed(res), param('id'), after) };
  });
  mountRoute(r, 'appeals.assign', async ({ res, param, body }) => ({ appeal: await appeals.assign(requireConfirmed(res), param('id'), body().assigneeId) }));
  mountRoute(r, 'appeals.inviteExpert', async ({ res, param, body }) => ({
    appeal: await appeals.invite(requireConfirmed(res), param('id'), body().expertId),
  }));
  mountRoute(r, 'appeals.removeExpert', async ({ res, param }) => ({
    appeal: await appeals.removeExpert(requireConfirmed(res), param('id'), param('expertId')),
  }));

  // Public: no login, so it is rate limited per IP against guessing access codes.
  mountRoute(
    r,
    'public.status',
    async ({ body }) => {
      const { number, accessCode } = body();
      return { status: await appeals.lookup(number, accessCode) };
    },
    [limitPerIp(20, 60)],
  );

  return r;
}

/** A per-IP limit of `points` requests per `seconds`. */
export function limitPerIp(points: number, seconds: number): RequestHandler {
  const limiter = new RateLimiterMemory({ points, duration: seconds });
  return async (req, _res, next) => {
    try {
      await limiter.consume(ipOf(req));
    } catch (rej) {
      const ms = (rej as { msBeforeNext?: number }).msBeforeNext ?? seconds * 1000;
      throw rateLimited(ms / 1000);
    }
    next();
  };
}
