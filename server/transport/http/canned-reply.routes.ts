/** REST for canned replies (docs/api-staff.md, "Canned replies"). Paths and schemas: shared/protocol/routes.ts. */
import { Router } from 'express';
import type { CannedReplyService } from '../../domain/canned/canned-reply.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function cannedReplyRoutes(canned: CannedReplyService): Router {
  const r = Router();
  mountRoute(r, 'canned.list', async ({ res }) => ({ items: await canned.list(requireConfirmed(res)) }));
  mountRoute(r, 'canned.create', async ({ res, body }) => ({ reply: await canned.create(requireConfirmed(res), body()) }));
  mountRoute(r, 'canned.update', async ({ res, param, body }) => ({ reply: await canned.update(requireConfirmed(res), param('id'), body()) }));
  mountRoute(r, 'canned.delete', async ({ res, param }) => {
    await canned.remove(requireConfirmed(res), param('id'));
  });
  return r;
}
