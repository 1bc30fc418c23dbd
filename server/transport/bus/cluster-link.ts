/**
 * The link between instances when `REDIS_URL` is set: Redis pub/sub, one
 * publishing and one subscribed connection per instance (a subscribed
 * connection can do nothing else).
 *
 * A message is the publishing instance's id (16 bytes) followed by the
 * payload; an instance ignores its own messages, since everything it
 * publishes it has already handled locally. Redis delivers the messages of one
 * publisher in order, and every subscriber sees all messages in the order the
 * server received them, so an update relayed from A and one B made on top of
 * it arrive everywhere in that order.
 *
 * Pub/sub is fire and forget: a message published while an instance's
 * subscription is down is lost for it, and while this instance's own
 * connection is down its messages are dropped rather than queued (a queue
 * would grow by every chat message for as long as Redis is away). What is lost is live delivery only —
 * every message relays something already in the Store, and clients catch up
 * from the Store (chat and history by seq, Yjs by state vector) on their next
 * join or sync.
 */
import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../../lib/logger.js';

/** Prefix of every channel, so a shared Redis can hold other things. */
const CHANNEL_PREFIX = 'caseroom:';
const ID_BYTES = 16;
/** Tries of the first connection (200 ms apart) before the start fails. */
const FIRST_CONNECT_TRIES = 5;

export type LinkChannel = 'bus' | 'io' | 'yjs' | 'presence';

export interface ClusterLink {
  /** This instance's id (hex). */
  readonly instanceId: string;
  /** Publishes to the other instances (never delivered back to this one). */
  publish(channel: LinkChannel, payload: Buffer | string): void;
  /** Receives what the other instances publish on `channel`. */
  subscribe(channel: LinkChannel, handler: (payload: Buffer, from: string) => void): Promise<void>;
  /** The publishing connection, for what keeps shared state in Redis (rate limits). */
  readonly client: RedisClientType;
  close(): Promise<void>;
}

/** Connects both connections; rejects (and closes what opened) when Redis cannot be reached. */
export async function connectCluster(url: string, logger: Logger): Promise<ClusterLink> {
  const id = randomBytes(ID_BYTES);
  const instanceId = id.toString('hex');
  let isUp = false;
  const pub: RedisClientType = createClient({
    url,
    // While down, a command fails at once instead of waiting in memory.
    disableOfflineQueue: true,
    socket: {
      // Before the first connection, a few quick tries and then the start fails; after it, retries for as long as it takes.
      reconnectStrategy: (retries: number, cause: Error) => {
        if (isUp) return Math.min(100 * 2 ** Math.min(retries, 5), 3000);
        return retries < FIRST_CONNECT_TRIES ? 200 : cause;
      },
    },
  });
  const sub = pub.duplicate();
  for (const [name, c] of [
    ['publish', pub],
    ['subscribe', sub],
  ] as const) {
    // Without a listener an error event would crash the process; the client reconnects by itself.
    c.on('error', (err: unknown) => {
      logger.warn('redis connection error', { connection: name, error: String(err) });
    });
  }
  try {
    await Promise.all([pub.connect(), sub.connect()]);
    isUp = true;
  } catch (err) {
    for (const c of [pub, sub]) {
      try {
        c.destroy();
      } catch {
        /* never opened */
      }
    }
    throw new Error(`REDIS_URL: cannot connect to Redis (${String(err)})`);
  }
  let closed = false;
  /** Set on the first failed publish of an outage, so it is logged once, not per message. */
  let isFailing = false;
  return {
    instanceId,
    client: pub,
    publish(channel, payload) {
      if (closed) return;
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
      pub.publish(CHANNEL_PREFIX + channel, Buffer.concat([id, body])).then(
        () => {
          if (!isFailing) return;
          isFailing = false;
          logger.warn('redis publish works again');
        },
        (err: unknown) => {
          if (isFailing) return;
          isFailing = true;
          logger.warn('redis publish failed: the other instances miss live events until Redis is back (their clients catch up from the store)', {
            channel,
            error: String(err),
          });
        },
      );
    },
    async subscribe(channel, handler) {
      await sub.subscribe(
        CHANNEL_PREFIX + channel,
        (message: Buffer) => {
          if (message.length < ID_BYTES || message.subarray(0, ID_BYTES).equals(id)) return;
          try {
            handler(message.subarray(ID_BYTES), message.subarray(0, ID_BYTES).toString('hex'));
          } catch (err) {
            logger.error('cluster message handler failed', { channel, error: String(err) });
          }
        },
        true,
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([sub.close(), pub.close()]);
    },
  };
}
