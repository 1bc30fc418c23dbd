/**
 * The supervisor's live wall: `wall:watch` gives the department's rooms,
 * `wall:room` replaces one line; overdue first, then by deadline. A clock ticks
 * every minute so countdowns and waiting times move without pushes.
 */
import type { WallRoom } from '../../../../shared/protocol/events';
import { request, type RealtimeSocket } from '../realtime/socket';
import { Task } from './Task.svelte';

/** Overdue lines first, then the nearest deadline, then the longest wait. */
export function sortWall(rooms: readonly WallRoom[]): WallRoom[] {
  const far = Number.MAX_SAFE_INTEGER;
  return [...rooms].sort(
    (a, b) => Number(b.overdue) - Number(a.overdue) || (a.deadlineAt ?? far) - (b.deadlineAt ?? far) || (a.waitingSince ?? far) - (b.waitingSince ?? far),
  );
}

/** Whole minutes between `from` and `to`, split into days/hours/minutes. */
export function splitMinutes(ms: number): { d: number; h: number; m: number } {
  const total = Math.max(0, Math.floor(ms / 60_000));
  return { d: Math.floor(total / 1440), h: Math.floor((total % 1440) / 60), m: total % 60 };
}

export class WallState {
  #rooms = $state.raw(new Map<string, WallRoom>());
  #now = $state(Date.now());
  readonly #task = new Task();
  #isLoaded = $state(false);
  #stop: (() => void) | null = null;

  readonly rows: WallRoom[] = $derived(sortWall([...this.#rooms.values()]));

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

  /** Starts watching; re-watches after every reconnect (a new connection is in no wall room). */
  async watch(socket: RealtimeSocket): Promise<void> {
    const handleRoom = (room: WallRoom): void => {
      this.apply(room);
    };
    const handleConnect = (): void => void this.#load(socket);
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
    await this.#load(socket);
  }

  apply(room: WallRoom): void {
    const next = new Map(this.#rooms);
    next.set(room.appealId, room);
    this.#rooms = next;
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
  }

  async #load(socket: RealtimeSocket): Promise<void> {
    await this.#task.run(async () => {
      const rooms = await request(socket, 'wall:watch', {});
      this.#rooms = new Map(rooms.map((r) => [r.appealId, r]));
      this.#now = Date.now();
    });
    this.#isLoaded = true;
  }
}
