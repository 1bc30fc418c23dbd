/** REST for appeals: thin handlers — parse, call one service function, shape the reply. */
import { Router, type RequestHandler } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { pageSchema } from '../../../shared/schemas/common.schema.js';
import {
  assignSchema, draftSchema, draftUpdateSchema, inviteSchema, lookupSchema, queueQuerySchema, transitionSchema,
} from '../../../shared/schemas/appeal.schema.js';
import type { AppealService } from '../../domain/appeals/appeal.service.js';
import { rateLimited } from '../../domain/errors.js';
import { param, parse } from './http-errors.js';
import { ipOf, requireConfirmed } from './request-context.js';
import { z } from 'zod';

const afterSchema = z.object({ after: z.coerce.number().int().min(0).default(0) });
const submitSchema = z.object({ version: z.number().int().min(0).optional() });

export function appealRoutes(appeals: AppealService): Router {
  const r = Router();

  r.post('/api/appeals', async (req, res) => {
    res.status(201).json({ appeal: await appeals.createDraft(requireConfirmed(res), parse(draftSchema, req.body)) });
  });
  r.get('/api/appeals/mine', async (req, res) => {
    res.json(await appeals.listMine(requireConfirmed(res), parse(pageSchema, req.query)));
  });
  r.get('/api/appeals/invited', async (req, res) => {
    res.json(await appeals.invitations(requireConfirmed(res), parse(pageSchema, req.query)));
  });
  r.get('/api/queue', async (req, res) => {
    res.json(await appeals.queue(requireConfirmed(res), parse(queueQuerySchema, req.query)));
  });
  r.get('/api/appeals/:id', async (req, res) => {
    res.json({ appeal: await appeals.get(requireConfirmed(res), param(req, 'id')) });
  });
  r.patch('/api/appeals/:id', async (req, res) => {
    res.json({ appeal: await appeals.updateDraft(requireConfirmed(res), param(req, 'id'), parse(draftUpdateSchema, req.body)) });
  });
  r.post('/api/appeals/:id/submit', async (req, res) => {
    const { version } = parse(submitSchema, req.body ?? {});
    res.json(await appeals.submit(requireConfirmed(res), param(req, 'id'), version));
  });
  r.post('/api/appeals/:id/transitions', async (req, res) => {
    res.json({ appeal: await appeals.transition(requireConfirmed(res), param(req, 'id'), parse(transitionSchema, req.body)) });
  });
  r.get('/api/appeals/:id/history', async (req, res) => {
    const { after } = parse(afterSchema, req.query);
    res.json({ items: await appeals.history(requireConfirmed(res), param(req, 'id'), after) });
  });
  r.post('/api/appeals/:id/assign', async (req, res) => {
    res.json({ appeal: await appeals.assign(requireConfirmed(res), param(req, 'id'), parse(assignSchema, req.body).assigneeId) });
  });
  r.post('/api/appeals/:id/experts', async (req, res) => {
    res.json({ appeal: await appeals.invite(requireConfirmed(res), param(req, 'id'), parse(inviteSchema, req.body).expertId) });
  });
  r.delete('/api/appeals/:id/experts/:expertId', async (req, res) => {
    res.json({ appeal: await appeals.removeExpert(requireConfirmed(res), param(req, 'id'), param(req, 'expertId')) });
  });

  // Public: no login, so it is rate limited per IP against guessing access codes.
  r.post('/api/public/status', limitPerIp(20, 60), async (req, res) => {
    const { number, accessCode } = parse(lookupSchema, req.body);
    res.json({ status: await appeals.lookup(number, accessCode) });
  });

  return r;
}

/** A per-IP limit of `points` requests per `seconds`. */
export function limitPerIp(points: number, seconds: number): RequestHandler {
  const limiter = new RateLimiterMemory({ points, duration: seconds });
  return async (req, _res, next) => {
    try {
      await limiter.consume(ipOf(req));
    } catch (rej) {
      const ms = (rej as { msBeforeNext?: number }).msBeforeNext ?? seconds * 1000;
      throw rateLimited(ms / 1000);
    }
    next();
  };
}
