/**
 * The wire side of the simulated Yjs clients: pre-encoded frames of the
 * y-websocket protocol (sync + awareness), Hocuspocus's framing of the same
 * messages (every message starts with the document name, and an auth message
 * comes first), and a bare client that decodes incoming messages only as far
 * as it needs to (message type, sync type, the update's client/clock range).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import WebSocket from 'ws';

/** y-websocket: our server and the reference; hocuspocus: its own framing; relay: bytes only, no server document. */
export type Dialect = 'y-websocket' | 'hocuspocus' | 'relay';

const MSG_SYNC = 0;
const MSG_AWARENESS = 1;
const MSG_AUTH = 2;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;
const EMPTY_UPDATE = Uint8Array.of(0, 0);
const EMPTY_STATE_VECTOR = Uint8Array.of(0);

function frame(dialect: Dialect, doc: string, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  if (dialect === 'hocuspocus') encoding.writeVarString(e, doc);
  write(e);
  return encoding.toUint8Array(e);
}

export const updateFrame = (d: Dialect, doc: string, update: Uint8Array): Uint8Array =>
  frame(d, doc, (e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    syncProtocol.writeUpdate(e, update);
  });

export const step1Frame = (d: Dialect, doc: string, stateVector: Uint8Array = EMPTY_STATE_VECTOR): Uint8Array =>
  frame(d, doc, (e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    encoding.writeVarUint(e, SYNC_STEP1);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const emptyStep2Frame = (d: Dialect, doc: string): Uint8Array =>
  frame(d, doc, (e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    encoding.writeVarUint(e, SYNC_STEP2);
    encoding.writeVarUint8Array(e, EMPTY_UPDATE);
  });

/** One awareness entry (the caret), encoded by hand as y-protocols/awareness does. */
export function awarenessFrame(d: Dialect, doc: string, clientId: number, clock: number, state: unknown): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify(state));
  return frame(d, doc, (e) => {
    encoding.writeVarUint(e, MSG_AWARENESS);
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
  });
}

/** Hocuspocus: the token message that opens a document on the connection. */
export const authFrame = (doc: string, token = 'bench'): Uint8Array =>
  frame('hocuspocus', doc, (e) => {
    encoding.writeVarUint(e, MSG_AUTH);
    encoding.writeVarUint(e, 0);
    encoding.writeVarString(e, token);
  });

export type Incoming =
  { kind: 'step1' } | { kind: 'step2'; payload: Uint8Array } | { kind: 'update'; payload: Uint8Array } | { kind: 'awareness' } | { kind: 'other' };

/** Decodes just the headers of an incoming message. */
export function parseIncoming(d: Dialect, data: Uint8Array): Incoming {
  const dec = decoding.createDecoder(data);
  if (d === 'hocuspocus') decoding.readVarString(dec);
  const type = decoding.readVarUint(dec);
  if (type === MSG_AWARENESS) return { kind: 'awareness' };
  if (type !== MSG_SYNC) return { kind: 'other' };
  const sub = decoding.readVarUint(dec);
  if (sub === SYNC_STEP1) return { kind: 'step1' };
  const payload = decoding.readVarUint8Array(dec);
  return sub === SYNC_STEP2 ? { kind: 'step2', payload } : sub === SYNC_UPDATE ? { kind: 'update', payload } : { kind: 'other' };
}

export interface ClientTarget {
  dialect: Dialect;
  url: string;
  doc: string;
  headers: Record<string, string>;
}

export interface BareClientHooks {
  onUpdate?(payload: Uint8Array, at: number): void;
  onAwareness?(): void;
  onClose?(code: number, reason: string): void;
}

/**
 * A simulated client without a document: sends pre-encoded frames, answers the
 * server's sync step 1 with an empty step 2, reports updates to `onUpdate`.
 * With `fullDoc`, it keeps a real Y.Doc and applies every sync message to it.
 */
export class BareClient {
  ws: WebSocket | null = null;
  synced = false;
  syncedPayloadBytes = 0;
  private syncWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(
    readonly t: ClientTarget,
    readonly hooks: BareClientHooks = {},
    readonly fullDoc: Y.Doc | null = null,
  ) {}

  /** Opens the socket and resolves when synced (step 2 received; on open for the relay). */
  connect(timeoutMs = 30_000): Promise<void> {
    this.synced = false;
    const ws = new WebSocket(this.t.url, { headers: this.t.headers, perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    this.ws = ws;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`sync timeout ${this.t.doc}`));
      }, timeoutMs);
      this.syncWaiters.push({
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
    ws.on('open', () => {
      if (this.t.dialect === 'hocuspocus') ws.send(authFrame(this.t.doc));
      if (this.t.dialect === 'relay') {
        this.markSynced();
        return;
      }
      const sv = this.fullDoc ? Y.encodeStateVector(this.fullDoc) : undefined;
      ws.send(step1Frame(this.t.dialect, this.t.doc, sv));
    });
    ws.on('message', (data: Buffer) => {
      this.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    // Events of a socket this client has already replaced (terminate + connect) are ignored.
    ws.on('unexpected-response', (_req, res) => {
      if (this.ws === ws) this.fail(new Error(`HTTP ${res.statusCode} on upgrade`));
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (this.ws === ws) this.fail(err);
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.fail(new Error(`closed ${code} ${reason.toString()}`));
      this.hooks.onClose?.(code, reason.toString());
    });
    return done;
  }

  private fail(err: Error): void {
    for (const w of this.syncWaiters.splice(0)) w.reject(err);
  }

  private markSynced(): void {
    this.synced = true;
    for (const w of this.syncWaiters.splice(0)) w.resolve();
  }

  private receive(data: Uint8Array): void {
    const at = performance.now();
    if (this.fullDoc) {
      this.receiveFull(data);
      return;
    }
    const m = parseIncoming(this.t.dialect, data);
    switch (m.kind) {
      case 'step1':
        if (this.t.dialect !== 'relay') this.send(emptyStep2Frame(this.t.dialect, this.t.doc));
        return;
      case 'step2':
        if (this.t.dialect === 'relay') return;
        this.syncedPayloadBytes = m.payload.length;
        this.markSynced();
        return;
      case 'update':
        this.hooks.onUpdate?.(m.payload, at);
        return;
      case 'awareness':
        this.hooks.onAwareness?.();
        return;
      case 'other':
        return;
    }
  }

  private receiveFull(data: Uint8Array): void {
    const doc = this.fullDoc!;
    const dec = decoding.createDecoder(data);
    if (this.t.dialect === 'hocuspocus') decoding.readVarString(dec);
    const type = decoding.readVarUint(dec);
    if (type !== MSG_SYNC) return;
    const reply = encoding.createEncoder();
    if (this.t.dialect === 'hocuspocus') encoding.writeVarString(reply, this.t.doc);
    encoding.writeVarUint(reply, MSG_SYNC);
    const head = encoding.length(reply);
    const sub = syncProtocol.readSyncMessage(dec, reply, doc, this);
    if (encoding.length(reply) > head && this.t.dialect !== 'relay') this.send(encoding.toUint8Array(reply));
    if (sub === SYNC_STEP2) {
      this.syncedPayloadBytes = data.length;
      this.markSynced();
    }
  }

  send(frameBytes: Uint8Array): boolean {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(frameBytes);
    return true;
  }

  /** Drops the connection at once (no close handshake). */
  terminate(): void {
    const ws = this.ws;
    this.ws = null;
    this.synced = false;
    ws?.terminate();
  }

  /** Closes politely and resolves when the socket is closed. */
  close(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    this.synced = false;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 3000);
      ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      ws.close(1000);
    });
  }
}

/** Runs `fn` over `items` with at most `n` at a time. */
export async function pool<T, R>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}
