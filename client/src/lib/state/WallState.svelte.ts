/**
 * The supervisor's live wall, a page at a time: `wall:watch` subscribes to
 * the department's `wall:room` lines, `GET /api/wall` reads a page of the
 * open rooms (nearest deadline first, so the overdue lead). A pushed line
 * replaces its row; a room that closed leaves the page; a new room that
 * belongs on this page appears at once, and the page is then read again to
 * settle the order and the total. A clock ticks every minute so countdowns
 * and waiting times move without pushes.
 */
import type { WallRoom } from '../../../../shared/protocol/events';
import { WALL_PAGE_SIZE } from '../../../../shared/schemas/wall.schema';
import { isOpen } from '../../../../shared/status-machine';
import { api } from '../api';
import { request, type RealtimeSocket } from '../realtime/socket';
import type { Pageable } from './ListState.svelte';
import { Task } from './Task.svelte';

/** Overdue lines first, then the nearest deadline, then the longest wait. */
export function compareWall(a: WallRoom, b: WallRoom): number {
  const far = Number.MAX_SAFE_INTEGER;
  return Number(b.overdue) - Number(a.overdue) || (a.deadlineAt ?? far) - (b.deadlineAt ?? far) || (a.waitingSince ?? far) - (b.waitingSince ?? far);
}

export function sortWall(rooms: readonly WallRoom[]): WallRoom[] {
  return [...rooms].sort(compareWall);
}

/** Whole minutes between `from` and `to`, split into days/hours/minutes. */
export function splitMinutes(ms: number): { d: number; h: number; m: number } {
  const total = Math.max(0, Math.floor(ms / 60_000));
  return { d: Math.floor(total / 1440), h: Math.floor((total % 1440) / 60), m: total % 60 };
}

/** How long pushed changes are gathered before the page is read again. */
export const WALL_REFRESH_MS = 300;

export class WallState implements Pageable {
  #rooms = $state.raw<WallRoom[]>([]);
  #total = $state(0);
  #offset = $state(0);
  #now = $state(Date.now());
  readonly #task = new Task();
  #isLoaded = $state(false);
  #stop: (() => void) | null = null;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by every read: only the newest answer is shown. */
  #generation = 0;

  constructor(readonly pageSize = WALL_PAGE_SIZE) {}

  readonly rows: WallRoom[] = $derived(sortWall(this.#rooms));

  /** The clock (ms), updated every minute. */
  get now(): number {
    return this.#now;
  }

  get error(): string {
    return this.#task.error;
  }

  get isLoaded(): boolean {
    return this.#isLoaded;
  }

  get isLoading(): boolean {
    return this.#task.isBusy;
  }

  get total(): number {
    return this.#total;
  }

  get offset(): number {
    return this.#offset;
  }

  get count(): number {
    return this.#rooms.length;
  }

  get hasMore(): boolean {
    return this.#offset + this.#rooms.length < this.#total;
  }

  get hasPrevious(): boolean {
    return this.#offset > 0;
  }

  /** Starts watching; re-watches after every reconnect (a new connection is in no wall room) and reads the page again. */
  async watch(socket: RealtimeSocket): Promise<void> {
    const handleRoom = (room: WallRoom): void => {
      this.apply(room);
    };
    const handleConnect = (): void => void this.#watchAndLoad(socket);
    socket.on('wall:room', handleRoom);
    socket.on('connect', handleConnect);
    const clock = setInterval(() => {
      this.#now = Date.now();
    }, 60_000);
    this.#stop = () => {
      socket.off('wall:room', handleRoom);
      socket.off('connect', handleConnect);
      clearInterval(clock);
    };
    await this.#watchAndLoad(socket);
  }

  /** A pushed line: replaces its row, takes a closed room off, puts a new room that belongs on this page in. */
  apply(room: WallRoom): void {
    const i = this.#rooms.findIndex((r) => r.appealId === room.appealId);
    if (i >= 0) {
      if (isOpen(room.status)) {
        this.#rooms = this.#rooms.map((r) => (r.appealId === room.appealId ? room : r));
        return;
      }
      this.#rooms = this.#rooms.filter((r) => r.appealId !== room.appealId);
      this.#total = Math.max(0, this.#total - 1);
      // A row from the next page moves up.
      if (this.hasMore) this.#refreshSoon();
      return;
    }
    if (!isOpen(room.status)) return;
    const sorted = this.rows;
    const last = sorted.at(-1);
    // A room that sorts after a full page is on a later one: nothing here changes.
    if (sorted.length >= this.pageSize && last && compareWall(room, last) >= 0) return;
    this.#rooms = [...this.#rooms, room];
    this.#total += 1;
    if (this.#rooms.length > this.pageSize) this.#rooms = sortWall(this.#rooms).slice(0, this.pageSize);
    this.#refreshSoon();
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
    if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
  }

  nextPage(): Promise<void> {
    return this.#load(this.#offset + this.pageSize);
  }

  previousPage(): Promise<void> {
    return this.#load(Math.max(0, this.#offset - this.pageSize));
  }

  async #watchAndLoad(socket: RealtimeSocket): Promise<void> {
    const ok = await this.#task.run(async () => {
      // Subscribe before reading, so that no change between the two is lost.
      await request(socket, 'wall:watch', {});
    });
    if (ok) await this.#load(this.#offset);
    this.#isLoaded = true;
  }

  async #load(offset: number): Promise<void> {
    const generation = ++this.#generation;
    const read = { stepBack: false };
    await this.#task.run(async () => {
      const page = await api('wall.list', { query: { limit: this.pageSize, offset } });
      if (generation !== this.#generation) return;
      // A page left empty at the end (its rooms closed): the one before it.
      read.stepBack = page.items.length === 0 && offset > 0;
      if (read.stepBack) return;
      this.#rooms = page.items;
      this.#total = page.total;
      this.#offset = offset;
      this.#now = Date.now();
    });
    if (read.stepBack) await this.#load(Math.max(0, offset - this.pageSize));
  }

  #refreshSoon(): void {
    if (this.#refreshTimer !== null || this.#stop === null) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.#load(this.#offset);
    }, WALL_REFRESH_MS);
  }
}
