/** REST for personal data (docs/privacy.md): the citizen's choice for experts on an appeal, and the access log. */
import { Router } from 'express';
import type { AppealService } from '../../domain/appeals/appeal.service.js';
import type { AccessLogService } from '../../domain/privacy/access-log.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function privacyRoutes(appeals: AppealService, accessLog: AccessLogService): Router {
  const r = Router();
  mountRoute(r, 'appeals.privacy', async ({ res, param, body }) => ({
    appeal: await appeals.setExpertVisibility(requireConfirmed(res), param('id'), body().expertsSeeContacts),
  }));
  mountRoute(r, 'me.accessLog', async ({ res, query }) => accessLog.mine(requireConfirmed(res), query()));
  mountRoute(r, 'accessLog.list', async ({ res, query }) => accessLog.department(requireConfirmed(res), query()));
  return r;
}
