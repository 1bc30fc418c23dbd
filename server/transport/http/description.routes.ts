/** REST for the shared description's versions: list, view one, restore (as a new update). */
import { Router } from 'express';
import type { DescriptionService } from '../../domain/description/description.service.js';
import { param } from './http-errors.js';
import { requireConfirmed } from './request-context.js';

export function descriptionRoutes(description: DescriptionService): Router {
  const r = Router();
  r.get('/api/appeals/:id/description/versions', async (req, res) => {
    res.json({ items: await description.listVersions(requireConfirmed(res), param(req, 'id')) });
  });
  r.get('/api/appeals/:id/description/versions/:versionId', async (req, res) => {
    res.json({ version: await description.getVersion(requireConfirmed(res), param(req, 'id'), param(req, 'versionId')) });
  });
  r.post('/api/appeals/:id/description/versions/:versionId/restore', async (req, res) => {
    res.json(await description.restore(requireConfirmed(res), param(req, 'id'), param(req, 'versionId')));
  });
  return r;
}
