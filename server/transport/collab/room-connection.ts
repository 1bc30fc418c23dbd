/**
 * One WebSocket in a description room: the y-protocols sync and awareness
 * message loop. Every frame is decoded with the bounded reader; anything
 * malformed, oversized, not allowed (an update from a read-only participant)
 * or too frequent closes the connection with a shared close code, and never
 * reaches the document. A connection's limits count only what it says itself:
 * the peers' carets a client echoes back are paid for by what the server sent
 * it (echo-allowance.ts), so no one is closed because of what others do.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../../shared/protocol/close-codes.js';
import { BoundedReader, UpdateRejected } from '../../domain/description/update-validation.js';
import type { Viewer } from '../../domain/viewer.js';
import type { Logger } from '../../lib/logger.js';
import { ownEntry, readAwareness, type PeerIdentity } from './awareness-guard.js';
import type { CollabRoom } from './collab-room.js';
import { EchoAllowance } from './echo-allowance.js';
import { MESSAGE, SYNC, syncStep1Message, syncStep2Message } from './protocol.js';
import type { RefusalLog, RefusalLogOptions } from './refusal-log.js';
import { TokenBucket } from '../../lib/token-bucket.js';

export interface ConnectionOptions {
  /** Sync messages (updates, step 2 and step 1 requests) per second and burst, per connection. */
  updateRate: [number, number];
  /**
   * Awareness messages carrying the connection's own entry, per second and
   * burst. Also the spare allowance, in entries, for entries of others beyond
   * what the server sent the connection (see EchoAllowance).
   */
  awarenessRate: [number, number];
  /** After sending a close frame, the socket is cut this long later if the peer does not answer. */
  closeGraceMs: number;
  /**
   * A connection's own awareness change is echoed back to it only when the
   * server has sent it nothing for this long: the echo exists to feed the
   * client's idle watchdog (y-websocket reconnects after 30 s of silence), and
   * a connection that receives traffic does not need it.
   */
  echoAfterIdleMs: number;
  /** How many warning lines refused frames may write (the endpoint's, shared by its connections). */
  refusalLog: RefusalLogOptions;
}

export class RoomConnection {
  awarenessId: number | null = null;
  isClosed = false;
  private isStarted = false;
  private readonly early: Uint8Array[] = [];
  private readonly updates: TokenBucket;
  private readonly carets: TokenBucket;
  private readonly echoes: EchoAllowance;
  private isCorked = false;
  /** A connection reports one refusal (the one that closed it). */
  private hasReported = false;
  /** When the server last sent this connection a frame (`performance.now()`). */
  private lastSentAt = 0;

  constructor(
    private readonly ws: WebSocket,
    /** The socket under `ws` (ours since the upgrade): corked while a turn's messages are queued. */
    private readonly socket: Duplex,
    private readonly room: CollabRoom,
    readonly viewer: Viewer,
    readonly identity: PeerIdentity,
    /** False for a silent observer; re-checked when access changes. */
    public canWrite: boolean,
    private readonly options: ConnectionOptions,
    private readonly logger: Logger,
    private readonly refusals: RefusalLog,
    private readonly onClosed: (conn: RoomConnection) => void,
  ) {
    this.updates = new TokenBucket(...options.updateRate);
    this.carets = new TokenBucket(...options.awarenessRate);
    this.echoes = new EchoAllowance(options.awarenessRate);
  }

  /** The document is loaded: greet with our state vector and the room's awareness, then handle what arrived meanwhile. */
  start(stateVector: Uint8Array): void {
    if (this.isClosed) return;
    this.isStarted = true;
    this.send(syncStep1Message(stateVector));
    this.room.sendPresenceSnapshot(this);
    for (const m of this.early.splice(0)) this.receive(m);
  }

  receive(data: Uint8Array): void {
    if (this.isClosed) return;
    if (!this.isStarted) {
      if (this.early.length >= 16) this.refuse(CLOSE_CODES.RATE_LIMITED, 'too many messages before sync');
      else this.early.push(data);
      return;
    }
    try {
      this.dispatch(data);
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Queues a frame. Frames sent in the same run of the event loop (an update
   * relayed at its commit and the caret that followed it, say) leave in one
   * write: the socket is corked at the first and uncorked once the current
   * microtasks have run.
   */
  send(message: Uint8Array): void {
    if (this.isClosed || this.ws.readyState !== this.ws.OPEN) return;
    this.lastSentAt = performance.now();
    if (!this.isCorked) {
      this.isCorked = true;
      this.socket.cork();
      queueMicrotask(this.uncork);
    }
    this.ws.send(message);
  }

  /** Sends an awareness message with `entries` entries of others, which the client may echo back for free. */
  sendPresence(message: Uint8Array, entries: number): void {
    this.echoes.credit(entries);
    this.send(message);
  }

  /** Whether its own awareness change should come back to it (see `echoAfterIdleMs`). */
  wantsEcho(): boolean {
    return performance.now() - this.lastSentAt >= this.options.echoAfterIdleMs;
  }

  private readonly uncork = (): void => {
    this.isCorked = false;
    this.socket.uncork();
  };

  /** Closes with a code; the connection leaves the room at once, the socket within closeGraceMs. */
  close(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClosed(this);
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
    setTimeout(() => {
      this.ws.terminate();
    }, this.options.closeGraceMs).unref();
  }

  private dispatch(data: Uint8Array): void {
    const r = new BoundedReader(data);
    const type = r.varUint();
    switch (type) {
      case MESSAGE.sync: {
        const sub = r.varUint();
        const payload = r.bytes();
        if (r.remaining !== 0) throw new UpdateRejected('trailing bytes');
        if (sub === SYNC.step1) this.answerStep1(payload);
        else if (sub === SYNC.step2 || sub === SYNC.update) this.receiveUpdate(payload);
        else throw new UpdateRejected('unknown sync message');
        return;
      }
      case MESSAGE.awareness: {
        const payload = r.bytes();
        if (r.remaining !== 0) throw new UpdateRejected('trailing bytes');
        this.receiveAwareness(payload);
        return;
      }
      case MESSAGE.queryAwareness: {
        // The query is the type alone; anything after it is a malformed frame, as for the others.
        if (r.remaining !== 0) throw new UpdateRejected('trailing bytes');
        this.room.sendPresenceSnapshot(this);
        return;
      }
      default:
        throw new UpdateRejected('unknown message type');
    }
  }

  /** Counted with the updates: each answer encodes the document's difference, so a flood of them would cost far more than it. */
  private answerStep1(stateVector: Uint8Array): void {
    if (!this.updates.take()) {
      this.refuse(CLOSE_CODES.RATE_LIMITED, 'too many sync messages');
      return;
    }
    const description = this.room.description;
    if (!description) return;
    description.diff(stateVector).then(
      (update) => {
        this.send(syncStep2Message(update));
      },
      (err: unknown) => {
        this.fail(err);
      },
    );
  }

  /** Submitted at once (the connection only reads once the document is loaded), so a caret right behind it waits for it. */
  private receiveUpdate(update: Uint8Array): void {
    if (!this.updates.take()) {
      this.refuse(CLOSE_CODES.RATE_LIMITED, 'too many updates');
      return;
    }
    const description = this.room.description;
    if (!description) return;
    const summary = description.inspect(update);
    description.submitFrom({ userId: this.viewer.id, canWrite: this.canWrite }, update, summary, this).catch((err: unknown) => {
      this.fail(err);
    });
  }

  /**
   * Only what the connection says about its own clientID counts against its
   * caret limit; entries of others (y-websocket echoes every change it
   * receives) are dropped and paid for by what the server sent it.
   */
  private receiveAwareness(payload: Uint8Array): void {
    const { own, others } = readAwareness(payload, this, (id) => this.room.isAwarenessIdFree(id, this));
    if (others > 0 && !this.echoes.spend(others)) {
      this.refuse(CLOSE_CODES.RATE_LIMITED, 'too many awareness entries of others');
      return;
    }
    if (!own) return;
    if (!this.carets.take()) {
      this.refuse(CLOSE_CODES.RATE_LIMITED, 'too many awareness messages');
      return;
    }
    const entry = ownEntry(own, this.identity);
    if (entry) this.room.publish(entry, this);
  }

  private fail(err: unknown): void {
    if (err instanceof UpdateRejected) {
      this.refuse(CLOSE_CODES.BAD_MESSAGE, err.reason);
      return;
    }
    this.logger.error('yjs message failed', { appealId: this.room.appealId, error: String(err) });
    this.close(1011, 'internal error');
  }

  /** Closes for a refused frame; the warning line goes through the endpoint's rate-limited log, once per connection. */
  private refuse(code: number, reason: string): void {
    const short = reason.slice(0, 100);
    if (!this.hasReported) {
      this.hasReported = true;
      this.refusals.note(this.viewer.id, short, { appealId: this.room.appealId, userId: this.viewer.id, code });
    }
    this.close(code, short);
  }
}
