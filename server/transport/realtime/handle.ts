/**
 * The one wrapper every acknowledged socket event goes through: rate limit,
 * zod validation, the service call, and an ack of `{ ok: true, data }` or
 * `{ ok: false, error: { code, message } }`. It never throws, so a bad payload
 * can cost its sender an error reply but never the server.
 */
import type { z } from 'zod';
import type { Ack } from '../../../shared/protocol/events.js';
import type { ErrorBody } from '../../../shared/protocol/error-codes.js';
import { invalid, rateLimited } from '../../domain/errors.js';
import type { Viewer } from '../../domain/viewer.js';
import type { Logger } from '../../lib/logger.js';
import { toErrorBody } from '../http/http-errors.js';
import type { TokenBucket } from '../../lib/token-bucket.js';
import { viewerOf, type RealtimeSocket } from './context.js';

/** Maps any error to the wire shape; unexpected ones are logged and say nothing. */
export function errorBodyOf(err: unknown, logger: Logger, event: string): ErrorBody {
  const { status, body } = toErrorBody(err);
  if (status >= 500) logger.error('socket handler failed', { event, error: String((err as Error | null)?.stack ?? err) });
  return body;
}

export interface HandleOptions {
  /** Buckets to spend from before anything else (per connection). */
  buckets: TokenBucket[];
}

/**
 * A listener for an acknowledged event. The ack is the last argument whatever
 * came before it (socket.io passes the client's arguments as they are); the
 * event takes one payload, so anything else between is refused with
 * VALIDATION_FAILED — answered, like every refusal, through the ack. A client
 * that sends only a callback, or none, is handled too.
 */
export function handle<S extends z.ZodType, T>(
  socket: RealtimeSocket,
  logger: Logger,
  event: string,
  schema: S,
  run: (input: z.infer<S>, viewer: Viewer) => Promise<T>,
  options: HandleOptions,
): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    const reply = typeof args.at(-1) === 'function' ? args.pop() : undefined;
    const input = args[0];
    const send = (a: Ack<T>): void => {
      if (typeof reply !== 'function') return;
      try {
        (reply as (a: Ack<T>) => void)(a);
      } catch (err) {
        logger.error('socket ack failed', { event, error: String(err) });
      }
    };
    const fail = (err: unknown): void => {
      send({ ok: false, error: errorBodyOf(err, logger, event) });
    };
    // No async wrapper of its own: the handler's promise is the one promise of an event.
    let result: Promise<T>;
    try {
      for (const bucket of options.buckets) if (!bucket.take()) throw rateLimited(bucket.retryAfter());
      if (args.length > 1) throw invalid({ arguments: 'ожидается один объект и функция подтверждения' }, 'Событие принимает один объект данных');
      const parsed: z.infer<S> = schema.parse(input);
      result = run(parsed, viewerOf(socket));
    } catch (err) {
      fail(err);
      return;
    }
    result.then((data) => {
      send({ ok: true, data });
    }, fail);
  };
}
