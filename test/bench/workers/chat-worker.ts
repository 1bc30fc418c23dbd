/**
 * Load generator for chat fan-out over socket.io: each client sends chat
 * messages at a fixed rate (send → receive latency measured at the room's
 * other clients, in this same process), and one client per room pushes a
 * status change every second (measured at every client of the room).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { serveIpc } from '../proc.js';
import { pool } from '../yproto.js';

interface ChatRoomSpec {
  appealId: string;
  clients: Record<string, string>[];
  /** Index of the client that pushes status changes. */
  statusClient: number;
}

interface Init {
  worker: number;
  url: string;
  rooms: ChatRoomSpec[];
  rate: number;
  statusPerSec: number;
  durationMs: number;
  /** Sending before the measured time (same load; JIT, caches and pools warm up); no latency kept. */
  warmupMs: number;
  /** Status actions to cycle through, e.g. request_info then resume. */
  statusCycle: { action: string; comment?: string }[];
  /** `--trace-tail`: also return each measured message's send time on the machine's clock. */
  trace?: boolean;
}

interface AckResult {
  ok: boolean;
  data?: unknown;
  error?: { code: string; message: string };
}

interface Client {
  socket: Socket;
  room: number;
  idx: number;
  statusSeen: number;
}
interface Room {
  spec: ChatRoomSpec;
  statusSentAt: number[];
  clients: Client[];
}

let cfg: Init;
let rooms: Room[] = [];
let clients: Client[] = [];
const sentAt = new Map<string, number>();
let chatLat: number[] = [];
/** With `trace`: when each latency of chatLat was sent (performance.timeOrigin + now, ms). */
let chatSentAt: number[] = [];
let ackLat: number[] = [];
let statusLat: number[] = [];
let received = 0;
let statusReceived = 0;
let ackErrors: Record<string, number> = {};
let lastReceiptAt = 0;
let disconnects = 0;
/** Latencies are kept for what was sent from this instant on (after the warm-up). */
let measureFrom = Infinity;
/** Runs made by this worker (client ids differ between runs). */
let runNo = 0;
/** Per room, the status changes accepted so far: where its cycle stands. */
const cycleDone = new Map<string, number>();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function emitAck(socket: Socket, event: string, payload: unknown, timeoutMs = 10_000): Promise<AckResult> {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, res: AckResult) => {
      resolve(err ? { ok: false, error: { code: 'TIMEOUT', message: err.message } } : res);
    });
  });
}

function noteError(code: string): void {
  ackErrors[code] = (ackErrors[code] ?? 0) + 1;
}

serveIpc({
  init(a: Init) {
    cfg = a;
    rooms = a.rooms.map((spec) => ({ spec, statusSentAt: [], clients: [] }));
    return { clients: a.rooms.reduce((s, r) => s + r.clients.length, 0) };
  },

  async connect() {
    const t0 = performance.now();
    const errors: string[] = [];
    const all = rooms.flatMap((room, r) => room.spec.clients.map((headers, idx) => ({ room, r, headers, idx })));
    let failed = 0;
    await pool(all, 32, async ({ room, r, headers, idx }) => {
      const socket = io(cfg.url, { path: '/socket.io/', transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true });
      const client: Client = { socket, room: r, idx, statusSeen: 0 };
      try {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => {
            reject(new Error('connect timeout'));
          }, 15_000);
          socket.once('connect', () => {
            clearTimeout(t);
            resolve();
          });
          socket.once('connect_error', (e) => {
            clearTimeout(t);
            reject(e);
          });
        });
        const joined = await emitAck(socket, 'room:join', { appealId: room.spec.appealId });
        if (!joined.ok) throw new Error(`room:join ${joined.error?.code ?? ''} ${joined.error?.message ?? ''}`);
      } catch (e) {
        failed++;
        if (errors.length < 5) errors.push(errText(e));
        socket.close();
        return;
      }
      socket.on('chat:message', (m: { clientId: string }) => {
        const s = sentAt.get(m.clientId);
        if (s === undefined) return;
        const now = performance.now();
        if (s >= measureFrom) {
          chatLat.push(now - s);
          if (cfg.trace) chatSentAt.push(performance.timeOrigin + s);
        }
        received++;
        lastReceiptAt = now;
      });
      socket.on('status:changed', () => {
        const sent = room.statusSentAt[client.statusSeen++];
        if (sent === undefined) return;
        if (sent >= measureFrom) statusLat.push(performance.now() - sent);
        statusReceived++;
      });
      socket.on('disconnect', () => {
        disconnects++;
      });
      room.clients.push(client);
      clients.push(client);
    });
    return { ms: performance.now() - t0, failed, errors };
  },

  async run() {
    // A second run on the same rooms (the notification phase) needs fresh client ids: the server answers a repeated id with the stored message, unsent.
    runNo++;
    chatLat = [];
    chatSentAt = [];
    ackLat = [];
    statusLat = [];
    received = 0;
    statusReceived = 0;
    ackErrors = {};
    disconnects = 0;
    const count = Math.ceil((cfg.rate * (cfg.warmupMs + cfg.durationMs)) / 1000);
    const statusCount = Math.ceil((cfg.statusPerSec * (cfg.warmupMs + cfg.durationMs)) / 1000);
    const period = 1000 / cfg.rate;
    const statusPeriod = 1000 / cfg.statusPerSec;
    let sent = 0;
    let acked = 0;
    let statusSent = 0;
    let statusAcked = 0;
    let expected = 0;
    let statusExpected = 0;
    const elu = monitorEventLoopDelay({ resolution: 10 });
    elu.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    measureFrom = t0 + cfg.warmupMs;
    const deadline = t0 + cfg.warmupMs + cfg.durationMs + 2 * period;
    const chatLoops = clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          const room = rooms[c.room]!;
          let n = 0;
          setTimeout(() => {
            const tick = (): void => {
              const now = performance.now();
              if (n >= count || now > deadline || !c.socket.connected) {
                clearInterval(timer);
                resolve();
                return;
              }
              const clientId = `bench-w${cfg.worker}-r${c.room}-c${c.idx}-run${runNo}-m${n}`;
              n++;
              sentAt.set(clientId, now);
              sent++;
              void emitAck(c.socket, 'chat:send', { appealId: room.spec.appealId, clientId, text: `сообщение ${clientId}` }).then((res) => {
                if (res.ok) {
                  acked++;
                  expected += room.clients.length - 1;
                  if (now >= measureFrom) ackLat.push(performance.now() - now);
                } else {
                  noteError(res.error?.code ?? 'UNKNOWN');
                  sentAt.delete(clientId);
                }
              });
            };
            const timer = setInterval(tick, period);
            tick();
          }, Math.random() * period);
        }),
    );
    const statusLoops = rooms.map(
      (room) =>
        new Promise<void>((resolve) => {
          const c = room.clients.find((x) => x.idx === room.spec.statusClient);
          if (!c || statusCount === 0) {
            resolve();
            return;
          }
          let n = 0;
          let busy = false;
          setTimeout(() => {
            const tick = (): void => {
              const now = performance.now();
              if (n >= statusCount || now > deadline || !c.socket.connected) {
                clearInterval(timer);
                resolve();
                return;
              }
              if (busy) return;
              busy = true;
              // The cycle goes on where the room's last accepted change left it (a later run on the same rooms).
              const done = cycleDone.get(room.spec.appealId) ?? 0;
              const step = cfg.statusCycle[done % cfg.statusCycle.length]!;
              n++;
              room.statusSentAt.push(now);
              statusSent++;
              void emitAck(c.socket, 'status:change', { appealId: room.spec.appealId, ...step }).then((res) => {
                busy = false;
                if (res.ok) {
                  cycleDone.set(room.spec.appealId, done + 1);
                  statusAcked++;
                  statusExpected += room.clients.length;
                } else {
                  noteError(`status:${res.error?.code ?? 'UNKNOWN'}`);
                  room.statusSentAt.pop();
                }
              });
            };
            const timer = setInterval(tick, statusPeriod);
            tick();
          }, Math.random() * statusPeriod);
        }),
    );
    await Promise.all([...chatLoops, ...statusLoops]);
    const sendEnd = performance.now();
    while (
      (acked + Object.values(ackErrors).reduce((s, v) => s + v, 0) < sent || received < expected || statusReceived < statusExpected) &&
      performance.now() - Math.max(sendEnd, lastReceiptAt) < 3000 &&
      performance.now() - sendEnd < 10_000
    )
      await sleep(50);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    elu.disable();
    return {
      chatLat: Float64Array.from(chatLat),
      chatSentAt: Float64Array.from(chatSentAt),
      ackLat: Float64Array.from(ackLat),
      statusLat: Float64Array.from(statusLat),
      sent,
      acked,
      expected,
      received,
      statusSent,
      statusAcked,
      statusExpected,
      statusReceived,
      ackErrors,
      disconnects,
      sendMs: sendEnd - t0,
      wallMs: wall,
      cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
      loopDelayP99Ms: Math.max(0, elu.percentile(99) / 1e6 - 10) /* minus the 10 ms sampling period */,
    };
  },

  closeAll() {
    for (const c of clients) c.socket.close();
    clients = [];
    return null;
  },
});
