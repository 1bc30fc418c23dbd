/**
 * Mounts one route of the shared table (shared/protocol/routes.ts) on a router:
 * its method and path come from the table, its body and query are parsed with
 * the table's schemas, and the handler's return value is the reply, typed by
 * the table's reply schema and sent with the table's status.
 *
 * Parameters, body and query are parsed when the handler asks for them, so each
 * handler decides what is checked first (the session, then the input, as a rule).
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import {
  ROUTES,
  type RouteBody,
  type RouteKey,
  type RouteParamName,
  type RouteQuery,
  type RouteReply,
  type RouteSpec,
} from '../../../shared/protocol/routes.js';
import { param, parse } from './http-errors.js';

export interface RouteContext<K extends RouteKey> {
  req: Request;
  res: Response;
  /** A path parameter: an id, or NOT_FOUND when malformed. */
  param: (name: RouteParamName<K>) => string;
  /** The JSON body parsed with the route's schema, or VALIDATION_FAILED. */
  body: () => RouteBody<K>;
  /** The query parsed with the route's schema, or VALIDATION_FAILED. */
  query: () => RouteQuery<K>;
}

/** JSON routes return their reply; `empty` routes return nothing (204); `bytes` routes write the response themselves. */
export type RouteHandler<K extends RouteKey> = (ctx: RouteContext<K>) => HandlerResult<K>;
type HandlerResult<K extends RouteKey> = RouteReply<K> extends undefined ? Promise<void> : Promise<RouteReply<K>>;

type Mountable = Pick<Router, 'get' | 'post' | 'put' | 'patch' | 'delete'>;

/** Which table route each mounted handler serves (read by the route-table test through the Express stack). */
const mounted = new WeakMap<object, RouteKey>();

/** The route key a mounted Express handler serves, if it was mounted from the table. */
export function routeKeyOf(handler: unknown): RouteKey | undefined {
  return typeof handler === 'function' ? mounted.get(handler) : undefined;
}

export function mountRoute<K extends RouteKey>(router: Mountable, key: K, handler: RouteHandler<K>, before: RequestHandler[] = []): void {
  const spec: RouteSpec = ROUTES[key];
  const run: RequestHandler = async (req, res) => {
    const ctx: RouteContext<K> = {
      req,
      res,
      param: (name) => param(req, name),
      body: () => parseWith(spec.body, req.body) as RouteBody<K>,
      query: () => parseWith(spec.query, req.query) as RouteQuery<K>,
    };
    const reply = await handler(ctx);
    if (spec.reply === 'empty') res.status(204).end();
    else if (spec.reply !== 'bytes') res.status(spec.status ?? 200).json(reply);
  };
  mounted.set(run, key);
  const path = spec.path;
  switch (spec.method) {
    case 'GET':
      router.get(path, ...before, run);
      break;
    case 'POST':
      router.post(path, ...before, run);
      break;
    case 'PUT':
      router.put(path, ...before, run);
      break;
    case 'PATCH':
      router.patch(path, ...before, run);
      break;
    case 'DELETE':
      router.delete(path, ...before, run);
      break;
  }
}

// The table's types tie each schema to its route; here the value is only parsed.
function parseWith(schema: RouteSpec['body'] | RouteSpec['query'], value: unknown): unknown {
  if (schema === undefined || !('safeParse' in schema)) throw new Error('this route has no schema for it');
  return parse(schema, value);
}
