/**
 * The audit journal: append-only, each entry carrying the hash of the previous
 * one, so a changed or removed entry breaks the chain at that point.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { AuditRecord, Store } from '../../store/store.js';

/** The genesis "previous hash". */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntryInput {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  /** Ids, codes and counts only; never personal data. */
  details?: Record<string, unknown>;
}

/** The hash of an entry: over every field but the hash itself, in a fixed order. */
export function hashEntry(e: Omit<AuditRecord, 'hash'>): string {
  const canonical = JSON.stringify([e.seq, e.at, e.actorId, e.action, e.subjectType, e.subjectId, e.details, e.prevHash]);
  return createHash('sha256').update(canonical).digest('hex');
}

export class AuditService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async record(input: AuditEntryInput): Promise<AuditRecord> {
    const at = this.clock.now();
    return this.store.audit.append((last) => {
      const base = {
        seq: (last?.seq ?? 0) + 1,
        at,
        actorId: input.actorId,
        action: input.action,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        details: input.details ?? {},
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      return { ...base, hash: hashEntry(base) };
    });
  }

  /**
   * Walks the whole chain; returns the first entry whose link or hash is wrong,
   * or null when the chain is intact.
   */
  async verify(batch = 1000): Promise<{ ok: true; count: number } | { ok: false; seq: number; reason: string }> {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    for (;;) {
      const entries = await this.store.audit.list(expectedSeq - 1, batch);
      for (const e of entries) {
        if (e.seq !== expectedSeq) return { ok: false, seq: expectedSeq, reason: `entry ${expectedSeq} is missing` };
        if (e.prevHash !== prevHash) return { ok: false, seq: e.seq, reason: 'prevHash does not match the previous entry' };
        const { hash, ...rest } = e;
        if (hashEntry(rest) !== hash) return { ok: false, seq: e.seq, reason: 'hash does not match the entry content' };
        prevHash = hash;
        expectedSeq++;
      }
      if (entries.length < batch) return { ok: true, count: expectedSeq - 1 };
    }
  }
}
