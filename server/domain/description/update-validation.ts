/**
 * Bounded decoding of untrusted Yjs updates (yjs issue 687).
 *
 * Yjs trusts the counts written in an update: `readClientsStructRefs` allocates
 * `new Array(numberOfStructs)` and loops that many times, and the V2 format's
 * run-length decoders keep returning the last value after the input ends, so a
 * few bytes can claim millions of structs. We therefore never hand a client's
 * bytes to Yjs before this module has walked the whole update itself, with its
 * own reader that throws at the end of the input, checking every count against
 * the bytes that are left. Only the V1 format is accepted (it is what the
 * y-websocket sync protocol carries); in V1 every struct costs at least two
 * bytes, so the struct count of an accepted update is bounded by its size.
 *
 * What the walk also learns — which clock ranges the update adds and which IDs
 * it depends on — lets the caller refuse an update whose dependencies the
 * document lacks, so nothing is ever parked in Yjs's pending-structs buffer
 * (which would otherwise grow with every such update and be re-merged each time).
 */

/** Why an update was refused; the transport maps it to a close code. */
export class UpdateRejected extends Error {
  constructor(readonly reason: string) {
    super(`update rejected: ${reason}`);
    this.name = 'UpdateRejected';
  }
}

/** Hard limits on one update. */
export interface UpdateLimits {
  /** Bytes of one update. */
  maxBytes: number;
  /** Largest clock (or clock + length) an update may mention. */
  maxClock: number;
  /** Nesting depth of `any` values (attributes, embeds). */
  maxAnyDepth: number;
  /** The only root type a client may write to (Tiptap's Collaboration binds `default`). */
  rootName: string;
}

export const DEFAULT_UPDATE_LIMITS: UpdateLimits = {
  maxBytes: 256 * 1024,
  maxClock: 2 ** 31,
  maxAnyDepth: 16,
  rootName: 'default',
};

/** What the walk found: the clock range each client adds, the IDs it needs, the deletions. */
export interface UpdateSummary {
  bytes: number;
  structs: number;
  /** client → [first clock, end clock) of its structs in this update. */
  ranges: Map<number, { start: number; end: number }>;
  /** IDs the new structs point at (origins, parents). */
  dependencies: { client: number; clock: number }[];
  /** Deleted ranges. */
  deletes: { client: number; clock: number; len: number }[];
}

const fail = (reason: string): never => {
  throw new UpdateRejected(reason);
};

/** A reader over untrusted bytes: every read is bounds-checked and throws at the end. */
export class BoundedReader {
  pos = 0;
  constructor(private readonly arr: Uint8Array) {}

  get remaining(): number {
    return this.arr.length - this.pos;
  }

  uint8(): number {
    const b = this.arr[this.pos];
    if (b === undefined) return fail('unexpected end');
    this.pos++;
    return b;
  }

  /** An unsigned varint, at most 8 bytes (2^56 is past any safe value; larger is refused). */
  varUint(): number {
    let num = 0;
    let mult = 1;
    for (let i = 0; i < 8; i++) {
      const r = this.uint8();
      num += (r & 0x7f) * mult;
      if (r < 0x80) {
        if (num > Number.MAX_SAFE_INTEGER) fail('integer out of range');
        return num;
      }
      mult *= 128;
    }
    return fail('varint too long');
  }

  /** A count that must fit in what is left, each element taking at least `minBytes`. */
  count(minBytes: number): number {
    const n = this.varUint();
    if (n * minBytes > this.remaining) fail('count larger than the message');
    return n;
  }

  /** A signed varint (lib0 layout), skipped. */
  skipVarInt(): void {
    for (let i = 0; i < 8; i++) if (this.uint8() < 0x80) return;
    fail('varint too long');
  }

  bytes(): Uint8Array {
    const len = this.varUint();
    if (len > this.remaining) fail('length larger than the message');
    const out = this.arr.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes());
  }

  skip(n: number): void {
    if (n > this.remaining) fail('unexpected end');
    this.pos += n;
  }
}

/** Skips one lib0 `any` value, refusing deep nesting and counts the bytes cannot hold. */
function skipAny(r: BoundedReader, depth: number, limits: UpdateLimits): void {
  if (depth > limits.maxAnyDepth) fail('value nested too deep');
  const type = r.uint8();
  switch (type) {
    case 127:
    case 126:
    case 121:
    case 120:
      return; // undefined, null, false, true
    case 125:
      r.skipVarInt();
      return;
    case 124:
      r.skip(4);
      return;
    case 123:
    case 122:
      r.skip(8);
      return;
    case 119:
    case 116:
      r.bytes();
      return; // string, Uint8Array
    case 118: {
      // object
      const n = r.count(2);
      for (let i = 0; i < n; i++) {
        r.bytes();
        skipAny(r, depth + 1, limits);
      }
      return;
    }
    case 117: {
      // array
      const n = r.count(1);
      for (let i = 0; i < n; i++) skipAny(r, depth + 1, limits);
      return;
    }
    default:
      fail('unknown value type');
  }
}

const parseJson = (s: string): void => {
  try {
    JSON.parse(s);
  } catch {
    fail('bad JSON content');
  }
};

/** Reads one item's content and returns its length in clock units. */
function readContent(r: BoundedReader, ref: number, limits: UpdateLimits): number {
  switch (ref) {
    case 1: {
      // deleted
      const len = r.varUint();
      if (len < 1 || len > limits.maxClock) fail('bad deleted length');
      return len;
    }
    case 2: {
      // JSON
      const n = r.count(1);
      for (let i = 0; i < n; i++) {
        const s = r.string();
        if (s !== 'undefined') parseJson(s);
      }
      return n;
    }
    case 3:
      r.bytes();
      return 1; // binary
    case 4: {
      // string: length in UTF-16 code units, as Yjs counts it
      const s = r.string();
      if (s.length === 0) fail('empty string content');
      return s.length;
    }
    case 5:
      parseJson(r.string());
      return 1; // embed
    case 6:
      r.bytes();
      parseJson(r.string());
      return 1; // format: key, value
    case 7: {
      // type
      const typeRef = r.varUint();
      if (typeRef > 6) fail('unknown type');
      if (typeRef === 3 || typeRef === 5) r.bytes(); // XmlElement / XmlHook name
      return 1;
    }
    case 8: {
      // any
      const n = r.count(1);
      if (n === 0) fail('empty content');
      for (let i = 0; i < n; i++) skipAny(r, 0, limits);
      return n;
    }
    case 9:
      return fail('subdocuments are not accepted');
    default:
      return fail('unknown content');
  }
}

function readId(r: BoundedReader, limits: UpdateLimits): { client: number; clock: number } {
  const client = r.varUint();
  const clock = r.varUint();
  if (clock > limits.maxClock) fail('clock out of range');
  return { client, clock };
}

/**
 * Walks a V1 update completely without building anything, enforcing the limits.
 * Throws UpdateRejected when the bytes are malformed, truncated, oversized, or
 * claim more than they can hold; returns what the update adds and needs.
 */
export function inspectUpdate(update: Uint8Array, limits: UpdateLimits = DEFAULT_UPDATE_LIMITS): UpdateSummary {
  if (update.length > limits.maxBytes) fail('update too large');
  const r = new BoundedReader(update);
  const summary: UpdateSummary = { bytes: update.length, structs: 0, ranges: new Map(), dependencies: [], deletes: [] };

  const clients = r.count(3);
  for (let c = 0; c < clients; c++) {
    const structs = r.count(2);
    const client = r.varUint();
    let clock = r.varUint();
    if (summary.ranges.has(client)) fail('client listed twice');
    const start = clock;
    for (let i = 0; i < structs; i++) {
      const info = r.uint8();
      const ref = info & 0x1f;
      let len: number;
      if (ref === 0) {
        len = r.varUint(); // GC
        if (len < 1) fail('bad GC length');
      } else if (ref === 10) {
        return fail('skip structs are not accepted'); // a gap: the update is missing history
      } else {
        const hasOrigin = (info & 0x80) !== 0;
        const hasRightOrigin = (info & 0x40) !== 0;
        if (hasOrigin) summary.dependencies.push(readId(r, limits));
        if (hasRightOrigin) summary.dependencies.push(readId(r, limits));
        if (!hasOrigin && !hasRightOrigin) {
          const parentIsRoot = r.varUint() === 1;
          if (parentIsRoot) {
            if (r.string() !== limits.rootName) fail('unknown root type');
          } else {
            summary.dependencies.push(readId(r, limits));
          }
          if ((info & 0x20) !== 0) r.bytes(); // parentSub (map key)
        }
        len = readContent(r, ref, limits);
      }
      clock += len;
      if (clock > limits.maxClock) fail('clock out of range');
    }
    summary.structs += structs;
    if (structs > 0) summary.ranges.set(client, { start, end: clock });
  }

  const dsClients = r.count(2);
  for (let c = 0; c < dsClients; c++) {
    const client = r.varUint();
    const n = r.count(2);
    for (let i = 0; i < n; i++) {
      const clock = r.varUint();
      const len = r.varUint();
      if (clock + len > limits.maxClock) fail('delete range out of range');
      summary.deletes.push({ client, clock, len });
    }
  }
  if (r.remaining !== 0) fail('trailing bytes');
  return summary;
}

/**
 * Whether every struct and deletion of the update can be integrated into a
 * document with the given state vector right away (nothing would be left
 * pending): each client's new range starts at or before what the document
 * has, and every referenced ID is in the document or in the update.
 */
export function hasAllDependencies(summary: UpdateSummary, state: Pick<Map<number, number>, 'get'>): boolean {
  for (const [client, range] of summary.ranges) {
    if (range.start > (state.get(client) ?? 0)) return false;
  }
  const known = (client: number): number => Math.max(state.get(client) ?? 0, summary.ranges.get(client)?.end ?? 0);
  for (const dep of summary.dependencies) if (dep.clock >= known(dep.client)) return false;
  for (const d of summary.deletes) if (d.clock + d.len > known(d.client)) return false;
  return true;
}

/** Checks a state vector (sync step 1) the same bounded way; returns it decoded. */
export function inspectStateVector(sv: Uint8Array, limits: UpdateLimits = DEFAULT_UPDATE_LIMITS): Map<number, number> {
  if (sv.length > limits.maxBytes) fail('state vector too large');
  const r = new BoundedReader(sv);
  const n = r.count(2);
  const out = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const client = r.varUint();
    const clock = r.varUint();
    out.set(client, clock);
  }
  if (r.remaining !== 0) fail('trailing bytes');
  return out;
}
