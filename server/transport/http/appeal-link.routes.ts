/** REST for linked appeals and the kinds with flows of their own (docs/after-decision.md). Paths and schemas: shared/protocol/routes.ts. */
import { Router } from 'express';
import type { AppealLinkService } from '../../domain/appeals/appeal-links.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function appealLinkRoutes(links: AppealLinkService): Router {
  const r = Router();
  mountRoute(r, 'appeals.links', async ({ res, param }) => links.links(requireConfirmed(res), param('id')));
  mountRoute(r, 'appeals.repeat', async ({ res, param, body }) => links.repeat(requireConfirmed(res), param('id'), body().text));
  mountRoute(r, 'appeals.escalate', async ({ res, param, body }) => links.escalate(requireConfirmed(res), param('id'), body()));
  mountRoute(r, 'appeals.escalationAnswer', async ({ res, param, body }) => ({
    appeal: await links.answerEscalation(requireConfirmed(res), param('id'), body()),
  }));
  mountRoute(r, 'appeals.suggestionAnswer', async ({ res, param, body }) => ({
    appeal: await links.answerSuggestion(requireConfirmed(res), param('id'), body()),
  }));
  mountRoute(r, 'appeals.suggestionMark', async ({ res, param, body }) => ({
    appeal: await links.markSuggestion(requireConfirmed(res), param('id'), body().mark),
  }));
  return r;
}
