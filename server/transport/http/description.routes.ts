/** REST for the shared description's versions: list, view one, restore (as a new update). Paths: shared/protocol/routes.ts. */
import { Router } from 'express';
import type { DescriptionService } from '../../domain/description/description.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function descriptionRoutes(description: DescriptionService): Router {
  const r = Router();
  mountRoute(r, 'description.versions', async ({ res, param }) => ({ items: await description.listVersions(requireConfirmed(res), param('id')) }));
  mountRoute(r, 'description.version', async ({ res, param }) => ({
    version: await description.getVersion(requireConfirmed(res), param('id'), param('versionId')),
  }));
  mountRoute(r, 'description.restore', async ({ res, param }) => description.restore(requireConfirmed(res), param('id'), param('versionId')));
  return r;
}
