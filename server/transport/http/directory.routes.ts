/** GET /api/staff: experts and the department's officers, for invite and reassign. */
import { Router } from 'express';
import type { DirectoryService } from '../../domain/accounts/directory.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function directoryRoutes(directory: DirectoryService): Router {
  const r = Router();
  mountRoute(r, 'staff.get', async ({ res }) => directory.staff(requireConfirmed(res)));
  return r;
}
