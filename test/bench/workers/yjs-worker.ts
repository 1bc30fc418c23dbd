/**
 * Load generator for the Yjs workloads (co-editing, reconnect storm, idle
 * rooms, cold load). One process holds whole rooms, so a sender and its peers
 * share one clock. Typists send PRE-ENCODED updates (each ~30 bytes: a
 * 16-character insert into the typist's own paragraph) plus a caret
 * (awareness) update per keystroke; receivers read only the update's client
 * and clock range (Y.parseUpdateMeta) to find the keystroke and its send time.
 * A few rooms also hold a full Y.Doc observer that checks convergence.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { serveIpc } from '../proc.js';
import { awarenessFrame, BareClient, pool, updateFrame, type ClientTarget, type Dialect } from '../yproto.js';

/** Characters per keystroke update (gives ~30-byte updates). */
const L = 16;

interface RoomSpec {
  doc: string;
  url: string;
  /** One entry per typist: its headers (cookie, origin). */
  typists: Record<string, string>[];
  /** Headers of the full-document observer, when this room has one. */
  observer?: Record<string, string>;
}

interface CoeditInit {
  dialect: Dialect;
  worker: number;
  rooms: RoomSpec[];
  rate: number;
  durationMs: number;
  /** The same load before the measured time (JIT, caches, first versions); its latencies are kept apart. */
  warmupMs: number;
  /** `--trace-tail`: also return each measured latency's send time on the machine's clock. */
  trace?: boolean;
}

interface Typist {
  client: BareClient;
  clientId: number;
  room: number;
  /** Clock after the setup update (paragraph creation); keystroke k covers [S + kL, S + (k+1)L). */
  start: number;
  setup: Uint8Array;
  frames: Uint8Array[];
  carets: Uint8Array[];
  text: string[];
  sentAt: Float64Array;
  sent: number;
  /** Per sender clientId: which keystrokes this client has received. */
  got: Map<number, Uint8Array>;
}

let dialect: Dialect = 'y-websocket';
let typists: Typist[] = [];
let byClientId = new Map<number, Typist>();
let observers: { room: number; client: BareClient; doc: Y.Doc; target: ClientTarget }[] = [];
let rooms: RoomSpec[] = [];
let rate = 5;
let durationMs = 20_000;
let warmupMs = 0;
let latencies: number[] = [];
/** `--trace-tail`: when each latency of `latencies` was sent (performance.timeOrigin + now, ms); null when not tracing. */
let latencySentAt: number[] | null = null;
let warmupLatencies: number[] = [];
/** Latencies of what was sent from this instant on count; earlier ones are the warm-up's. */
let measureFrom = Infinity;
let received = 0;
let awarenessReceived = 0;
let closes: string[] = [];
let errors: string[] = [];
let lastReceiptAt = 0;

function onUpdate(self: Typist, payload: Uint8Array, at: number): void {
  const meta = Y.parseUpdateMeta(payload);
  for (const [client, from] of meta.from) {
    const sender = byClientId.get(client);
    if (!sender || sender === self) continue;
    const to = meta.to.get(client) ?? from;
    let k = Math.max(0, Math.ceil((from - sender.start) / L));
    let seen = self.got.get(client);
    if (!seen) {
      seen = new Uint8Array(sender.frames.length);
      self.got.set(client, seen);
    }
    for (; sender.start + k * L < to && k < sender.frames.length; k++) {
      const sentAt = sender.sentAt[k]!;
      if (sentAt === 0 || seen[k]) continue;
      seen[k] = 1;
      received++;
      if (sentAt >= measureFrom) {
        latencies.push(at - sentAt);
        latencySentAt?.push(performance.timeOrigin + sentAt);
      } else {
        warmupLatencies.push(at - sentAt);
      }
      lastReceiptAt = at;
    }
  }
}

function makeTypist(spec: RoomSpec, roomIdx: number, headers: Record<string, string>, clientId: number, count: number): Typist {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => {
    updates.push(u);
  });
  const p = new Y.XmlElement('paragraph');
  const t = new Y.XmlText();
  p.insert(0, [t]);
  doc.getXmlFragment('default').insert(0, [p]);
  const start = Y.getState(doc.store, clientId);
  const text: string[] = [];
  for (let k = 0; k < count; k++) {
    const chunk = `c${clientId.toString(36)}k${k.toString(36)}`.padEnd(L, '.').slice(0, L);
    t.insert(k * L, chunk);
    text.push(chunk);
  }
  doc.destroy();
  const target: ClientTarget = { dialect, url: spec.url, doc: spec.doc, headers };
  const frames = updates.slice(1).map((u) => updateFrame(dialect, spec.doc, u));
  const carets = text.map((_, k) =>
    awarenessFrame(dialect, spec.doc, clientId, k + 1, {
      user: { name: `bench ${clientId}` },
      cursor: { anchor: (k + 1) * L, head: (k + 1) * L },
    }),
  );
  const typist: Typist = {
    client: null as unknown as BareClient,
    clientId,
    room: roomIdx,
    start,
    setup: updateFrame(dialect, spec.doc, updates[0]!),
    frames,
    carets,
    text,
    sentAt: new Float64Array(count),
    sent: 0,
    got: new Map(),
  };
  typist.client = new BareClient(target, {
    onUpdate: (payload, at) => {
      onUpdate(typist, payload, at);
    },
    onAwareness: () => {
      awarenessReceived++;
    },
    onClose: (code, reason) => {
      closes.push(`${code} ${reason}`);
    },
  });
  return typist;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function connectAll(list: BareClient[], concurrency: number): Promise<number> {
  let failed = 0;
  await pool(list, concurrency, async (c) => {
    try {
      await c.connect();
    } catch (e) {
      failed++;
      if (errors.length < 20) errors.push(errText(e));
    }
  });
  return failed;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- idle rooms (memory) ----
let idleClients: BareClient[] = [];

// ---- the commands ----
serveIpc({
  /** Pre-encodes every update of the run. */
  init(a: CoeditInit) {
    const t0 = performance.now();
    dialect = a.dialect;
    rooms = a.rooms;
    rate = a.rate;
    durationMs = a.durationMs;
    warmupMs = a.warmupMs;
    latencySentAt = a.trace ? [] : null;
    const count = Math.ceil((rate * (warmupMs + durationMs)) / 1000);
    typists = [];
    observers = [];
    a.rooms.forEach((spec, r) => {
      spec.typists.forEach((h, i) => {
        typists.push(makeTypist(spec, r, h, (a.worker + 1) * 1_000_000 + r * 10 + i + 1, count));
      });
      if (spec.observer) {
        const doc = new Y.Doc();
        const target: ClientTarget = { dialect, url: spec.url, doc: spec.doc, headers: spec.observer };
        observers.push({ room: r, client: new BareClient(target, {}, doc), doc, target });
      }
    });
    byClientId = new Map(typists.map((t) => [t.clientId, t]));
    return { typists: typists.length, updateBytes: typists[0]?.frames[0]?.length ?? 0, pregenMs: performance.now() - t0 };
  },

  /** Connects everyone, sends each typist's paragraph, waits until the peers have it. */
  async connect() {
    errors = [];
    closes = [];
    const t0 = performance.now();
    const failed = await connectAll([...typists.map((t) => t.client), ...observers.map((o) => o.client)], 32);
    for (const t of typists) t.client.send(t.setup);
    await sleep(300);
    return { ms: performance.now() - t0, failed, errors: errors.slice(0, 5) };
  },

  /** The timed run; returns raw latencies and counts. */
  async run() {
    latencies = [];
    if (latencySentAt) latencySentAt = [];
    warmupLatencies = [];
    received = 0;
    awarenessReceived = 0;
    const count = typists[0]?.frames.length ?? 0;
    const period = 1000 / rate;
    const elu = monitorEventLoopDelay({ resolution: 10 });
    elu.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    measureFrom = t0 + warmupMs;
    const deadline = t0 + warmupMs + durationMs + 2 * period;
    await Promise.all(
      typists.map(
        (t) =>
          new Promise<void>((resolve) => {
            const offset = Math.random() * period;
            setTimeout(() => {
              const tick = (): void => {
                const now = performance.now();
                if (t.sent >= count || now > deadline) {
                  clearInterval(timer);
                  resolve();
                  return;
                }
                const k = t.sent;
                t.sentAt[k] = now;
                if (!t.client.send(t.frames[k]!)) {
                  t.sentAt[k] = 0;
                  clearInterval(timer);
                  resolve();
                  return;
                }
                t.client.send(t.carets[k]!);
                t.sent++;
              };
              const timer = setInterval(tick, period);
              tick();
            }, offset);
          }),
      ),
    );
    const sendEnd = performance.now();
    const peersOf = (t: Typist): number => rooms[t.room]!.typists.length - 1;
    const expected = typists.reduce((s, t) => s + t.sent * peersOf(t), 0);
    // Drain: until everything arrived, or 3 s without progress (bounded at 10 s).
    while (received < expected && performance.now() - Math.max(sendEnd, lastReceiptAt) < 3000 && performance.now() - sendEnd < 10_000) await sleep(50);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    elu.disable();
    const sent = typists.reduce((s, t) => s + t.sent, 0);
    return {
      latencies: Float64Array.from(latencies),
      latencySentAt: latencySentAt ? Float64Array.from(latencySentAt) : null,
      warmupLatencies: Float64Array.from(warmupLatencies),
      sent,
      expected,
      received,
      awarenessSent: sent,
      awarenessReceived,
      sendMs: sendEnd - t0,
      wallMs: wall,
      cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
      loopDelayP99Ms: Math.max(0, elu.percentile(99) / 1e6 - 10) /* minus the 10 ms sampling period */,
      closes: closes.slice(0, 5),
      closeCount: closes.length,
    };
  },

  /** Observers' documents against what was typed, and against a late joiner's copy. */
  async converge() {
    let ok = 0;
    const problems: string[] = [];
    for (const o of observers) {
      const observed = o.doc.getXmlFragment('default').toJSON();
      const mine = typists.filter((t) => t.room === o.room);
      const missing = mine.filter((t) => !observed.includes(`<paragraph>${t.text.slice(0, t.sent).join('')}</paragraph>`));
      const late = new Y.Doc();
      const c = new BareClient({ ...o.target }, {}, late);
      let lateText = '';
      try {
        await c.connect();
        await sleep(100);
        lateText = late.getXmlFragment('default').toJSON();
      } catch (e) {
        problems.push(`late joiner: ${errText(e)}`);
      }
      await c.close();
      if (dialect === 'relay') {
        if (missing.length === 0) ok++;
        else problems.push(`${o.target.doc}: ${missing.length} typists incomplete`);
      } else if (missing.length === 0 && lateText === observed) ok++;
      else problems.push(`${o.target.doc}: ${missing.length} typists incomplete, late joiner ${lateText === observed ? 'equal' : 'differs'}`);
    }
    return { checked: observers.length, converged: ok, problems: problems.slice(0, 5) };
  },

  /** Drops every typist at once and reconnects them all; time until all synced again. */
  async storm() {
    errors = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const t of typists) t.client.terminate();
    const failed = await connectAll(
      typists.map((t) => t.client),
      typists.length,
    );
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const resynced = typists.filter((t) => t.client.synced).length;
    return { ms, failed, resynced, total: typists.length, errors: errors.slice(0, 5), cpuPct: ((cpu.user + cpu.system) / 1000 / ms) * 100 };
  },

  async closeAll() {
    await Promise.all([...typists.map((t) => t.client.close()), ...observers.map((o) => o.client.close())]);
    return null;
  },

  /** Idle rooms: one client per room, one small update each, synced; stays open. */
  async joinRooms(a: { dialect: Dialect; targets: { url: string; doc: string; headers: Record<string, string> }[]; worker: number }) {
    errors = [];
    const t0 = performance.now();
    idleClients = [];
    let failed = 0;
    await pool(a.targets, 32, async (t, i) => {
      const doc = new Y.Doc();
      doc.clientID = 500_000_000 + a.worker * 100_000 + i;
      let first: Uint8Array | null = null;
      doc.on('update', (u: Uint8Array) => {
        first ??= u;
      });
      const p = new Y.XmlElement('paragraph');
      const text = new Y.XmlText();
      p.insert(0, [text]);
      text.insert(0, 'idle room text');
      doc.getXmlFragment('default').insert(0, [p]);
      const c = new BareClient({ dialect: a.dialect, ...t });
      try {
        await c.connect();
        c.send(updateFrame(a.dialect, t.doc, first!));
        idleClients.push(c);
      } catch (e) {
        failed++;
        if (errors.length < 20) errors.push(errText(e));
      }
    });
    await sleep(500);
    return { ms: performance.now() - t0, failed, errors: errors.slice(0, 5) };
  },

  async leaveRooms() {
    const t0 = performance.now();
    await pool(idleClients, 64, (c) => c.close());
    idleClients = [];
    return { ms: performance.now() - t0 };
  },

  /** Cold load: n clients open the same stored document at once; ms from socket creation to synced. */
  async coldOpen(a: { dialect: Dialect; url: string; doc: string; headers: Record<string, string>; n: number }) {
    errors = [];
    const clients = Array.from({ length: a.n }, () => new BareClient({ dialect: a.dialect, url: a.url, doc: a.doc, headers: a.headers }));
    const times: number[] = [];
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        const s = performance.now();
        try {
          await c.connect(60_000);
          times.push(performance.now() - s);
        } catch (e) {
          failed++;
          if (errors.length < 5) errors.push(errText(e));
        }
      }),
    );
    const allMs = performance.now() - t0;
    const bytes = clients[0]?.syncedPayloadBytes ?? 0;
    await Promise.all(clients.map((c) => c.close()));
    return { times, allMs, failed, bytes, errors };
  },
});
