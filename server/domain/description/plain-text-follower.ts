/**
 * Keeps the appeal's plain-text description following the co-edited document:
 * once editing has paused for `textDebounceMs`, or, while it goes on, about
 * `textMaxWaitMs` after the first change the text lacks (±20 %, so rooms do not
 * write in step). One timer per room, not one per keystroke: when it fires it
 * looks at how long editing has paused, and waits again while the maximum
 * allows. The write itself belongs to the appeals area (`write`).
 */
import type { Logger } from '../../lib/logger.js';

export interface FollowerOptions {
  textDebounceMs: number;
  textMaxWaitMs: number;
}

/** The pending rewrite (times from `performance.now()`). */
interface Pending {
  timer: NodeJS.Timeout;
  lastChangeAt: number;
  /** Written by then even if editing goes on. */
  deadline: number;
}

export class PlainTextFollower {
  private pending: Pending | null = null;
  private synced: string | null = null;
  /** The appeal's version as last read or written (the compare-and-set of the text). */
  private version: number | null = null;

  constructor(
    private readonly appealId: string,
    private readonly options: FollowerOptions,
    /** The document's text now. */
    private readonly textOf: () => string,
    /** Writes it; returns the appeal's version after, or null. */
    private readonly write: (text: string, knownVersion: number | null) => Promise<number | null>,
    private readonly logger: Logger,
  ) {}

  /** What the appeal holds when the document is loaded. */
  start(text: string | null, version: number | null): void {
    this.synced = text;
    this.version = version;
  }

  /** The document changed. */
  noteChange(): void {
    if (this.pending) {
      this.pending.lastChangeAt = performance.now();
      return;
    }
    const now = performance.now();
    this.pending = {
      timer: setTimeout(() => {
        this.onTimer();
      }, this.options.textDebounceMs),
      lastChangeAt: now,
      deadline: now + this.options.textMaxWaitMs * (0.8 + 0.4 * Math.random()),
    };
  }

  /** Cancels the timer and writes at once what is owed (unload). */
  async flush(): Promise<void> {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = null;
    await this.writeNow();
  }

  private onTimer(): void {
    const pending = this.pending;
    if (!pending) return;
    const wait = Math.min(pending.lastChangeAt + this.options.textDebounceMs, pending.deadline) - performance.now();
    if (wait > 1) {
      pending.timer = setTimeout(() => {
        this.onTimer();
      }, wait);
      return;
    }
    this.pending = null;
    this.writeNow().catch((err: unknown) => {
      this.logger.error('description text sync failed', { appealId: this.appealId, error: String(err) });
    });
  }

  private async writeNow(): Promise<void> {
    const text = this.textOf();
    if (text === this.synced) return;
    this.version = await this.write(text, this.version);
    this.synced = text;
  }
}
