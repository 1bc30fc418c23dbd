/** REST for search across appeals (docs/search.md, docs/api-staff.md "Search"). Paths and schemas: shared/protocol/routes.ts. */
import { Router } from 'express';
import type { SearchService } from '../../domain/search/search.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function searchRoutes(search: SearchService): Router {
  const r = Router();
  mountRoute(r, 'search.appeals', async ({ res, query }) => search.search(requireConfirmed(res), query()));
  return r;
}
