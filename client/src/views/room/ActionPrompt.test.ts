import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HistoryEntry } from '../../../../shared/protocol/events';
import type { Status, TransitionAction } from '../../../../shared/status-machine';
import { draftAppeal, installFakeApi, type Call } from '../../test/fake-api';
import { i18n } from '../../lib/i18n/i18n.svelte';
import { ActionPromptState } from '../../lib/state/ActionPromptState.svelte';
import { StatusState } from '../../lib/state/StatusState.svelte';
import ActionPrompt from './ActionPrompt.svelte';

let app: Record<string, unknown> | undefined;
let calls: Call[];
const AUTO_AT = Date.UTC(2026, 2, 12, 10, 30);

beforeEach(() => {
  i18n.setLocale('ru');
  calls = installFakeApi({
    'POST /api/appeals/appeal_000000000001/transitions': (body) => {
      const action = (body as { action: TransitionAction }).action;
      return { json: { appeal: draftAppeal(5, { status: action === 'confirm' ? 'completed' : 'in_progress', actions: [] }) } };
    },
  });
});

afterEach(() => {
  if (app) void unmount(app);
  app = undefined;
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  await tick();
}

const entry = (to: Status, comment: string): HistoryEntry => ({
  appealId: 'appeal_000000000001',
  seq: 2,
  at: Date.UTC(2026, 2, 7, 10, 30),
  actorId: 'op',
  actorName: 'Петров Пётр',
  actorRole: 'operator',
  from: 'in_progress',
  to,
  action: to === 'info_requested' ? 'request_info' : 'propose_resolution',
  comment,
});

/** Mounts the prompt as `role` sees an appeal in `status` whose last entry says `comment`. */
function show(role: 'citizen' | 'operator', status: Status, comment: string, actions: TransitionAction[]): ActionPromptState {
  const state = new StatusState(role);
  state.setAppeal(
    draftAppeal(4, { status, actions, roomRole: role === 'citizen' ? 'owner' : 'officer', autoConfirmAt: status === 'awaiting_confirmation' ? AUTO_AT : null }),
  );
  state.mergeHistory([entry(status, comment)]);
  const prompt = new ActionPromptState(state);
  app = mount(ActionPrompt, { target: document.body, props: { prompt } });
  flushSync();
  return prompt;
}

function $(testId: string): HTMLElement | null {
  return document.querySelector(`[data-testid="${testId}"]`);
}
const posts = (): unknown[] => calls.filter((c) => c.method === 'POST').map((c) => c.body);

function type(el: HTMLElement | null, text: string): void {
  if (!(el instanceof HTMLTextAreaElement)) throw new Error('no textarea');
  el.value = text;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

describe('the prompt at the top of the room', () => {
  it('shows the citizen the request with the answer form; an empty answer is refused, a written one is sent as provide_info', async () => {
    show('citizen', 'info_requested', 'Приложите квитанцию за март.', ['provide_info']);
    expect($('action-prompt')?.querySelector('h2')?.textContent.trim()).toBe('Сотрудник запросил сведения');
    expect($('prompt-text')?.textContent).toBe('Приложите квитанцию за март.');
    expect(document.querySelector('label[for="prompt-answer"]')?.textContent).toContain('Ваш ответ');

    $('action-provide_info')?.click();
    await settle();
    expect(document.querySelector('#prompt-answer-error')?.textContent).toBe('Напишите ответ — без него сведения не отправить.');
    expect($('prompt-answer')?.getAttribute('aria-invalid')).toBe('true');
    expect(posts()).toEqual([]);

    type($('prompt-answer'), 'Квитанция приложена, номер платежа 4411.');
    $('action-provide_info')?.click();
    await settle();
    expect(posts()).toEqual([{ action: 'provide_info', comment: 'Квитанция приложена, номер платежа 4411.' }]);
  });

  it('asks in a modal dialog before confirming, and sends nothing when the citizen cancels', async () => {
    const prompt = show('citizen', 'awaiting_confirmation', 'Перерасчёт выполнен.', ['confirm', 'dispute']);
    expect($('prompt-text')?.textContent).toBe('Перерасчёт выполнен.');
    expect($('auto-confirm-at')?.textContent.trim()).toBe('Если вы не ответите до 12 мар. 2026 г., 10:30, решение будет подтверждено автоматически.');

    const dialog = $('confirm-dialog');
    expect(dialog?.hasAttribute('open')).toBe(false);
    $('prompt-confirm')?.click();
    flushSync();
    expect(dialog?.hasAttribute('open')).toBe(true);
    expect(dialog?.getAttribute('aria-labelledby')).toBe('confirm-dialog-title');
    expect(document.getElementById('confirm-dialog-title')?.textContent).toBe('Подтвердить решение?');
    expect(document.activeElement?.textContent).toBe('Отмена');
    expect(posts()).toEqual([]);

    (document.activeElement as HTMLButtonElement).click();
    flushSync();
    expect([prompt.isConfirmOpen, dialog?.hasAttribute('open')]).toEqual([false, false]);
    expect(posts()).toEqual([]);

    $('prompt-confirm')?.click();
    flushSync();
    $('confirm-dialog-yes')?.click();
    await settle();
    expect(posts()).toEqual([{ action: 'confirm' }]);
    expect(dialog?.hasAttribute('open')).toBe(false);
  });

  it('offers «Не согласен» with its reason beside it; the reason is required', async () => {
    show('citizen', 'awaiting_confirmation', 'Перерасчёт выполнен.', ['confirm', 'dispute']);
    $('prompt-dispute')?.click();
    await settle();
    expect(document.querySelector('#prompt-reason-error')?.textContent).toBe('Напишите, с чем вы не согласны.');
    expect(posts()).toEqual([]);
    type($('prompt-reason'), 'Перерасчёт сделан не за весь период.');
    $('prompt-dispute')?.click();
    await settle();
    expect(posts()).toEqual([{ action: 'dispute', comment: 'Перерасчёт сделан не за весь период.' }]);
  });

  it('shows staff what the citizen was asked, with no form', () => {
    show('operator', 'awaiting_confirmation', 'Перерасчёт выполнен.', []);
    expect($('prompt-text')?.textContent).toBe('Перерасчёт выполнен.');
    expect($('auto-confirm-at')?.textContent.trim()).toBe('Без ответа заявителя решение будет подтверждено автоматически 12 мар. 2026 г., 10:30.');
    expect([$('prompt-confirm'), $('prompt-dispute'), $('prompt-answer')]).toEqual([null, null, null]);
  });

  it('shows nothing when no answer is awaited', () => {
    show('citizen', 'in_progress', 'Взято в работу', []);
    expect($('action-prompt')).toBeNull();
  });
});
