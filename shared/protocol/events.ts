/**
 * The one table of socket.io events, passed as generics to `new Server<…>()`
 * and `io()`. Names are `area:action`; a breaking payload change gets a new name.
 * Inbound payloads are validated with shared/schemas/realtime.schema.ts.
 */
import type { z } from 'zod';
import type {
  chatEditSchema,
  chatHistorySchema,
  chatWithdrawSchema,
  chatReadSchema,
  chatSendSchema,
  roomJoinSchema,
  roomLeaveSchema,
  roomSyncSchema,
  statusChangeSchema,
  typingSchema,
  listChangedSchema,
  listsWatchSchema,
  wallWatchSchema,
} from '../schemas/realtime.schema.js';
import type { presencePersonSchema, wallRoomSchema } from '../schemas/wall.schema.js';
import type { historyEntrySchema } from '../schemas/appeal.schema.js';
import type { attachmentSummarySchema } from '../schemas/attachment.schema.js';
import type { NotificationPush } from '../schemas/notification.schema.js';
import type { Role, Status } from '../status-machine.js';
import type { ErrorBody } from './error-codes.js';

/** Every ack: success with data, or an error from the shared catalogue. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckFn<T> = (ack: Ack<T>) => void;

export interface ChatMessage {
  appealId: string;
  seq: number;
  clientId: string;
  authorId: string;
  authorName: string;
  authorRole: Role;
  text: string;
  internal: boolean;
  at: number;
  /**
   * Set on an edit entry (`chat:edited`, history and catch-up): the seq of the
   * message it changes. Such an entry is no message of its own: it carries the
   * changed message's current state (text, `editedAt`, `withdrawn`, `editSeq`,
   * `revisions`), and its own `seq`, `clientId` and `at`.
   */
  editOf?: number;
  /** When the message was last edited or withdrawn; absent while never changed. */
  editedAt?: number;
  /** Withdrawn by its author: `text` is empty. */
  withdrawn?: boolean;
  /** The seq of the newest edit entry in this state: of two states of one message the higher wins. */
  editSeq?: number;
  /** Staff only: the earlier texts, oldest first (each with the time it was written). */
  revisions?: ChatRevision[];
}

/** An earlier text of an edited or withdrawn message (shown to staff only). */
export interface ChatRevision {
  text: string;
  at: number;
}

/** One transition of an appeal's status (the same shape as the REST history's items). */
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** A person in a room now (`presencePersonSchema`); `roomRole` is `observer` for a supervisor watching a room they have not taken. */
export type PresencePerson = z.infer<typeof presencePersonSchema>;

/** An attachment with its versions (the same shape as the REST replies'). */
export type AttachmentSummary = z.infer<typeof attachmentSummarySchema>;

/** One line of the supervisor's wall (`wallRoomSchema`). */
export type WallRoom = z.infer<typeof wallRoomSchema>;

/** A hint that one appeal's line in the viewer's lists changed, and why: read the list again (REST decides what it shows). */
export type ListChanged = z.infer<typeof listChangedSchema>;
export type ListChangeReason = ListChanged['reason'];

export interface MissedSince {
  messages: ChatMessage[];
  history: HistoryEntry[];
}

export interface RoomJoined extends MissedSince {
  appealId: string;
  status: Status;
  presence: PresencePerson[];
  readMarks: Record<string, number>;
  /** Whether this person may write (chat, description); observers may not. */
  canWrite: boolean;
  isStaff: boolean;
}

export interface ClientToServerEvents {
  'room:join': (p: z.input<typeof roomJoinSchema>, ack: AckFn<RoomJoined>) => void;
  'room:leave': (p: z.input<typeof roomLeaveSchema>, ack: AckFn<null>) => void;
  /** Everything after the given sequence numbers, in order (recovery after any gap). */
  'room:sync': (p: z.input<typeof roomSyncSchema>, ack: AckFn<MissedSince>) => void;
  'chat:send': (p: z.input<typeof chatSendSchema>, ack: AckFn<ChatMessage>) => void;
  'chat:history': (p: z.input<typeof chatHistorySchema>, ack: AckFn<ChatMessage[]>) => void;
  /** The author edits a message within 24 hours; the ack is the edit entry (`ChatMessage` with `editOf`). */
  'chat:edit': (p: z.input<typeof chatEditSchema>, ack: AckFn<ChatMessage>) => void;
  /** The author withdraws a message within 24 hours; the ack is the edit entry. */
  'chat:withdraw': (p: z.input<typeof chatWithdrawSchema>, ack: AckFn<ChatMessage>) => void;
  'chat:read': (p: z.input<typeof chatReadSchema>, ack: AckFn<null>) => void;
  'typing:set': (p: z.input<typeof typingSchema>) => void;
  'status:change': (p: z.input<typeof statusChangeSchema>, ack: AckFn<{ status: Status; version: number }>) => void;
  'wall:watch': (p: z.input<typeof wallWatchSchema>, ack: AckFn<WallRoom[]>) => void;
  /** Subscribes to `list:changed` for the lists this person may see (queue, own appeals, invitations). */
  'lists:watch': (p: z.input<typeof listsWatchSchema>, ack: AckFn<null>) => void;
}

export interface ServerToClientEvents {
  'chat:message': (m: ChatMessage) => void;
  /** A message was edited or withdrawn: the edit entry (`editOf` set), to the room except the author's socket. */
  'chat:edited': (m: ChatMessage) => void;
  'chat:read': (p: { appealId: string; userId: string; seq: number }) => void;
  'typing:changed': (p: { appealId: string; userId: string; name: string; isTyping: boolean }) => void;
  'presence:changed': (p: { appealId: string; people: PresencePerson[] }) => void;
  /** One event per transition, from REST or socket alike. */
  'status:changed': (p: { appealId: string; status: Status; version: number; entry: HistoryEntry }) => void;
  'attachment:changed': (p: { appealId: string; kind: 'added' | 'version' | 'restored'; attachment: AttachmentSummary }) => void;
  /** The citizen supplemented or corrected the appeal (case entry `seq`): clients fetch the entries after the last they have. */
  'entry:added': (p: { appealId: string; seq: number; kind: 'supplement' | 'correction'; authorId: string }) => void;
  /** The description's version list changed (a version was saved or restored). */
  'description:versions': (p: { appealId: string }) => void;
  'wall:room': (room: WallRoom) => void;
  /** To `lists:watch` subscribers who may see the appeal in a list. */
  'list:changed': (p: ListChanged) => void;
  /**
   * The appeal's assignee, experts, clocks (an extension) or outcome (a decision issued, the rating or its
   * review changed) changed: the room reads the appeal (and the actions it offers) again.
   */
  /** `links`: a repeat, an escalation or its answer, a suggestion's mark (docs/after-decision.md). */
  'appeal:updated': (p: { appealId: string; changed: ('assigneeId' | 'expertIds' | 'clocks' | 'outcome' | 'links' | 'privacy')[] }) => void;
  /** The person lost access to the room (reassigned, removed); the client leaves it. */
  'room:revoked': (p: { appealId: string }) => void;
  /** A notice for this person (in-app channel): a toast, and the bell's unread count. */
  'notification:new': (p: { notification: NotificationPush; unread: number }) => void;
  /** This person's unread count changed (marked read or unread in another tab). */
  'notification:unread': (p: { unread: number }) => void;
}

export interface InterServerEvents {
  ping: () => void;
}

/** Per-socket data set by the authentication middleware from the session. */
export interface SocketData {
  userId: string;
  role: Role;
  departmentId: string | null;
  sessionId: string;
  name: string;
}
