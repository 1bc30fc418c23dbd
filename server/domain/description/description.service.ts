/**
 * The shared description of each appeal: documents loaded on first open and
 * unloaded when the last handle is released (idle rooms hold no memory), every
 * accepted update durable before it is relayed, the log compacted, versions
 * kept, listed, viewed and restored, and the appeal's plain text kept in step.
 * Transports (the Yjs endpoint, HTTP) call this; it knows no socket.
 */
import * as Y from 'yjs';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Store } from '../../store/store.js';
import { notFound } from '../errors.js';
import type { AppealService } from '../appeals/appeal.service.js';
import type { RoomAccess } from '../rooms/room-access.js';
import type { Viewer } from '../viewer.js';
import { DescriptionRoom } from './description-room.js';
import type { DescriptionOptions, UpdateListener } from './room-context.js';
import { descriptionOf, htmlOf, plainTextOf } from './description-text.js';
import { DEFAULT_UPDATE_LIMITS } from './update-validation.js';

export type { DescriptionOptions, UpdateListener } from './room-context.js';

export const DEFAULT_DESCRIPTION_OPTIONS: DescriptionOptions = {
  compactEvery: 500,
  versionEveryMs: 10 * 60_000,
  textDebounceMs: 2_000,
  textMaxWaitMs: 10_000,
  limits: DEFAULT_UPDATE_LIMITS,
  sharedLog: false,
};

export interface DescriptionDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  roomAccess: RoomAccess;
  /** Keeps the appeal's plain-text description in step (the appeals area writes its own records). */
  appeals: Pick<AppealService, 'syncDescription'>;
  /** Told when a version is saved, so open rooms can refresh their version list. */
  onVersionSaved?: (appealId: string) => void;
  options?: Partial<DescriptionOptions>;
}

/** An open document; `release` exactly once. */
export interface DescriptionHandle {
  readonly room: DescriptionRoom;
  release(): void;
}

export interface VersionView {
  id: string;
  at: number;
  authors: { id: string; name: string }[];
}

export class DescriptionService {
  private readonly rooms = new Map<string, { room: DescriptionRoom; ready: Promise<void> }>();
  private readonly listeners = new Set<UpdateListener>();
  private readonly options: DescriptionOptions;

  constructor(private readonly d: DescriptionDeps) {
    this.options = { ...DEFAULT_DESCRIPTION_OPTIONS, ...d.options };
  }

  /** Durable updates, for relaying. */
  onUpdate(listener: UpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Documents currently held in memory. */
  loadedCount(): number {
    return this.rooms.size;
  }

  /** Opens (loading on first use) the appeal's document. The caller has checked access. */
  async open(appealId: string): Promise<DescriptionHandle> {
    for (;;) {
      let entry = this.rooms.get(appealId);
      if (entry?.room.closing) {
        await entry.room.closing;
        continue;
      }
      if (!entry) {
        const room = new DescriptionRoom(appealId, {
          store: this.d.store,
          clock: this.d.clock,
          logger: this.d.logger,
          options: this.options,
          emit: (id, update, origin) => {
            for (const l of this.listeners) l(id, update, origin);
          },
          onVersionSaved: (id) => {
            this.d.onVersionSaved?.(id);
          },
          syncText: (id, text, knownVersion) => this.d.appeals.syncDescription(id, text, knownVersion),
        });
        const created = { room, ready: room.load() };
        entry = created;
        this.rooms.set(appealId, created);
        created.ready.catch(() => {
          if (this.rooms.get(appealId) === created) this.rooms.delete(appealId);
          room.doc.destroy();
        });
      }
      const { room, ready } = entry;
      room.refs++;
      try {
        await ready;
      } catch (err) {
        room.refs--;
        throw err;
      }
      let released = false;
      return {
        room,
        release: () => {
          if (released) return;
          released = true;
          if (--room.refs === 0) this.unload(appealId, room);
        },
      };
    }
  }

  /** Versions, newest first, with their authors' names. */
  async listVersions(viewer: Viewer, appealId: string): Promise<VersionView[]> {
    await this.d.roomAccess.enter(viewer, appealId);
    const versions = await this.d.store.yjs.listVersions(appealId);
    const names = await this.namesOf(versions.flatMap((v) => v.authorIds));
    return versions.map((v) => ({ id: v.id, at: v.at, authors: v.authorIds.map((id) => ({ id, name: names.get(id) ?? '' })) }));
  }

  /** One version's content as plain text and safe HTML. */
  async getVersion(viewer: Viewer, appealId: string, versionId: string): Promise<VersionView & { text: string; html: string }> {
    await this.d.roomAccess.enter(viewer, appealId);
    const version = await this.d.store.yjs.getVersion(appealId, versionId);
    if (!version) throw notFound('Версия не найдена');
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, version.state);
      const names = await this.namesOf(version.authorIds);
      const fragment = descriptionOf(doc);
      return {
        id: version.id,
        at: version.at,
        authors: version.authorIds.map((id) => ({ id, name: names.get(id) ?? '' })),
        text: plainTextOf(fragment),
        html: htmlOf(fragment),
      };
    } finally {
      doc.destroy();
    }
  }

  /** Restores a version as a new update; every connected client converges to it. */
  async restore(viewer: Viewer, appealId: string, versionId: string): Promise<{ text: string }> {
    await this.d.roomAccess.write(viewer, appealId);
    const version = await this.d.store.yjs.getVersion(appealId, versionId);
    if (!version) throw notFound('Версия не найдена');
    const handle = await this.open(appealId);
    try {
      await handle.room.restore(version.state, viewer.id);
      return { text: plainTextOf(descriptionOf(handle.room.doc)) };
    } finally {
      handle.release();
    }
  }

  /**
   * Puts `text` into the appeal's document as an edit by `authorId` (loading
   * the document if no one has it open): the way a text written outside the
   * editor (a correction through the API) becomes the description without the
   * document writing its own text back over it. The caller has checked the
   * right to change it. Resolves with the text before.
   */
  async replaceText(appealId: string, text: string, authorId: string): Promise<{ changed: boolean; previous: string }> {
    const handle = await this.open(appealId);
    try {
      return await handle.room.replaceText(text, authorId);
    } finally {
      handle.release();
    }
  }

  /** Shutdown: saves, compacts and releases every loaded document, whoever holds it. */
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.rooms].map(async ([appealId, { room, ready }]) => {
        try {
          await ready;
        } catch {
          return;
        }
        room.refs = 0;
        this.unload(appealId, room);
        await room.closing;
      }),
    );
  }

  private unload(appealId: string, room: DescriptionRoom): void {
    room.closing ??= room
      .unload()
      .catch((err: unknown) => {
        this.d.logger.error('description unload failed', { appealId, error: String(err) });
      })
      .finally(() => {
        if (this.rooms.get(appealId)?.room === room) this.rooms.delete(appealId);
      });
  }

  private async namesOf(ids: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of new Set(ids)) names.set(id, (await this.d.store.users.get(id))?.fullName ?? '');
    return names;
  }
}
