/**
 * The supervisor's wall: one line per open room of the department — who is
 * online, last activity, how many citizen messages wait for a staff answer and
 * since when, the deadline, the assignee. Only open rooms are selected, in the
 * store's query itself, nearest deadline first and paged: closed appeals,
 * however many, never take a line's place. Chat figures are kept per room in
 * memory, loaded from the store on first use and then updated as messages
 * arrive.
 */
import type { Page } from '../../../shared/protocol/api.js';
import type { WallRoom } from '../../../shared/protocol/events.js';
import { WALL_PAGE_SIZE } from '../../../shared/schemas/wall.schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AppealRecord, Store } from '../../store/store.js';
import { isOverdue } from '../appeals/appeal.view.js';
import { forbidden } from '../errors.js';
import type { UserNames } from '../chat/user-names.js';
import type { ChatPosted } from '../events.js';
import type { PresenceService } from '../presence/presence.service.js';
import type { Viewer } from '../viewer.js';

interface ChatFigures {
  lastMessageAt: number | null;
  /** Citizen messages after the last (non-internal) staff message. */
  unanswered: number;
  /** Time of the oldest of those, or null. */
  waitingSince: number | null;
}

/** How far back the first load looks for the last staff answer. */
const SCAN_MESSAGES = 200;
/** Rooms whose figures are kept; the oldest are dropped beyond it (reloaded on demand). */
const MAX_CACHED = 5_000;

export interface WallDeps {
  store: Store;
  presence: PresenceService;
  clock: Clock;
  /** The assignee's name on each line. */
  names: UserNames;
}

export class WallService {
  private readonly figures = new Map<string, ChatFigures>();
  /** Bumped on every message so that a load racing with a message is not cached stale. */
  private readonly generation = new Map<string, number>();

  constructor(private readonly d: WallDeps) {}

  /** The department whose wall the viewer may watch, or FORBIDDEN. */
  departmentOf(viewer: Viewer): string {
    if (viewer.role !== 'supervisor' || !viewer.departmentId) throw forbidden('Сводка доступна руководителю ведомства');
    return viewer.departmentId;
  }

  /** The first page of the department's open rooms (the `wall:watch` answer). */
  async rooms(viewer: Viewer): Promise<WallRoom[]> {
    return (await this.page(viewer, { limit: WALL_PAGE_SIZE, offset: 0 })).items;
  }

  /**
   * A page of the open rooms of the viewer's department, nearest deadline
   * first (so the overdue ones lead), with the number of open rooms in all.
   */
  async page(viewer: Viewer, page: { limit: number; offset: number }): Promise<Page<WallRoom>> {
    const departmentId = this.departmentOf(viewer);
    const found = await this.d.store.appeals.list({ departmentId, openOnly: true, sort: 'deadline', ...page });
    const items: WallRoom[] = [];
    for (const appeal of found.items) items.push(await this.row(appeal));
    return { items, total: found.total };
  }

  /** One line of the wall for an appeal. */
  async row(appeal: AppealRecord): Promise<WallRoom> {
    const f = await this.figuresOf(appeal.id);
    const activity = Math.max(appeal.statusChangedAt, f.lastMessageAt ?? 0);
    return {
      appealId: appeal.id,
      number: appeal.number,
      subject: appeal.subject,
      type: appeal.type,
      repeatOfId: appeal.repeatOfId,
      escalatedFromId: appeal.escalation?.fromAppealId ?? null,
      status: appeal.status,
      assigneeId: appeal.assigneeId,
      assigneeName: appeal.assigneeId ? await this.d.names.nameOf(appeal.assigneeId) : null,
      online: this.d.presence.people(appeal.id),
      lastActivityAt: activity > 0 ? activity : null,
      unanswered: f.unanswered,
      waitingSince: f.waitingSince,
      deadlineAt: appeal.deadlineAt,
      overdue: isOverdue(appeal, this.d.clock.now()),
    };
  }

  /** The row by id, or null when the appeal is gone. */
  async rowById(appealId: string): Promise<{ departmentId: string | null; row: WallRoom } | null> {
    const appeal = await this.d.store.appeals.get(appealId);
    return appeal ? { departmentId: appeal.departmentId, row: await this.row(appeal) } : null;
  }

  /** Updates the room's figures with a committed message (call in commit order). */
  noteMessage(m: ChatPosted): void {
    this.generation.set(m.appealId, (this.generation.get(m.appealId) ?? 0) + 1);
    const f = this.figures.get(m.appealId);
    if (!f) return;
    f.lastMessageAt = m.at;
    if (m.internal) return;
    if (m.authorRole === 'citizen') {
      f.unanswered++;
      f.waitingSince ??= m.at;
    } else {
      f.unanswered = 0;
      f.waitingSince = null;
    }
  }

  private async figuresOf(appealId: string): Promise<ChatFigures> {
    const cached = this.figures.get(appealId);
    if (cached) return cached;
    const gen = this.generation.get(appealId) ?? 0;
    const recent = await this.d.store.chat.list(appealId, { beforeSeq: Number.MAX_SAFE_INTEGER, limit: SCAN_MESSAGES, includeInternal: true });
    const f: ChatFigures = { lastMessageAt: recent.at(-1)?.at ?? null, unanswered: 0, waitingSince: null };
    for (let i = recent.length - 1; i >= 0; i--) {
      const m = recent[i];
      // An edit or a withdrawal (editOf) is no message of its own.
      if (!m || m.internal || m.editOf !== undefined) continue;
      if (m.authorRole !== 'citizen') break;
      f.unanswered++;
      f.waitingSince = m.at;
    }
    if ((this.generation.get(appealId) ?? 0) === gen) {
      if (this.figures.size >= MAX_CACHED) {
        const oldest = this.figures.keys().next().value;
        if (oldest !== undefined) this.figures.delete(oldest);
      }
      this.figures.set(appealId, f);
    }
    return f;
  }
}
