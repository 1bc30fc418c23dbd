import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { i18n } from '../i18n/i18n.svelte';
import { Task } from './Task.svelte';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Task', () => {
  it('is busy while any of its runs is in flight, overlapping runs included', async () => {
    const task = new Task();
    const a = deferred();
    const b = deferred();
    const first = task.run(() => a.promise);
    const second = task.run(() => b.promise);
    expect(task.isBusy).toBe(true);
    a.resolve();
    expect(await first).toBe(true);
    expect(task.isBusy).toBe(true);
    b.resolve();
    expect(await second).toBe(true);
    expect(task.isBusy).toBe(false);
  });

  it('resolves false with the error text in the current language instead of rejecting, and clears it on the next run', async () => {
    i18n.setLocale('ru');
    const task = new Task();
    expect(await task.run(() => Promise.reject(new ApiError(0, 'INTERNAL', 'network')))).toBe(false);
    expect(task.isBusy).toBe(false);
    expect(task.error).toBe(i18n.t('error.network'));
    const next = deferred();
    const run = task.run(() => next.promise);
    expect(task.error).toBe('');
    next.resolve();
    await run;
  });

  it('leaves the error to onError when it shows it itself, and shows it when onError does not', async () => {
    const task = new Task();
    const seen: unknown[] = [];
    const refused = new ApiError(400, 'VALIDATION_FAILED', 'bad', { inn: 'плохой ИНН' });
    await task.run(
      () => Promise.reject(refused),
      (e) => {
        seen.push(e);
        return true;
      },
    );
    expect(seen).toEqual([refused]);
    expect(task.error).toBe('');
    await task.run(
      () => Promise.reject(refused),
      () => undefined,
    );
    expect(task.error).not.toBe('');
  });

  it('shows a failure found in the browser and clears it', () => {
    const task = new Task();
    task.fail('Нужен комментарий');
    expect(task.error).toBe('Нужен комментарий');
    task.clear();
    expect(task.error).toBe('');
  });

  it('starts inside an effect without making the effect depend on it (no update loop)', async () => {
    const task = new Task();
    let effectRuns = 0;
    const gate = deferred();
    let run: Promise<boolean> | undefined;
    const stop = $effect.root(() => {
      $effect(() => {
        effectRuns += 1;
        run = task.run(() => gate.promise);
      });
    });
    flushSync();
    gate.resolve();
    await run;
    flushSync();
    expect(effectRuns).toBe(1);
    expect(task.isBusy).toBe(false);
    stop();
  });
});
