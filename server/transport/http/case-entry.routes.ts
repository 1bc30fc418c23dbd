/**
 * REST for the case's entries (supplements, corrections) and the save of an
 * appeal, which corrects a rejected one (CaseEntryService.edit). Thin handlers:
 * parse, call one service function, shape the reply. Paths and schemas:
 * shared/protocol/routes.ts.
 */
import { Router } from 'express';
import type { CaseEntryService } from '../../domain/case-entries/case-entry.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function caseEntryRoutes(entries: CaseEntryService): Router {
  const r = Router();
  mountRoute(r, 'appeals.update', async ({ res, param, body }) => ({ appeal: await entries.edit(requireConfirmed(res), param('id'), body()) }));
  mountRoute(r, 'entries.list', async ({ res, param, query }) => entries.list(requireConfirmed(res), param('id'), query().after));
  mountRoute(r, 'entries.supplement', async ({ res, param, body }) => {
    const viewer = requireConfirmed(res);
    return { entry: await entries.supplement(viewer, param('id'), body()) };
  });
  mountRoute(r, 'entries.seen', async ({ res, param, body }) => {
    const viewer = requireConfirmed(res);
    await entries.markSeen(viewer, param('id'), body().seq);
  });
  return r;
}
