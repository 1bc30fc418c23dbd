/**
 * The room's chat: messages with a per-room sequence given by the store, an
 * idempotent client id, paged history, read marks, staff-only internal
 * notes that a citizen never receives (neither live nor in history), and the
 * author's edits and withdrawals within 24 hours (chat-edits.ts).
 */
import type { ChatMessage } from '../../../shared/protocol/events.js';
import type { z } from 'zod';
import type { chatEditSchema, chatHistorySchema, chatSendSchema, chatWithdrawSchema } from '../../../shared/schemas/realtime.schema.js';
import { isOpen } from '../../../shared/status-machine.js';
import type { Clock } from '../../lib/clock.js';
import type { ChatMessageRecord, Store, WriteOptions } from '../../store/store.js';
import { conflict, DomainError, forbidden, notFound } from '../errors.js';
import type { EventBus } from '../events.js';
import type { RoomGrantCache } from '../rooms/grant-cache.js';
import type { RoomAccess, RoomGrant } from '../rooms/room-access.js';
import type { Viewer } from '../viewer.js';
import type { UserNames } from './user-names.js';
import { EDIT_WINDOW_MS, foldEdits, foldedWire, targetsOf, type FoldedMessage } from './chat-edits.js';

export type ChatSendInput = z.infer<typeof chatSendSchema>;
export type ChatHistoryInput = z.infer<typeof chatHistorySchema>;
export type ChatEditInput = z.infer<typeof chatEditSchema>;
export type ChatWithdrawInput = z.infer<typeof chatWithdrawSchema>;

export interface ChatDeps {
  store: Store;
  rooms: RoomAccess;
  /** Grants remembered between messages (invalidated by the bus events); without it every send asks `rooms`. */
  grants?: RoomGrantCache;
  names: UserNames;
  clock: Clock;
  /** Where a new message is announced (`chat.posted`: the wall's figures on every instance). */
  bus: EventBus;
  /** Told of each edit or withdrawal stored (the search index follows them; no bus event announces them). */
  onEdited?: (appealId: string, seq: number) => void;
}

/**
 * A message is acknowledged and broadcast once committed, not after the disk
 * sync that follows within 50 ms on SQLite (MongoDB waits for its journal
 * anyway): a crash of the server loses nothing that was acknowledged, a power
 * cut at most the last 50 ms of chat. Waiting for the fsync put the disk's
 * latency tail into every message (docs/architecture.md, "The fsync off the event loop").
 */
const CHAT_DURABILITY: WriteOptions = { durability: 'process' };

/** Page size when a reconnecting client asks for everything after a seq. */
const CATCH_UP_PAGE = 500;

export class ChatService {
  constructor(private readonly d: ChatDeps) {}

  /**
   * Persists a message and returns it with `created`; a resend with the same
   * client id returns the first message and `created: false` (nothing stored,
   * nothing to broadcast). The author's name is read before the write so that the
   * caller can broadcast right after the commit, in commit order.
   */
  async send(viewer: Viewer, input: ChatSendInput): Promise<{ message: ChatMessage; created: boolean; grant: RoomGrant }> {
    const grant = await (this.d.grants ?? this.d.rooms).write(viewer, input.appealId);
    if (!isOpen(grant.appeal.status)) throw new DomainError('FORBIDDEN', 'Обращение закрыто: чат доступен только для чтения');
    if (input.internal && !grant.isStaff) throw forbidden('Служебные заметки доступны только сотрудникам');
    const authorName = await this.d.names.nameOf(viewer.id);
    const { message, created } = await this.d.store.chat.append(
      {
        appealId: input.appealId,
        clientId: input.clientId,
        authorId: viewer.id,
        authorRole: viewer.role,
        text: input.text,
        internal: input.internal,
        at: this.d.clock.now(),
      },
      CHAT_DURABILITY,
    );
    // Client ids are random per client; a match by someone else is not theirs to read.
    if (!created && message.authorId !== viewer.id) throw conflict('Идентификатор сообщения уже занят');
    if (created) {
      const { appealId, seq, at, authorId, authorRole, internal } = message;
      this.d.bus.publish({ type: 'chat.posted', message: { appealId, seq, at, authorId, authorRole, internal } });
    }
    return { message: toWire(message, created ? authorName : await this.d.names.nameOf(message.authorId)), created, grant };
  }

  /**
   * The author changes a message (a new text, or a withdrawal) within 24 hours
   * of sending it: an edit entry appended to the log (chat-edits.ts). Returns
   * the entry with the message's new state and its earlier texts (the staff's
   * view: the caller strips them for anyone else, chat-edits.ts `withoutRevisions`);
   * a resend with the same client id returns it again with `created: false`.
   * Refused: a message of someone else (FORBIDDEN), after 24 hours
   * (FORBIDDEN), one already withdrawn (CONFLICT), one this person may not see
   * or an edit entry (NOT_FOUND).
   */
  async edit(viewer: Viewer, input: ChatEditInput | ChatWithdrawInput): Promise<{ message: ChatMessage; created: boolean; grant: RoomGrant }> {
    const grant = await (this.d.grants ?? this.d.rooms).write(viewer, input.appealId);
    if (!isOpen(grant.appeal.status)) throw new DomainError('FORBIDDEN', 'Обращение закрыто: чат доступен только для чтения');
    const related = await this.d.store.chat.related(input.appealId, [input.seq], grant.isStaff);
    const target = related.find((r) => r.seq === input.seq && r.editOf === undefined);
    if (!target) throw notFound('Сообщение не найдено');
    // The name is read before the write, so that the caller broadcasts right after the commit, in commit order.
    const authorName = await this.d.names.nameOf(viewer.id);
    const resent = related.find((r) => r.clientId === input.clientId);
    if (resent?.editOf === target.seq && resent.authorId === viewer.id) return { message: editWire(related, resent, authorName), created: false, grant };
    if (target.authorId !== viewer.id) throw forbidden('Изменить или отозвать можно только своё сообщение');
    if (this.d.clock.now() - target.at > EDIT_WINDOW_MS) throw forbidden('Сообщение можно изменить или отозвать только в течение 24 часов после отправки');
    if (foldEdits(related).get(target.seq)?.withdrawn) throw conflict('Сообщение уже отозвано');
    const isWithdrawal = !('text' in input);
    const { message, created } = await this.d.store.chat.append(
      {
        appealId: input.appealId,
        clientId: input.clientId,
        authorId: viewer.id,
        authorRole: viewer.role,
        text: isWithdrawal ? '' : input.text,
        internal: target.internal,
        at: this.d.clock.now(),
        editOf: target.seq,
        withdrawn: isWithdrawal,
      },
      CHAT_DURABILITY,
    );
    // A client id already taken by another message of the room: not this person's to read.
    if (message.editOf !== target.seq || message.authorId !== viewer.id) throw conflict('Идентификатор сообщения уже занят');
    if (created) this.d.onEdited?.(message.appealId, message.seq);
    return { message: editWire(created ? [...related, message] : related, message, authorName), created, grant };
  }

  /** A page of history by sequence, as the viewer may see it. */
  async page(viewer: Viewer, input: ChatHistoryInput): Promise<ChatMessage[]> {
    const grant = await this.d.rooms.enter(viewer, input.appealId);
    const records = await this.d.store.chat.list(input.appealId, {
      limit: input.limit,
      includeInternal: grant.isStaff,
      ...(input.afterSeq !== undefined ? { afterSeq: input.afterSeq } : {}),
      ...(input.beforeSeq !== undefined ? { beforeSeq: input.beforeSeq } : {}),
    });
    return this.withNames(records, grant.isStaff);
  }

  /** Every message after `afterSeq` the grant may see, ascending (recovery after a gap). */
  async after(grant: RoomGrant, afterSeq: number): Promise<ChatMessage[]> {
    const out: ChatMessageRecord[] = [];
    let cursor = afterSeq;
    for (;;) {
      const page = await this.d.store.chat.list(grant.appeal.id, { afterSeq: cursor, limit: CATCH_UP_PAGE, includeInternal: grant.isStaff });
      out.push(...page);
      const last = page.at(-1);
      if (page.length < CATCH_UP_PAGE || !last) break;
      cursor = last.seq;
    }
    return this.withNames(out, grant.isStaff);
  }

  /** Moves the viewer's read mark forward; false when it was already there or beyond. */
  async markRead(viewer: Viewer, appealId: string, seq: number): Promise<boolean> {
    await this.d.rooms.enter(viewer, appealId);
    const marks = await this.d.store.chat.readMarks(appealId);
    if ((marks[viewer.id] ?? 0) >= seq) return false;
    await this.d.store.chat.setReadMark(appealId, viewer.id, seq);
    return true;
  }

  /** Read marks of the room by user id (the caller has entered the room). */
  readMarks(appealId: string): Promise<Record<string, number>> {
    return this.d.store.chat.readMarks(appealId);
  }

  /**
   * The read marks a grant may see: all of them for staff; for the citizen,
   * none of a supervisor who is not the assignee — an observer's reading
   * would tell them the observer is there.
   */
  async readMarksFor(grant: Pick<RoomGrant, 'appeal' | 'isStaff'>): Promise<Record<string, number>> {
    const marks = await this.d.store.chat.readMarks(grant.appeal.id);
    if (grant.isStaff) return marks;
    const shown: Record<string, number> = {};
    for (const [userId, seq] of Object.entries(marks)) {
      const isParty = userId === grant.appeal.citizenId || userId === grant.appeal.assigneeId || grant.appeal.expertIds.includes(userId);
      if (isParty || (await this.d.store.users.get(userId))?.role !== 'supervisor') shown[userId] = seq;
    }
    return shown;
  }

  /** The records on the wire with their authors' names and each message's current state (its edits folded in). */
  private async withNames(records: ChatMessageRecord[], isStaff: boolean): Promise<ChatMessage[]> {
    const names = new Map<string, string>();
    for (const r of records) if (!names.has(r.authorId)) names.set(r.authorId, await this.d.names.nameOf(r.authorId));
    const first = records[0];
    const folded = first ? foldEdits(await this.d.store.chat.related(first.appealId, targetsOf(records), isStaff)) : new Map<number, FoldedMessage>();
    // Stryker disable next-line StringLiteral: unreachable — the loop above set a name for every author
    return records.map((r) => foldedWire(toWire(r, names.get(r.authorId) ?? ''), r, folded.get(r.editOf ?? r.seq), isStaff));
  }
}

/** An edit entry on the wire with the state of its message after the entries in `related`, earlier texts included. */
function editWire(related: ChatMessageRecord[], entry: ChatMessageRecord, authorName: string): ChatMessage {
  const folded = foldEdits([...related].sort((a, b) => a.seq - b.seq)).get(entry.editOf ?? entry.seq);
  return foldedWire(toWire(entry, authorName), entry, folded, true);
}

export function toWire(r: ChatMessageRecord, authorName: string): ChatMessage {
  return {
    appealId: r.appealId,
    seq: r.seq,
    clientId: r.clientId,
    authorId: r.authorId,
    authorName,
    authorRole: r.authorRole,
    text: r.text,
    internal: r.internal,
    at: r.at,
  };
}
