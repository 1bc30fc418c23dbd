/** REST for the law's clocks: extension, redirect, and the working-day calendar (admin). Paths and schemas: shared/protocol/routes.ts. */
import { Router } from 'express';
import type { CalendarService } from '../../domain/clocks/calendar.service.js';
import type { ClockService } from '../../domain/clocks/clock.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function clockRoutes(clocks: ClockService, calendar: CalendarService): Router {
  const r = Router();
  mountRoute(r, 'appeals.extend', async ({ res, param, body }) => ({ appeal: await clocks.extend(requireConfirmed(res), param('id'), body()) }));
  mountRoute(r, 'appeals.redirect', async ({ res, param, body }) => ({ redirected: await clocks.redirect(requireConfirmed(res), param('id'), body()) }));
  mountRoute(r, 'admin.calendar.get', async ({ res, query }) => calendar.get(requireConfirmed(res), query().year));
  mountRoute(r, 'admin.calendar.put', async ({ res, body }) => clocks.saveCalendar(requireConfirmed(res), body()));
  return r;
}
