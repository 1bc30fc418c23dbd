/**
 * One joined room on the shared socket: joins, listens to the room's pushes,
 * and after every reconnect catches up by sequence (docs/realtime-cluster.md, "Recovery
 * protocol"): `room:sync` when socket.io recovered the session, otherwise
 * `room:join` with `since`. It remembers the highest chat and history seq it has
 * delivered; receivers still merge by seq because live events may overlap with
 * a catch-up.
 */
import type { AttachmentSummary, ChatMessage, HistoryEntry, PresencePerson, RoomJoined, ServerToClientEvents } from '../../../../shared/protocol/events';
import type { Status } from '../../../../shared/status-machine';
import { isApiError } from '../api';
import { request, type RealtimeSocket } from './socket';

/** What a room channel reports to its owner. */
export interface RoomHandlers {
  /** After the first join and after every re-join (presence, rights, read marks may have changed). */
  onJoined(joined: RoomJoined, isRejoin: boolean): void;
  onMessages(messages: ChatMessage[]): void;
  onHistory(entries: HistoryEntry[]): void;
  onStatus(p: { status: Status; version: number; entry: HistoryEntry }): void;
  onPresence(people: PresencePerson[]): void;
  onTyping(p: { userId: string; name: string; isTyping: boolean }): void;
  onRead(p: { userId: string; seq: number }): void;
  onAttachment(p: { kind: 'added' | 'version' | 'restored'; attachment: AttachmentSummary }): void;
  onVersions(): void;
  /** The appeal's assignee or experts changed (`appeal:updated`): read the appeal again, its actions with it. */
  onAppealUpdated?(): void;
  /** Access is gone: a room:revoked push, or a catch-up refused with NOT_FOUND; no catch-up follows. */
  onRevoked(): void;
  onError(e: unknown): void;
}

export class RoomChannel {
  #lastChatSeq = 0;
  #lastHistorySeq = 0;
  #isJoined = false;
  #isClosed = false;
  readonly #offs: (() => void)[] = [];

  constructor(
    readonly socket: RealtimeSocket,
    readonly appealId: string,
    readonly handlers: RoomHandlers,
  ) {}

  get lastChatSeq(): number {
    return this.#lastChatSeq;
  }

  get lastHistorySeq(): number {
    return this.#lastHistorySeq;
  }

  /** Starts listening and joins; safe to call before the socket is connected (emits are buffered). */
  async open(): Promise<void> {
    this.#listen();
    await this.#join(false);
  }

  /** Stops listening and leaves the room. */
  close(): void {
    this.#isClosed = true;
    for (const off of this.#offs.splice(0)) off();
    if (this.#isJoined && this.socket.connected) void request(this.socket, 'room:leave', { appealId: this.appealId }).catch(() => undefined);
    this.#isJoined = false;
  }

  /** Records chat messages the owner obtained itself (history pages, own acks) and delivers them. */
  deliverMessages(messages: ChatMessage[]): void {
    if (messages.length === 0) return;
    for (const m of messages) this.#lastChatSeq = Math.max(this.#lastChatSeq, m.seq);
    this.handlers.onMessages(messages);
  }

  /** Records history entries obtained over REST and delivers them. */
  deliverHistory(entries: HistoryEntry[]): void {
    if (entries.length === 0) return;
    for (const e of entries) this.#lastHistorySeq = Math.max(this.#lastHistorySeq, e.seq);
    this.handlers.onHistory(entries);
  }

  async #join(isRejoin: boolean): Promise<void> {
    const since = isRejoin ? { chatSeq: this.#lastChatSeq, historySeq: this.#lastHistorySeq } : undefined;
    const joined = await request(this.socket, 'room:join', { appealId: this.appealId, ...(since ? { since } : {}) });
    if (this.#isClosed) return;
    this.#isJoined = true;
    this.handlers.onJoined(joined, isRejoin);
    this.deliverMessages(joined.messages);
    this.deliverHistory(joined.history);
  }

  async #catchUp(): Promise<void> {
    if (!this.#isJoined || this.#isClosed) return;
    try {
      if (this.socket.recovered) {
        const missed = await request(this.socket, 'room:sync', {
          appealId: this.appealId,
          afterChatSeq: this.#lastChatSeq,
          afterHistorySeq: this.#lastHistorySeq,
        });
        this.deliverMessages(missed.messages);
        this.deliverHistory(missed.history);
      } else {
        // A new connection is in no room: join again, with everything after what we have.
        await this.#join(true);
      }
    } catch (e) {
      // NOT_FOUND is the server's only answer for a room this person may no
      // longer enter: access was lost while away, when no room:revoked could
      // reach us. Told as a revocation, once (a room:revoked may have come first).
      if (!isApiError(e, 'NOT_FOUND')) this.handlers.onError(e);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a room:revoked may have cleared it while the request was out
      else if (this.#isJoined) this.#revoke();
    }
  }

  /** Access is gone: no catch-up on later reconnects. */
  #revoke(): void {
    this.#isJoined = false;
    this.handlers.onRevoked();
  }

  #on<E extends keyof ServerToClientEvents>(event: E, fn: ServerToClientEvents[E]): void {
    // socket.io's typed `on` needs the listener as the event's exact type.
    const s = this.socket as unknown as { on(e: string, f: unknown): void; off(e: string, f: unknown): void };
    s.on(event, fn);
    this.#offs.push(() => {
      s.off(event, fn);
    });
  }

  #listen(): void {
    const mine = (p: { appealId: string }): boolean => p.appealId === this.appealId;
    const handleConnect = (): void => void this.#catchUp();
    this.socket.on('connect', handleConnect);
    this.#offs.push(() => this.socket.off('connect', handleConnect));
    this.#on('chat:message', (m) => {
      if (mine(m)) this.deliverMessages([m]);
    });
    // An edit or a withdrawal is an entry of the chat's log with its own seq, delivered like a message.
    this.#on('chat:edited', (m) => {
      if (mine(m)) this.deliverMessages([m]);
    });
    this.#on('status:changed', (p) => {
      if (!mine(p)) return;
      this.handlers.onStatus(p);
      this.deliverHistory([p.entry]);
    });
    this.#on('presence:changed', (p) => {
      if (mine(p)) this.handlers.onPresence(p.people);
    });
    this.#on('typing:changed', (p) => {
      if (mine(p)) this.handlers.onTyping(p);
    });
    this.#on('chat:read', (p) => {
      if (mine(p)) this.handlers.onRead(p);
    });
    this.#on('attachment:changed', (p) => {
      if (mine(p)) this.handlers.onAttachment(p);
    });
    this.#on('description:versions', (p) => {
      if (mine(p)) this.handlers.onVersions();
    });
    this.#on('appeal:updated', (p) => {
      if (mine(p)) this.handlers.onAppealUpdated?.();
    });
    this.#on('room:revoked', (p) => {
      if (mine(p)) this.#revoke();
    });
  }
}
