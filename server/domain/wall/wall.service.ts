/**
 * The supervisor's wall: one line per open room of the department — who is
 * online, last activity, how many citizen messages wait for a staff answer and
 * since when, the deadline. Chat figures are kept per room in memory, loaded
 * from the store on first use and then updated as messages arrive.
 */
import type { WallRoom } from '../../../shared/protocol/events.js';
import { isOpen } from '../../../shared/status-machine.js';
import type { Clock } from '../../lib/clock.js';
import type { AppealRecord, Store } from '../../store/store.js';
import { isOverdue } from '../appeals/appeal.view.js';
import { forbidden } from '../errors.js';
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
/** Rooms listed on one wall. */
const WALL_ROOMS = 200;
/** Rooms whose figures are kept; the oldest are dropped beyond it (reloaded on demand). */
const MAX_CACHED = 5_000;

export interface WallDeps {
  store: Store;
  presence: PresenceService;
  clock: Clock;
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

  /** Every open room of the viewer's department, nearest deadline first. */
  async rooms(viewer: Viewer): Promise<WallRoom[]> {
    const departmentId = this.departmentOf(viewer);
    const page = await this.d.store.appeals.list({ departmentId, excludeDrafts: true, sort: 'deadline', limit: WALL_ROOMS, offset: 0 });
    const rows: WallRoom[] = [];
    for (const appeal of page.items) if (isOpen(appeal.status)) rows.push(await this.row(appeal));
    return rows;
  }

  /** One line of the wall for an appeal. */
  async row(appeal: AppealRecord): Promise<WallRoom> {
    const f = await this.figuresOf(appeal.id);
    const activity = Math.max(appeal.statusChangedAt, f.lastMessageAt ?? 0);
    return {
      appealId: appeal.id,
      number: appeal.number,
      subject: appeal.subject,
      status: appeal.status,
      assigneeId: appeal.assigneeId,
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
      if (!m || m.internal) continue;
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
