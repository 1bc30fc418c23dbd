/**
 * The live case room of one appeal: loads the appeal, joins its realtime room,
 * and feeds the chat, status, attachments and description states from the
 * pushes. One instance per open room view; `close()` releases everything.
 */
import { colourOf } from '../../../../shared/identity-colour';
import type { PresencePerson } from '../../../../shared/protocol/events';
import type { Role } from '../../../../shared/status-machine';
import { api } from '../api';
import { t } from '../i18n/i18n.svelte';
import type { Appeal, StaffDirectory } from '../api-types';
import { RoomChannel } from '../realtime/room-channel';
import { realtimeSocket } from '../realtime/socket';
import { errorText } from '../validation';
import { AttachmentsState } from './AttachmentsState.svelte';
import { ChatState } from './ChatState.svelte';
import { ConnectionState } from './ConnectionState.svelte';
import type { DescriptionState } from './DescriptionState.svelte';
import { StatusState } from './StatusState.svelte';
import { Task } from './Task.svelte';

export class RoomState {
  readonly connection = new ConnectionState();
  readonly status: StatusState;
  readonly attachments: AttachmentsState;
  #chat = $state.raw<ChatState | null>(null);
  #description = $state.raw<DescriptionState | null>(null);
  #presence = $state.raw<PresencePerson[]>([]);
  #isStaff = $state(false);
  #canWrite = $state(false);
  #isJoined = $state(false);
  #isRevoked = $state(false);
  #error = $state('');
  #extraMessage = $state('');
  readonly #extraTask = new Task();
  #staff = $state.raw<StaffDirectory>({ experts: [], officers: [] });
  #channel: RoomChannel | null = null;
  #stopWatching: (() => void) | null = null;
  #isClosed = false;

  constructor(
    readonly appealId: string,
    readonly me: { id: string; fullName: string; role: Role },
  ) {
    this.status = new StatusState(me.role);
    this.attachments = new AttachmentsState(appealId);
  }

  /** My colour: the one the others see in the presence list and on my caret. */
  get myColour(): string {
    return colourOf(this.me.id);
  }

  get appeal(): Appeal | null {
    return this.status.appeal;
  }

  get chat(): ChatState | null {
    return this.#chat;
  }

  get description(): DescriptionState | null {
    return this.#description;
  }

  get presence(): PresencePerson[] {
    return this.#presence;
  }

  /** Sees and writes internal notes (from the join ack). */
  get isStaff(): boolean {
    return this.#isStaff;
  }

  /** May write in the chat and the description (observers may not, nor anyone once the session has ended). */
  get canWrite(): boolean {
    return this.#canWrite && !this.connection.isEnded;
  }

  /**
   * The server ended this tab's session (a logout in another tab, a lock, an
   * expiry): the room stays on screen read-only, with one message, until the
   * person signs in again.
   */
  get isSessionEnded(): boolean {
    return this.connection.isEnded;
  }

  get isJoined(): boolean {
    return this.#isJoined;
  }

  get isRevoked(): boolean {
    return this.#isRevoked;
  }

  get error(): string {
    return this.#error;
  }

  /** Experts and the department's officers, for invite and reassign (officers only). */
  get staff(): StaffDirectory {
    return this.#staff;
  }

  /** Loads the staff directory; quietly empty for people who may not see it. */
  async loadStaff(): Promise<void> {
    try {
      this.#staff = await api('staff.get');
    } catch {
      this.#staff = { experts: [], officers: [] };
    }
  }

  /** Result of an operator/supervisor action (invite, reassign). */
  get extraMessage(): string {
    return this.#extraMessage;
  }

  get extraError(): string {
    return this.#extraTask.error;
  }

  async open(): Promise<void> {
    // The editor (Tiptap, ProseMirror, Yjs: most of the room's code) is a chunk of its own, fetched
    // alongside the appeal and the join: the case and the chat show without waiting for it.
    const editorModule = import('./DescriptionState.svelte');
    editorModule.catch(() => undefined);
    // The socket connects while the appeal loads (it is the tab's one connection, kept for the next room).
    const socket = realtimeSocket();
    try {
      this.status.setAppeal((await api('appeals.get', { params: { id: this.appealId } })).appeal);
    } catch (e) {
      this.#error = errorText(e);
      return;
    }
    if (this.#isClosed) return;
    const appeal = this.status.appeal;
    this.#canWrite = appeal?.canWrite ?? false;
    this.#stopWatching = this.connection.watchSocket(socket);
    const channel = new RoomChannel(socket, this.appealId, {
      onJoined: (joined) => {
        this.#isJoined = true;
        this.#presence = joined.presence;
        this.#isStaff = joined.isStaff;
        this.#canWrite = joined.canWrite;
        this.#description?.setEditable(joined.canWrite);
        this.#chat?.setReadMarks(joined.readMarks);
        if (joined.status !== this.status.status) this.status.applyPushed(joined.status);
      },
      onMessages: (messages) => this.#chat?.merge(messages),
      onHistory: (entries) => {
        this.status.mergeHistory(entries);
      },
      onStatus: (p) => {
        this.status.applyPushed(p.status);
        void this.#refreshAppeal();
      },
      onPresence: (people) => {
        this.#presence = people;
      },
      onTyping: (p) => this.#chat?.applyTyping(p.userId, p.name, p.isTyping),
      onRead: (p) => this.#chat?.applyRead(p.userId, p.seq),
      onAttachment: (p) => {
        this.attachments.apply(p.attachment);
      },
      onVersions: () => void this.#description?.loadVersions(),
      // A reassignment: «Исполнитель», the offered actions and the right to write follow at once.
      onAppealUpdated: () => void this.#refreshAppeal(),
      onRevoked: () => {
        this.#isRevoked = true;
        this.#canWrite = false;
        this.#description?.setEditable(false);
      },
      onError: (e) => {
        this.#error = errorText(e);
      },
    });
    this.#channel = channel;
    this.#chat = new ChatState(channel, this.me.id);
    const description = this.#openDescription(editorModule);
    try {
      await channel.open();
    } catch (e) {
      this.#error = errorText(e);
      return;
    }
    await Promise.all([
      this.#chat.loadLatest(),
      this.#loadHistory(),
      this.attachments.load(),
      description.then((d) => (d && this.#canWrite ? d.loadVersions() : undefined)),
    ]);
  }

  /** The shared description, once its chunk (the editor, Yjs) is in; null when the room closed meanwhile or the chunk failed. */
  async #openDescription(editorModule: Promise<{ DescriptionState: typeof DescriptionState }>): Promise<DescriptionState | null> {
    try {
      const { DescriptionState: Description } = await editorModule;
      if (this.#isClosed) return null;
      this.#description = new Description(this.appealId, this.connection, this.#canWrite);
      return this.#description;
    } catch (e) {
      this.#error = errorText(e);
      return null;
    }
  }

  close(): void {
    this.#isClosed = true;
    this.#chat?.setTyping(false);
    this.#chat?.dispose();
    this.#channel?.close();
    this.#description?.destroy();
    this.attachments.dispose();
    this.#stopWatching?.();
  }

  /** An officer invites an expert by user id. */
  async inviteExpert(expertId: string): Promise<boolean> {
    return this.#extra(() => api('appeals.inviteExpert', { params: { id: this.appealId }, body: { expertId: expertId.trim() } }), 'room.expertInvited');
  }

  /** An officer withdraws an expert's invitation: the expert leaves the room at once. */
  async removeExpert(expertId: string): Promise<boolean> {
    return this.#extra(() => api('appeals.removeExpert', { params: { id: this.appealId, expertId } }), 'room.expertRemoved');
  }

  /** A supervisor hands the appeal to another officer of the department. */
  async reassign(assigneeId: string): Promise<boolean> {
    return this.#extra(() => api('appeals.assign', { params: { id: this.appealId }, body: { assigneeId: assigneeId.trim() } }), 'room.reassigned');
  }

  #extra(call: () => Promise<{ appeal: Appeal }>, okKey: 'room.expertInvited' | 'room.expertRemoved' | 'room.reassigned'): Promise<boolean> {
    this.#extraMessage = '';
    return this.#extraTask.run(async () => {
      this.status.setAppeal((await call()).appeal);
      this.#extraMessage = t(okKey);
    });
  }

  async #refreshAppeal(): Promise<void> {
    try {
      const { appeal } = await api('appeals.get', { params: { id: this.appealId } });
      if (this.#isClosed || this.#isRevoked) return;
      this.status.setAppeal(appeal);
      // Taking the appeal makes a supervisor a writer; a reassignment may make them an observer again.
      if (appeal.canWrite !== this.#canWrite) {
        this.#canWrite = appeal.canWrite;
        this.#description?.setEditable(appeal.canWrite);
      }
    } catch {
      // Access may be gone (room:revoked follows); keep what is shown.
    }
  }

  async #loadHistory(): Promise<void> {
    try {
      const { items } = await api('appeals.history', { params: { id: this.appealId } });
      this.#channel?.deliverHistory(items);
    } catch (e) {
      this.#error = errorText(e);
    }
  }
}
