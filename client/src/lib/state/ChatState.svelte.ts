/**
 * The room's chat: messages merged by seq (never twice, always in order), own
 * messages with their delivery state (sending → delivered on ack → failed, with
 * a retry that reuses the clientId so the server never stores it twice), older
 * pages, typing, read marks, and the author's edits and withdrawals: entries
 * of the log with their own seq (`editOf`) that change the message they name,
 * the newest state (`editSeq`) winning whatever order they arrive in.
 */
import type { Ack, ChatMessage } from '../../../../shared/protocol/events';
import { request, ACK_TIMEOUT_MS } from '../realtime/socket';
import type { RoomChannel } from '../realtime/room-channel';
import { Task } from './Task.svelte';
import { errorText } from '../validation';

export type Delivery = 'sending' | 'delivered' | 'failed';

/** A message of mine not acknowledged yet. */
export interface PendingMessage {
  clientId: string;
  text: string;
  internal: boolean;
  delivery: Delivery;
  error: string;
}

/** An edit or a withdrawal of mine not acknowledged yet (`text` null: a withdrawal). */
export interface PendingEdit {
  clientId: string;
  seq: number;
  text: string | null;
  delivery: Delivery;
  error: string;
}

/** How long after sending the author may edit or withdraw a message (the server decides; this hides the buttons). */
export const EDIT_WINDOW_MS = 24 * 60 * 60 * 1000;

const PAGE = 50;
/** Typing is renewed this often while keys are pressed (the server forgets it after 6 s). */
const TYPING_RENEW_MS = 4_000;
/** Typing stops this long after the last key. */
const TYPING_IDLE_MS = 2_500;

/** A clientId matching the server's /^[A-Za-z0-9_-]{8,64}$/. */
export function newClientId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
}

export class ChatState {
  #bySeq = $state.raw(new Map<number, ChatMessage>());
  #pending = $state<PendingMessage[]>([]);
  #pendingEdits = $state<PendingEdit[]>([]);
  /** The newest edit entry per message seq, kept for a message not loaded yet (an older page). */
  readonly #edits = new Map<number, ChatMessage>();
  /** Edits go out one after the other, each after the previous ack: the server stores them in the order made. */
  #editChain: Promise<void> = Promise.resolve();
  #hasOlder = $state(true);
  readonly #latest = new Task();
  readonly #older = new Task();
  #typing = $state.raw(new Map<string, { name: string; until: number }>());
  #readMarks = $state.raw<Record<string, number>>({});
  #lastReadSent = 0;
  #typingSentAt = 0;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #sweepTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly channel: RoomChannel,
    readonly myUserId: string,
  ) {}

  /** Messages in seq order. */
  readonly messages: ChatMessage[] = $derived([...this.#bySeq.values()].sort((a, b) => a.seq - b.seq));

  get pending(): PendingMessage[] {
    return this.#pending;
  }

  get hasOlder(): boolean {
    return this.#hasOlder;
  }

  get isLoadingOlder(): boolean {
    return this.#older.isBusy;
  }

  get error(): string {
    return this.#older.error || this.#latest.error;
  }

  get readMarks(): Record<string, number> {
    return this.#readMarks;
  }

  /** Names of the people typing now (other than me). */
  readonly typingNames: string[] = $derived([...this.#typing.values()].map((v) => v.name));

  /** Whether someone other than me has read up to `seq`. */
  isReadByOthers(seq: number): boolean {
    return Object.entries(this.#readMarks).some(([userId, mark]) => userId !== this.myUserId && mark >= seq);
  }

  /** Edits and withdrawals of mine not acknowledged yet, oldest first. */
  get pendingEdits(): PendingEdit[] {
    return this.#pendingEdits;
  }

  /** The newest unacknowledged edit of message `seq`, if any. */
  pendingEditOf(seq: number): PendingEdit | undefined {
    return this.#pendingEdits.findLast((p) => p.seq === seq);
  }

  /** Whether I may still edit or withdraw `m` (mine, not withdrawn, within 24 hours; the server checks again). */
  canChange(m: ChatMessage, now = Date.now()): boolean {
    return m.authorId === this.myUserId && !m.withdrawn && m.editOf === undefined && now - m.at < EDIT_WINDOW_MS;
  }

  /**
   * Merges entries by seq; a message that was pending (same clientId) stops
   * being pending. An edit entry changes the message it names when its state is
   * newer (`editSeq`) than the one shown.
   */
  merge(messages: ChatMessage[]): void {
    const next = new Map(this.#bySeq);
    for (const m of messages) {
      if (m.editOf !== undefined) {
        this.#applyEdit(next, m.editOf, m);
        continue;
      }
      const shown = next.get(m.seq);
      next.set(m.seq, shown && (shown.editSeq ?? 0) > (m.editSeq ?? 0) ? shown : m);
      const edit = this.#edits.get(m.seq);
      if (edit) this.#applyEdit(next, m.seq, edit);
    }
    this.#bySeq = next;
    const ids = new Set(messages.map((m) => m.clientId));
    if (this.#pending.some((p) => ids.has(p.clientId))) this.#pending = this.#pending.filter((p) => !ids.has(p.clientId));
  }

  #applyEdit(next: Map<number, ChatMessage>, seq: number, edit: ChatMessage): void {
    const known = this.#edits.get(seq);
    if (!known || (known.editSeq ?? 0) < (edit.editSeq ?? 0)) this.#edits.set(seq, edit);
    const target = next.get(seq);
    if (!target || (target.editSeq ?? 0) >= (edit.editSeq ?? 0)) return;
    const { editedAt, withdrawn, editSeq, revisions } = edit;
    next.set(seq, { ...target, text: edit.text, editedAt, withdrawn, editSeq, revisions });
  }

  /** Changes the text of my message `seq`; false when there is nothing to send. */
  edit(seq: number, text: string): boolean {
    const trimmed = text.trim();
    if (!trimmed) return false;
    this.#queueEdit({ clientId: newClientId(), seq, text: trimmed, delivery: 'sending', error: '' });
    return true;
  }

  /** Withdraws my message `seq`. */
  withdraw(seq: number): void {
    this.#queueEdit({ clientId: newClientId(), seq, text: null, delivery: 'sending', error: '' });
  }

  /** Sends a failed edit again with the same clientId (stored once whatever happens). */
  retryEdit(clientId: string): void {
    const item = this.#pendingEdits.find((p) => p.clientId === clientId);
    if (!item || item.delivery === 'sending') return;
    item.delivery = 'sending';
    item.error = '';
    this.#editChain = this.#editChain.then(() => this.#emitEdit(clientId));
  }

  /** Drops a failed edit (the server refused it, or I gave up). */
  dismissEdit(clientId: string): void {
    this.#pendingEdits = this.#pendingEdits.filter((p) => p.clientId !== clientId || p.delivery === 'sending');
  }

  #queueEdit(item: PendingEdit): void {
    this.#pendingEdits.push(item);
    this.#editChain = this.#editChain.then(() => this.#emitEdit(item.clientId));
  }

  /** Emits one edit; resolves on its ack, however late (offline, socket.io sends it on reconnect). */
  #emitEdit(clientId: string): Promise<void> {
    const item = this.#pendingEdits.find((p) => p.clientId === clientId);
    if (!item) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let isSettled = false;
      const timer = setTimeout(() => {
        if (isSettled) return;
        const live = this.#pendingEdits.find((p) => p.clientId === clientId);
        if (live) live.delivery = 'failed';
      }, ACK_TIMEOUT_MS);
      const handleAck = (ack: Ack<ChatMessage>): void => {
        isSettled = true;
        clearTimeout(timer);
        resolve();
        if (ack.ok) {
          this.#pendingEdits = this.#pendingEdits.filter((p) => p.clientId !== clientId);
          this.channel.deliverMessages([ack.data]);
          return;
        }
        const live = this.#pendingEdits.find((p) => p.clientId === clientId);
        if (live) {
          live.delivery = 'failed';
          live.error = errorText(ack.error);
        }
      };
      const base = { appealId: this.channel.appealId, clientId, seq: item.seq };
      if (item.text === null) this.channel.socket.emit('chat:withdraw', base, handleAck);
      else this.channel.socket.emit('chat:edit', { ...base, text: item.text }, handleAck);
    });
  }

  setReadMarks(marks: Record<string, number>): void {
    this.#readMarks = { ...marks };
  }

  applyRead(userId: string, seq: number): void {
    if ((this.#readMarks[userId] ?? 0) >= seq) return;
    this.#readMarks = { ...this.#readMarks, [userId]: seq };
  }

  applyTyping(userId: string, name: string, isTyping: boolean): void {
    const next = new Map(this.#typing);
    if (isTyping && userId !== this.myUserId) next.set(userId, { name, until: Date.now() + 7_000 });
    else next.delete(userId);
    this.#typing = next;
    this.#sweepTimer ??= setInterval(() => {
      this.#sweepTyping();
    }, 2_000);
  }

  /** The newest page (the first screen of the room). */
  async loadLatest(): Promise<void> {
    await this.#latest.run(async () => {
      const page = await request(this.channel.socket, 'chat:history', { appealId: this.channel.appealId, limit: PAGE });
      this.#hasOlder = page.length === PAGE;
      this.channel.deliverMessages(page);
    });
  }

  /** The page before the oldest message shown. */
  async loadOlder(): Promise<void> {
    const oldest = this.messages[0]?.seq;
    if (oldest === undefined || this.#older.isBusy) return;
    await this.#older.run(async () => {
      const page = await request(this.channel.socket, 'chat:history', { appealId: this.channel.appealId, beforeSeq: oldest, limit: PAGE });
      this.#hasOlder = page.length === PAGE;
      this.merge(page);
    });
  }

  /** Sends a message (or an internal note); false when there is nothing to send. */
  send(text: string, internal = false): boolean {
    const trimmed = text.trim();
    if (!trimmed) return false;
    const item: PendingMessage = { clientId: newClientId(), text: trimmed, internal, delivery: 'sending', error: '' };
    this.#pending.push(item);
    this.#emit(item.clientId);
    this.setTyping(false);
    return true;
  }

  /** Sends a failed message again with the same clientId (the server answers with the stored one if it got it). */
  retry(clientId: string): void {
    const item = this.#pending.find((p) => p.clientId === clientId);
    if (!item || item.delivery === 'sending') return;
    item.delivery = 'sending';
    item.error = '';
    this.#emit(clientId);
  }

  #emit(clientId: string): void {
    const item = this.#pending.find((p) => p.clientId === clientId);
    if (!item) return;
    let isSettled = false;
    const timer = setTimeout(() => {
      if (isSettled) return;
      const live = this.#pending.find((p) => p.clientId === clientId);
      if (live) live.delivery = 'failed';
    }, ACK_TIMEOUT_MS);
    // Not `request()`: a late ack after the timeout must still mark the message delivered.
    this.channel.socket.emit('chat:send', { appealId: this.channel.appealId, clientId, text: item.text, internal: item.internal }, (ack) => {
      isSettled = true;
      clearTimeout(timer);
      if (ack.ok) {
        this.channel.deliverMessages([ack.data]);
        return;
      }
      const live = this.#pending.find((p) => p.clientId === clientId);
      if (live) {
        live.delivery = 'failed';
        live.error = errorText(ack.error);
      }
    });
  }

  /** Called on every keystroke in the input; announces typing, renewed, and stops after a pause. */
  noteTyping(): void {
    const now = Date.now();
    if (now - this.#typingSentAt > TYPING_RENEW_MS) {
      this.#typingSentAt = now;
      this.channel.socket.emit('typing:set', { appealId: this.channel.appealId, isTyping: true });
    }
    clearTimeout(this.#typingTimer);
    this.#typingTimer = setTimeout(() => {
      this.setTyping(false);
    }, TYPING_IDLE_MS);
  }

  setTyping(isTyping: boolean): void {
    clearTimeout(this.#typingTimer);
    if (!isTyping && this.#typingSentAt === 0) return;
    this.#typingSentAt = isTyping ? Date.now() : 0;
    this.channel.socket.emit('typing:set', { appealId: this.channel.appealId, isTyping });
  }

  /** Marks everything shown as read, when the page is visible and there is something new. */
  markRead(): void {
    if (typeof document !== 'undefined' && document.visibilityState !== 'visible') return;
    const last = this.messages.at(-1)?.seq ?? 0;
    if (last <= this.#lastReadSent) return;
    this.#lastReadSent = last;
    this.applyRead(this.myUserId, last);
    void request(this.channel.socket, 'chat:read', { appealId: this.channel.appealId, seq: last }).catch(() => {
      this.#lastReadSent = 0;
    });
  }

  dispose(): void {
    clearTimeout(this.#typingTimer);
    clearInterval(this.#sweepTimer);
  }

  #sweepTyping(): void {
    const now = Date.now();
    if (![...this.#typing.values()].some((v) => v.until < now)) return;
    this.#typing = new Map([...this.#typing].filter(([, v]) => v.until >= now));
  }
}
