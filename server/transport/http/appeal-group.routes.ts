/** REST for linked appeals (docs/api-staff.md, "Linked appeals"). Paths and schemas: shared/protocol/routes.ts. */
import { Router } from 'express';
import type { AppealGroupService } from '../../domain/groups/appeal-group.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function appealGroupRoutes(groups: AppealGroupService): Router {
  const r = Router();
  mountRoute(r, 'groups.ofAppeal', async ({ res, param }) => ({ group: await groups.groupOf(requireConfirmed(res), param('id')) }));
  mountRoute(r, 'groups.duplicates', async ({ res, param }) => ({ items: await groups.duplicates(requireConfirmed(res), param('id')) }));
  mountRoute(r, 'groups.link', async ({ res, body }) => ({ group: await groups.link(requireConfirmed(res), body()) }));
  mountRoute(r, 'groups.unlink', async ({ res, param }) => ({ group: await groups.unlink(requireConfirmed(res), param('id')) }));
  mountRoute(r, 'groups.transition', async ({ res, param, body }) => ({ group: await groups.transition(requireConfirmed(res), param('id'), body()) }));
  mountRoute(r, 'groups.notes', async ({ res, param }) => ({ items: await groups.notes(requireConfirmed(res), param('id')) }));
  mountRoute(r, 'groups.addNote', async ({ res, param, body }) => ({ note: await groups.addNote(requireConfirmed(res), param('id'), body().text) }));
  return r;
}
