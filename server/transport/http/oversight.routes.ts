/** REST for oversight (docs/api-staff.md, "Oversight"; docs/oversight.md). Paths and schemas: shared/protocol/routes.ts. */
import { Router } from 'express';
import type { AuditViewService } from '../../domain/audit/audit-view.service.js';
import type { ApiKeyService } from '../../domain/oversight/api-keys.service.js';
import type { PublicityService } from '../../domain/oversight/publicity.service.js';
import type { WebhookService } from '../../domain/oversight/webhook.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function oversightRoutes(s: { auditView: AuditViewService; publicity: PublicityService; apiKeys: ApiKeyService; webhooks: WebhookService }): Router {
  const r = Router();
  mountRoute(r, 'audit.list', async ({ res, query }) => {
    const viewer = requireConfirmed(res);
    return s.auditView.list(viewer, query());
  });
  mountRoute(r, 'audit.verify', async ({ res }) => s.auditView.verify(requireConfirmed(res)));
  mountRoute(r, 'appeals.publicity', async ({ res, param }) => s.publicity.get(requireConfirmed(res), param('id')));
  mountRoute(r, 'appeals.setPublicity', async ({ res, param, body }) => {
    const viewer = requireConfirmed(res);
    const id = param('id');
    return s.publicity.set(viewer, id, body().public);
  });
  mountRoute(r, 'admin.apiKeys.list', async ({ res }) => ({ items: await s.apiKeys.list(requireConfirmed(res)) }));
  mountRoute(r, 'admin.apiKeys.create', async ({ res, body }) => {
    const viewer = requireConfirmed(res);
    return s.apiKeys.create(viewer, body());
  });
  mountRoute(r, 'admin.apiKeys.revoke', async ({ res, param }) => ({ key: await s.apiKeys.revoke(requireConfirmed(res), param('id')) }));
  mountRoute(r, 'admin.webhooks.list', async ({ res }) => ({ items: await s.webhooks.list(requireConfirmed(res)) }));
  mountRoute(r, 'admin.webhooks.create', async ({ res, body }) => {
    const viewer = requireConfirmed(res);
    return s.webhooks.create(viewer, body());
  });
  mountRoute(r, 'admin.webhooks.delete', async ({ res, param }) => {
    await s.webhooks.remove(requireConfirmed(res), param('id'));
  });
  mountRoute(r, 'admin.webhooks.deliveries', async ({ res, query }) => {
    const viewer = requireConfirmed(res);
    return s.webhooks.deliveries(viewer, query());
  });
  mountRoute(r, 'admin.webhooks.replay', async ({ res, param }) => ({ delivery: await s.webhooks.replay(requireConfirmed(res), param('id')) }));
  return r;
}
