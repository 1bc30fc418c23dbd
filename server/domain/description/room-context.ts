/**
 * What a description room runs in: its options, the ports it calls (the store,
 * the relay to peers, the plain-text sync, version notices), and the seed of a
 * document that has no log yet.
 */
import * as Y from 'yjs';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Store } from '../../store/store.js';
import { descriptionOf, paragraphsFrom } from './description-text.js';
import type { UpdateLimits } from './update-validation.js';

export interface DescriptionOptions {
  /** Log rows past which the log is merged into one update. */
  compactEvery: number;
  /** While editing goes on, a version snapshot at most this often. */
  versionEveryMs: number;
  /** The appeal's plain-text description is rewritten once editing has paused this long… */
  textDebounceMs: number;
  /** …or, while editing goes on, about this long after the first change it lacks (±20 %, so rooms do not write in step). */
  textMaxWaitMs: number;
  limits: UpdateLimits;
  /**
   * Other instances append to the same logs (`REDIS_URL`). A compaction then
   * merges the stored log instead of writing this instance's document, which
   * may not yet hold an update another instance has stored.
   */
  sharedLog: boolean;
}

/** The origin of an update another instance stored and relayed (applied here, never stored again). */
export const REMOTE_ORIGIN = Symbol('another instance');

/** Called after an update is durable: relay it to every peer but `origin`. */
export type UpdateListener = (appealId: string, update: Uint8Array, origin: unknown) => void;

export interface RoomContext {
  store: Store;
  clock: Clock;
  logger: Logger;
  options: DescriptionOptions;
  emit: UpdateListener;
  onVersionSaved: (appealId: string) => void;
  /**
   * Writes the appeal's plain-text description (AppealService.syncDescription:
   * the appeals area keeps its own records, with their journal entry and
   * event); returns the version written, or null.
   */
  syncText: (appealId: string, text: string, knownVersion: number | null) => Promise<number | null>;
}

/**
 * The first content of a document with no log: the appeal's plain text, made
 * by a Yjs client whose id derives from the appeal id. Two instances that load
 * the same empty log at once (`REDIS_URL`) make the very same structs, which
 * Yjs merges into one copy instead of two.
 */
export function seedUpdate(appealId: string, text: string): Uint8Array {
  const doc = new Y.Doc();
  try {
    let h = 2166136261;
    for (let i = 0; i < appealId.length; i++) h = Math.imul(h ^ appealId.charCodeAt(i), 16777619);
    doc.clientID = h >>> 0;
    descriptionOf(doc).insert(0, paragraphsFrom(text));
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
