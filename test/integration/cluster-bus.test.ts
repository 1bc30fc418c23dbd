/**
 * The domain events between instances, against a real redis-server: what an
 * instance publishes holds no hash, secret or token (checked on the messages
 * Redis actually carried), and a message of the wrong shape, or with one
 * field too many, is dropped and logged while the instance keeps serving.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../shared/protocol/events.js';
import { formWith, pngBytes } from '../helpers/files.js';
import { capturingLogger } from '../helpers/logger.js';
import { skipUnlessPresent } from '../helpers/parts.js';
import { clientId, closeAllSockets, connect, ok, until } from '../helpers/realtime.js';
import { findRedisServer, startRedis, type RedisProcess } from '../helpers/redis.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

const redisBinary = findRedisServer();
skipUnlessPresent('redis-server', redisBinary ? null : 'redis-server is not installed');
if (!redisBinary) console.warn('cluster-bus tests skipped: redis-server is not installed (.ci/run installs it)');

/** Keys no event may carry, at any depth. */
const SECRET_KEY = /hash|secret|token|password|blob|code/i;

let redis: RedisProcess;
let server: TestServer;
const logger = capturingLogger();
/** Every message Redis carried on the bus channel, as JSON text (the 16-byte instance id cut off). */
const carried: string[] = [];
let sniffer: ReturnType<typeof createClient> | null = null;
let publisher: ReturnType<typeof createClient> | null = null;
let citizen: TestClient;
let operator: TestClient;

function keysOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) keysOf(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      keysOf(v, out);
    }
  }
  return out;
}

describe.skipIf(!redisBinary)('the domain event bus over Redis', () => {
  beforeAll(async () => {
    redis = await startRedis(redisBinary ?? '');
    sniffer = createClient({ url: redis.url });
    await sniffer.connect();
    await sniffer.subscribe(
      'caseroom:bus',
      (message: Buffer) => {
        carried.push(message.subarray(16).toString('utf8'));
      },
      true,
    );
    publisher = createClient({ url: redis.url });
    await publisher.connect();
    server = await startTestServer({ logger, env: { REDIS_URL: redis.url } });
    citizen = await loginAs(server, 'citizen');
    operator = await loginAs(server, 'operator.portal');
  });

  afterAll(async () => {
    closeAllSockets();
    await server.stop();
    await sniffer?.quit();
    await publisher?.quit();
    await redis.stop();
  });

  it('publishes every kind of event with no hash, secret, token or blob id in it', async () => {
    const { appeal } = await fileAppeal(citizen);
    expect((await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    expect((await operator.post(`/api/appeals/${appeal.id}/experts`, { expertId: (await loginAs(server, 'expert')).user.id })).status).toBe(200);
    expect((await citizen.request('POST', `/api/appeals/${appeal.id}/attachments`, formWith([{ name: 'scan.png', bytes: pngBytes() }]))).status).toBe(201);
    const socket = await connect(server.url, citizen);
    await ok(socket, 'room:join', { appealId: appeal.id });
    await ok<ChatMessage>(socket, 'chat:send', { appealId: appeal.id, clientId: clientId(), text: 'Добрый день' });
    expect((await citizen.post(`/api/appeals/${appeal.id}/supplements`, { text: 'Дополняю обращение' })).status).toBe(201);
    const leaving = await loginAs(server, 'citizen');
    expect((await leaving.post('/api/auth/logout')).status).toBe(204);

    const types = (): Set<string> => new Set(carried.map((m) => (JSON.parse(m) as { type: string }).type));
    await until(
      () => ['appeal.status_changed', 'appeal.updated', 'attachment.changed', 'chat.posted', 'session.ended', 'case.entry_added'].every((t) => types().has(t)),
      5000,
      'every kind of event on Redis',
    );
    const keys = carried.flatMap((m) => keysOf(JSON.parse(m)));
    expect(keys.filter((k) => SECRET_KEY.test(k))).toEqual([]);
    // And no text of the chat or the appeal travels either.
    expect(carried.join('\n')).not.toContain('Добрый день');
    expect(carried.join('\n')).not.toContain('Дополняю обращение');
    expect(carried.join('\n')).not.toContain(appeal.subject);
  });

  it('drops a message of the wrong shape, or with an extra field, logs it, and keeps serving', async () => {
    const { appeal } = await fileAppeal(citizen);
    const before = logger.lines.filter((l) => l.msg.startsWith('cluster bus: message dropped')).length;
    const foreign = Buffer.alloc(16, 7);
    const valid = { type: 'appeal.access_changed', appealId: appeal.id, userIds: [citizen.user.id] };
    const bad = [
      'not json',
      JSON.stringify({ type: 'appeal.access_changed', appealId: 42, userIds: 'all' }),
      JSON.stringify({ ...valid, extra: true }),
      JSON.stringify({ type: 'appeal.updated', appeal: { id: appeal.id } }),
      JSON.stringify({ type: 'no.such.event' }),
    ];
    for (const payload of bad) await publisher!.publish('caseroom:bus', Buffer.concat([foreign, Buffer.from(payload)]));
    await until(
      () => logger.lines.filter((l) => l.msg.startsWith('cluster bus: message dropped')).length === before + bad.length,
      5000,
      'every bad message logged',
    );
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    // Still serving: REST, and a socket in the room whose access the extra-field message named.
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const socket = await connect(server.url, citizen);
    await ok(socket, 'room:join', { appealId: appeal.id });
    expect((await ok<ChatMessage>(socket, 'chat:send', { appealId: appeal.id, clientId: clientId(), text: 'На связи' })).seq).toBe(1);
  });
});
