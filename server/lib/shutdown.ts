/**
 * Ordered shutdown: steps run in the order they were registered (stop accepting,
 * flush documents, close the store), each awaited, errors logged and passed over.
 */
import type { Logger } from './logger.js';

export class Shutdown {
  private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly logger: Logger) {}

  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps) {
        try {
          await step.run();
        } catch (err) {
          this.logger.error('shutdown step failed', { step: step.name, error: String(err) });
        }
      }
    })();
    return this.running;
  }
}
