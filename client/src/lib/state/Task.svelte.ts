/**
 * The busy flag and the error text of an action (a save, a load, a send): what
 * every form and list shows while it works and after it fails. One Task per
 * thing the page shows a spinner or an error for.
 */
import { errorText } from '../validation';

export class Task {
  /**
   * Runs in progress (runs may overlap: two rows saved at once). A plain field:
   * a run started inside an effect must not make the effect depend on it.
   */
  #running = 0;
  #isBusy = $state(false);
  #error = $state('');

  get isBusy(): boolean {
    return this.#isBusy;
  }

  /** The last failure's text in the current language; cleared when a run starts. */
  get error(): string {
    return this.#error;
  }

  /**
   * Runs `work` and resolves true, or false once it threw: the error is shown
   * as `error` unless `onError` returns true (it showed it itself, beside a
   * field; any other return, or none, leaves it to `error`). Never rejects. Writes its state without reading it, so that it may
   * start inside an effect.
   */
  async run(work: () => Promise<unknown>, onError?: (e: unknown) => unknown): Promise<boolean> {
    this.#error = '';
    this.#running += 1;
    this.#isBusy = true;
    try {
      await work();
      return true;
    } catch (e) {
      if (onError?.(e) !== true) this.#error = errorText(e);
      return false;
    } finally {
      this.#running -= 1;
      this.#isBusy = this.#running > 0;
    }
  }

  /** Shows a failure found without running anything (a check in the browser). */
  fail(message: string): void {
    this.#error = message;
  }

  clear(): void {
    this.#error = '';
  }
}
