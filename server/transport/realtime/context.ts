/**
 * What every realtime handler file receives: the typed server, the domain
 * services it calls, and the small per-instance helpers of the gateway.
 */
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../../../shared/protocol/events.js';
import type { AppealService } from '../../domain/appeals/appeal.service.js';
import type { ChatService } from '../../domain/chat/chat.service.js';
import type { UserNames } from '../../domain/chat/user-names.js';
import type { EventBus } from '../../domain/events.js';
import type { ListFeed } from '../../domain/lists/list-feed.js';
import type { RoomSessions } from '../../domain/rooms/room-sessions.js';
import type { Viewer } from '../../domain/viewer.js';
import type { WallService } from '../../domain/wall/wall.service.js';
import type { Logger } from '../../lib/logger.js';

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeContext {
  io: RealtimeServer;
  /** Where committed changes are announced (to every instance, this one included). */
  bus: EventBus;
  appeals: AppealService;
  chat: ChatService;
  /** The live room's use cases: entering, leaving, presence, typing. */
  sessions: RoomSessions;
  names: UserNames;
  wall: WallService;
  logger: Logger;
  /** Runs async pushes of one appeal one after another, so events keep their order. */
  serial: SerialQueue;
  /** Departments with at least one wall watcher on this instance. */
  watchedDepartments: Set<string>;
  /** Rooms with a coalesced wall line pending (see `pushWallSoon`). */
  wallSoon: Map<string, NodeJS.Timeout>;
  /** Who may watch which live list, and who hears of a change. */
  lists: ListFeed;
  /** Whether any socket of this instance has watched a list (until then no hint is worked out). */
  listsWatched: boolean;
  /** Chat hints of an appeal waiting to go out as one (see `pushListChanged`). */
  listSoon: Map<string, NodeJS.Timeout>;
}

/** socket.io room names: everyone in the appeal, its staff, one session, one wall, the live lists. */
export const rooms = {
  appeal: (appealId: string): string => `appeal:${appealId}`,
  staff: (appealId: string): string => `appeal:${appealId}:staff`,
  session: (sessionId: string): string => `session:${sessionId}`,
  wall: (departmentId: string): string => `wall:${departmentId}`,
  /** Live lists (`lists:watch`): a department's appeals, one person's own appeals and invitations. */
  departmentList: (departmentId: string): string => `list:department:${departmentId}`,
  personList: (userId: string): string => `list:person:${userId}`,
} as const;

/** The appeal id of an `appeal:<id>` room name (not of the staff room), or null. */
export function appealIdOfRoom(room: string): string | null {
  const m = /^appeal:([A-Za-z0-9_-]+)$/.exec(room);
  return m?.[1] ?? null;
}

/** The viewer the connection authenticated as (set by the auth middleware). */
export function viewerOf(socket: { data: SocketData }): Viewer {
  const d = socket.data;
  return { id: d.userId, role: d.role, departmentId: d.departmentId, sessionId: d.sessionId };
}

/** Runs tasks with the same key strictly one after another; other keys run freely. */
export class SerialQueue {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  run(key: string, task: () => Promise<void>): void {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(task).catch(this.onError);
    this.tails.set(key, next);
    void next.then(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }
}
