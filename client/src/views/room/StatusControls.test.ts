import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Role, Status } from '../../../../shared/status-machine';
import { draftAppeal, installFakeApi, type Call } from '../../test/fake-api';
import type { Appeal } from '../../lib/api-types';
import { i18n } from '../../lib/i18n/i18n.svelte';
import { StatusState, transitionsFor } from '../../lib/state/StatusState.svelte';
import StatusControls from './StatusControls.svelte';

let app: Record<string, unknown> | undefined;
let calls: Call[];

beforeEach(() => {
  i18n.setLocale('ru');
  calls = installFakeApi({
    'POST /api/appeals/appeal_000000000001/transitions': (body) => ({
      json: { appeal: draftAppeal(3, { status: (body as { action: string }).action === 'request_info' ? 'info_requested' : 'in_progress', actions: [] }) },
    }),
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

/** Mounts the controls for `role` looking at an appeal in `status`; `actions` as the server would answer. */
function show(role: Role, status: Status, actions = transitionsFor(role, status, null).map((tr) => tr.action)): StatusState {
  const state = new StatusState(role);
  const appeal: Appeal = draftAppeal(2, { status, actions, roomRole: role === 'citizen' ? 'owner' : role === 'expert' ? 'expert' : 'officer' });
  state.setAppeal(appeal);
  app = mount(StatusControls, { target: document.body, props: { status: state } });
  flushSync();
  return state;
}

function reset(): void {
  if (app) void unmount(app);
  app = undefined;
  document.body.innerHTML = '';
}

const buttons = (): string[] => [...document.querySelectorAll<HTMLButtonElement>('[data-testid^="action-"]')].map((b) => b.dataset.testid ?? '');

describe('Status controls per role', () => {
  it('shows an operator «take» and «reject» on a registered appeal, and a citizen nothing', () => {
    show('operator', 'registered');
    expect(buttons()).toEqual(['action-take', 'action-reject']);
    reset();
    show('citizen', 'registered');
    expect(buttons()).toEqual([]);
  });

  it('shows an operator in progress request, resolution and reject; an expert never sees a button', () => {
    show('operator', 'in_progress');
    expect(buttons()).toEqual(['action-request_info', 'action-propose_resolution', 'action-reject']);
    reset();
    show('expert', 'in_progress');
    expect(buttons()).toEqual([]);
  });

  it('gives the citizen provide_info when information is requested, confirm/dispute on a proposal', () => {
    show('citizen', 'info_requested');
    expect(buttons()).toEqual(['action-provide_info']);
    reset();
    show('citizen', 'awaiting_confirmation');
    expect(buttons()).toEqual(['action-confirm', 'action-dispute']);
  });

  it('lets only a supervisor reopen a completed appeal', () => {
    show('supervisor', 'completed');
    expect(buttons()).toEqual(['action-reopen']);
    reset();
    show('operator', 'completed');
    expect(buttons()).toEqual([]);
  });

  it('hides what the server does not allow (an operator who is not the assignee)', () => {
    show('operator', 'in_progress', []);
    expect(buttons()).toEqual([]);
  });

  it('blocks a transition whose comment is required and empty, then sends it with the comment', async () => {
    show('operator', 'in_progress');
    document.querySelector<HTMLButtonElement>('[data-testid="action-request_info"]')?.click();
    await settle();
    const textarea = document.querySelector<HTMLTextAreaElement>('[data-testid="action-comment"]');
    expect(textarea).not.toBeNull();
    document.querySelector<HTMLButtonElement>('[data-testid="action-confirm"]')?.click();
    await settle();
    expect(document.querySelector('#action-comment-error')?.textContent).toContain('Напишите комментарий');
    expect(textarea?.getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    if (!textarea) throw new Error('no textarea');
    textarea.value = 'Приложите квитанцию';
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    document.querySelector<HTMLButtonElement>('[data-testid="action-confirm"]')?.click();
    await settle();
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toEqual({ action: 'request_info', comment: 'Приложите квитанцию' });
  });

  it('asks a reason for a rejection', async () => {
    show('supervisor', 'registered');
    document.querySelector<HTMLButtonElement>('[data-testid="action-reject"]')?.click();
    await settle();
    document.querySelector<HTMLButtonElement>('[data-testid="action-confirm"]')?.click();
    await settle();
    expect(document.querySelector('#action-comment-error')?.textContent).toContain('Укажите причину');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('takes a transition without a comment at once', async () => {
    show('operator', 'registered');
    document.querySelector<HTMLButtonElement>('[data-testid="action-take"]')?.click();
    await settle();
    expect(calls.filter((c) => c.method === 'POST')[0]?.body).toEqual({ action: 'take' });
  });

  it('shows the pushed change as a notice and the new buttons', () => {
    const state = show('operator', 'registered');
    state.applyPushed('in_progress');
    flushSync();
    expect(state.notice).toBe('Статус изменён: В работе');
  });
});
