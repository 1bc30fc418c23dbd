/** REST for support conversations (docs/support.md). Paths and schemas: shared/protocol/routes.ts. */
import { Router } from 'express';
import type { SupportService } from '../../domain/support/support.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function supportRoutes(support: SupportService): Router {
  const r = Router();
  mountRoute(r, 'support.open', async ({ res, body }) => ({ appeal: await support.open(requireConfirmed(res), body()) }));
  mountRoute(r, 'support.mine', async ({ res, query }) => support.mine(requireConfirmed(res), query()));
  mountRoute(r, 'support.queue', async ({ res, query }) => support.queue(requireConfirmed(res), query()));
  return r;
}
