/**
 * The recovery adapter's log of broadcast packets, in a form the garbage
 * collector never copies.
 *
 * Connection state recovery keeps every broadcast for a minute. Kept as one
 * object per packet (its JSON in a Buffer, its rooms and exceptions in two
 * arrays), each packet left ~300 bytes of JS heap that outlived two
 * scavenges: under the chat benchmark's 900 broadcasts a second that was
 * ~0.3 MB promoted to the old generation every second (8.6 MB after 30 s,
 * measured with `--heap-prof`), copied on the way by every scavenge — a
 * quarter of the collector's time (docs/bench.md, "Tenth session").
 *
 * Here a packet is a slot in parallel typed arrays (time, chunk, offset,
 * length, target), its JSON is written as UTF-8 into large off-heap chunks,
 * and its target — the rooms it went to and the rooms it skipped — is an id
 * into a table of the distinct targets in use (a room's broadcasts share one),
 * released when the last packet using it leaves. Nothing per packet is a JS
 * object. Packets are numbered consecutively; they leave in the order they came.
 */

/** Bytes per chunk of JSON (a packet larger than this gets a chunk of its own). */
const CHUNK_BYTES = 256 * 1024;
const FIRST_CAPACITY = 1024;

interface Target {
  id: number;
  /** Its key in `targets`. */
  key: string;
  rooms: readonly string[];
  except: readonly string[];
  /** Packets held that use it. */
  refs: number;
}

interface Chunk {
  bytes: Buffer;
  used: number;
  /** Number of the last packet written into it. */
  lastN: number;
}

export class PacketLog {
  private capacity = FIRST_CAPACITY;
  private at = new Float64Array(FIRST_CAPACITY);
  private chunkOf = new Int32Array(FIRST_CAPACITY);
  private start = new Int32Array(FIRST_CAPACITY);
  private length = new Int32Array(FIRST_CAPACITY);
  private targetOf = new Int32Array(FIRST_CAPACITY);
  /** Ring index of the oldest packet held. */
  private head = 0;
  private count = 0;
  /** Number of the oldest packet held (the next one's when none is). */
  private firstN = 0;
  /** Chunks in use, oldest first; `chunkBase` is the id of chunks[0]. */
  private chunks: Chunk[] = [];
  private chunkBase = 0;
  private readonly targets = new Map<string, Target>();
  private readonly targetsById = new Map<number, Target>();
  private nextTargetId = 0;

  /** Packets held. */
  get size(): number {
    return this.count;
  }

  /** The number the next packet will get. */
  get nextN(): number {
    return this.firstN + this.count;
  }

  /** Keeps a packet's JSON, sent at `at` to `rooms` (all when empty) but not to `except`; returns its number. */
  push(json: string, at: number, rooms: Iterable<string>, except: Iterable<string>): number {
    if (this.count === this.capacity) this.grow();
    const n = this.nextN;
    const slot = (this.head + this.count) & (this.capacity - 1);
    const [chunkId, pos, len] = this.write(json, n);
    this.at[slot] = at;
    this.chunkOf[slot] = chunkId;
    this.start[slot] = pos;
    this.length[slot] = len;
    this.targetOf[slot] = this.retain([...rooms], [...except]);
    this.count++;
    return n;
  }

  /** Drops the packets kept before `threshold`. */
  dropBefore(threshold: number): void {
    while (this.count > 0 && (this.at[this.head] ?? Infinity) < threshold) {
      this.release(this.targetOf[this.head] ?? -1);
      this.head = (this.head + 1) & (this.capacity - 1);
      this.count--;
      this.firstN++;
    }
    // Chunks whose every packet is gone.
    let drop = 0;
    while (drop < this.chunks.length - 1 && (this.chunks[drop]?.lastN ?? Infinity) < this.firstN) drop++;
    if (this.count === 0) drop = this.chunks.length;
    if (drop > 0) {
      this.chunks = this.chunks.slice(drop);
      this.chunkBase += drop;
    }
  }

  /** Whether packet `n` is held. */
  holds(n: number): boolean {
    return Number.isInteger(n) && n >= this.firstN && n < this.nextN;
  }

  /**
   * The JSON of the packets after `n` (which must be held) that a session in
   * `rooms` received: sent to all or to one of its rooms, and skipping none of them.
   */
  after(n: number, rooms: readonly string[]): string[] {
    const out: string[] = [];
    for (let m = n + 1; m < this.nextN; m++) {
      const slot = (this.head + (m - this.firstN)) & (this.capacity - 1);
      const target = this.targetsById.get(this.targetOf[slot] ?? -1);
      if (!target) continue;
      const included = target.rooms.length === 0 || rooms.some((r) => target.rooms.includes(r));
      if (!included || rooms.some((r) => target.except.includes(r))) continue;
      const chunk = this.chunks[(this.chunkOf[slot] ?? 0) - this.chunkBase];
      const pos = this.start[slot] ?? 0;
      if (chunk) out.push(chunk.bytes.toString('utf8', pos, pos + (this.length[slot] ?? 0)));
    }
    return out;
  }

  private write(json: string, n: number): [chunkId: number, pos: number, len: number] {
    const len = Buffer.byteLength(json);
    let chunk = this.chunks.at(-1);
    if (!chunk || chunk.used + len > chunk.bytes.length) {
      chunk = { bytes: Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, len)), used: 0, lastN: n };
      this.chunks.push(chunk);
    }
    const pos = chunk.used;
    chunk.bytes.write(json, pos, len, 'utf8');
    chunk.used += len;
    chunk.lastN = n;
    return [this.chunkBase + this.chunks.length - 1, pos, len];
  }

  private retain(rooms: string[], except: string[]): number {
    const key = `${rooms.join('\n')}\u0000${except.join('\n')}`;
    let target = this.targets.get(key);
    if (!target) {
      target = { id: this.nextTargetId++, key, rooms, except, refs: 0 };
      this.targets.set(key, target);
      this.targetsById.set(target.id, target);
    }
    target.refs++;
    return target.id;
  }

  private release(id: number): void {
    const target = this.targetsById.get(id);
    if (!target || --target.refs > 0) return;
    this.targetsById.delete(id);
    this.targets.delete(target.key);
  }

  /** Doubles the ring, the oldest packet moving to slot 0. */
  private grow(): void {
    const capacity = this.capacity * 2;
    const move = <A extends Float64Array | Int32Array>(old: A, fresh: A): A => {
      for (let i = 0; i < this.count; i++) fresh[i] = old[(this.head + i) & (this.capacity - 1)] ?? 0;
      return fresh;
    };
    this.at = move(this.at, new Float64Array(capacity));
    this.chunkOf = move(this.chunkOf, new Int32Array(capacity));
    this.start = move(this.start, new Int32Array(capacity));
    this.length = move(this.length, new Int32Array(capacity));
    this.targetOf = move(this.targetOf, new Int32Array(capacity));
    this.head = 0;
    this.capacity = capacity;
  }
}
