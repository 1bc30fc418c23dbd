/** GET /api/wall: a page of the supervisor's wall (the open rooms of the department). */
import { Router } from 'express';
import type { WallService } from '../../domain/wall/wall.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function wallRoutes(wall: WallService): Router {
  const r = Router();
  mountRoute(r, 'wall.list', async ({ res, query }) => {
    const viewer = requireConfirmed(res);
    return wall.page(viewer, query());
  });
  return r;
}
