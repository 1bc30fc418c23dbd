/**
 * The audit journal's hash chain. Each entry carries the hash of the one before
 * it, so a changed or removed entry breaks the chain at that point. Adapters
 * seal an entry with `sealAuditEntry` while they hold the journal's write order
 * (inside the SQLite write, under MongoDB's unique seq index); the journal's
 * verifier recomputes the same hash.
 */
import { createHash } from 'node:crypto';
import type { AuditRecord } from './records.js';

/** The genesis "previous hash". */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry as the domain writes it; the store numbers, links and hashes it. */
export type AuditDraft = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;

/** The hash of an entry: over every field but the hash itself, in a fixed order. */
export function hashAuditEntry(e: Omit<AuditRecord, 'hash'>): string {
  const canonical = JSON.stringify([e.seq, e.at, e.actorId, e.action, e.subjectType, e.subjectId, e.details, e.prevHash]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The entry that follows `last` (null: the journal is empty). Throws when the
 * draft cannot be hashed (details that are not JSON, such as a BigInt), before
 * anything is written.
 */
export function sealAuditEntry(last: Pick<AuditRecord, 'seq' | 'hash'> | null, draft: AuditDraft): AuditRecord {
  const body = {
    seq: (last?.seq ?? 0) + 1,
    at: draft.at,
    actorId: draft.actorId,
    action: draft.action,
    subjectType: draft.subjectType,
    subjectId: draft.subjectId,
    details: draft.details,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  return { ...body, hash: hashAuditEntry(body) };
}
