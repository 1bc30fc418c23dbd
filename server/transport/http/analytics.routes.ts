/**
 * REST for analytics (docs/analytics.md; paths and schemas in
 * shared/protocol/routes.ts): the figures, the appeals behind one, and those
 * appeals as CSV, streamed page by page (refused before the first byte when
 * there are more than MAX_CSV_ROWS).
 */
import { once } from 'node:events';
import { Router } from 'express';
import type { AnalyticsService } from '../../domain/analytics/analytics.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function analyticsRoutes(analytics: AnalyticsService): Router {
  const r = Router();
  mountRoute(r, 'analytics.get', async ({ res, query }) => analytics.figures(requireConfirmed(res), query()));
  mountRoute(r, 'analytics.appeals', async ({ res, query }) => analytics.appeals(requireConfirmed(res), query()));
  mountRoute(r, 'analytics.csv', async ({ res, query }) => {
    const q = query();
    const rows = analytics.csv(requireConfirmed(res), q);
    // The first chunk settles the checks (who, how many rows): an error before it is a JSON reply.
    const first = await rows.next();
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="analytics-${q.figure}-${q.from}-${q.to}.csv"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (!first.done) res.write(first.value);
    for await (const chunk of rows) {
      if (!res.write(chunk)) await once(res, 'drain');
    }
    res.end();
  });
  return r;
}
