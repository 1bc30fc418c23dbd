/**
 * Warning lines about refused Yjs frames, rate-limited. Anyone with an account
 * can open connection after connection and send a bad frame on each (every
 * refusal closes its connection, so one connection reports once): one line per
 * refusal let a client write thousands of lines a minute. Within a window each
 * user (or other source) gets a few lines and the window a few more in all;
 * the rest are counted by reason, and one summary line says what was left out
 * when the window ends.
 */
import type { Logger } from '../../lib/logger.js';

export interface RefusalLogOptions {
  /** Length of one window. */
  windowMs: number;
  /** Lines one user (or other source) may cause per window. */
  perUser: number;
  /** Lines per window, all sources together. */
  perWindow: number;
}

export const DEFAULT_REFUSAL_LOG: RefusalLogOptions = { windowMs: 60_000, perUser: 3, perWindow: 20 };

/** Distinct reasons counted per window; more go under `other` (some carry a message from Yjs). */
const MAX_REASONS = 32;
/** Distinct sources counted per window for the summary. */
const MAX_SOURCES = 10_000;

export class RefusalLog {
  private windowStart = Number.NEGATIVE_INFINITY;
  private lines = 0;
  private readonly linesBySource = new Map<string, number>();
  private suppressed = 0;
  private readonly suppressedByReason = new Map<string, number>();
  private readonly suppressedSources = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  /** `line`: the message of each warning; `summary`: the message of the window's summary. */
  constructor(
    private readonly logger: Logger,
    private readonly messages: { line: string; summary: string },
    private readonly o: RefusalLogOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** One refusal from `source` (a user id): a warning line while the source and the window have lines left, else counted. */
  note(source: string, reason: string, fields: Record<string, unknown>): void {
    const t = this.now();
    if (t - this.windowStart >= this.o.windowMs) {
      this.flush();
      this.windowStart = t;
    }
    const used = this.linesBySource.get(source) ?? 0;
    if (used < this.o.perUser && this.lines < this.o.perWindow) {
      this.linesBySource.set(source, used + 1);
      this.lines++;
      this.logger.warn(this.messages.line, { ...fields, reason });
      return;
    }
    this.suppressed++;
    const key = this.suppressedByReason.has(reason) || this.suppressedByReason.size < MAX_REASONS ? reason : 'other';
    this.suppressedByReason.set(key, (this.suppressedByReason.get(key) ?? 0) + 1);
    if (this.suppressedSources.size < MAX_SOURCES) this.suppressedSources.add(source);
    // The summary is written when the window ends, even if nothing else is refused by then.
    if (!this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.flush();
        },
        Math.max(0, this.windowStart + this.o.windowMs - t),
      );
      this.timer.unref();
    }
  }

  /** Writes the window's summary if anything was left out, and ends the window (also at shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.suppressed > 0) {
      this.logger.warn(this.messages.summary, {
        suppressed: this.suppressed,
        byReason: Object.fromEntries(this.suppressedByReason),
        sources: this.suppressedSources.size,
        windowMs: this.o.windowMs,
      });
    }
    this.windowStart = Number.NEGATIVE_INFINITY;
    this.lines = 0;
    this.linesBySource.clear();
    this.suppressed = 0;
    this.suppressedByReason.clear();
    this.suppressedSources.clear();
  }
}
