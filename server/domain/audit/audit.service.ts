/**
 * The audit journal: append-only, each entry carrying the hash of the previous
 * one, so a changed or removed entry breaks the chain at that point.
 */
import type { Clock } from '../../lib/clock.js';
import { GENESIS_HASH, hashAuditEntry } from '../../store/audit-chain.js';
import type { AuditDraft, AuditRecord, AuditRepo, Store } from '../../store/store.js';

export interface AuditEntryInput {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  /** Ids, codes and counts; no personal data, except an attachment entry's file name (PRODUCT.md §4 journals it). */
  details?: Record<string, unknown>;
}

export class AuditService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  record(input: AuditEntryInput): Promise<AuditRecord> {
    return this.store.audit.append(this.draft(input));
  }

  /** The entry as the store will seal it, for a write that appends it itself (a status change). */
  draft(input: AuditEntryInput): AuditDraft {
    return {
      at: this.clock.now(),
      actorId: input.actorId,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      details: input.details ?? {},
    };
  }
}

/**
 * Walks the whole chain through `list` (a store's, or a read-only reader's);
 * returns the first entry whose link or hash is wrong, or the count when the
 * chain is intact.
 */
export async function verifyAuditChain(
  list: AuditRepo['list'],
  batch = 1000,
): Promise<{ ok: true; count: number } | { ok: false; seq: number; reason: string }> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (;;) {
    const entries = await list(expectedSeq - 1, batch);
    for (const e of entries) {
      if (e.seq !== expectedSeq) return { ok: false, seq: expectedSeq, reason: `entry ${expectedSeq} is missing` };
      if (e.prevHash !== prevHash) return { ok: false, seq: e.seq, reason: 'prevHash does not match the previous entry' };
      const { hash, ...rest } = e;
      if (hashAuditEntry(rest) !== hash) return { ok: false, seq: e.seq, reason: 'hash does not match the entry content' };
      prevHash = hash;
      expectedSeq++;
    }
    if (entries.length < batch) return { ok: true, count: expectedSeq - 1 };
  }
}
