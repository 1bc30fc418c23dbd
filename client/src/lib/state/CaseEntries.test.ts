/**
 * The room's case entries and the correction form, over a fake API: what is
 * new since the last visit, a pushed entry fetched and announced, the mark
 * sent; a correction that sends only what changed, then resubmits on the
 * version the save returned.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RealtimeSocket } from '../realtime/socket';
import { i18n } from '../i18n/i18n.svelte';
import { draftAppeal, installFakeApi } from '../../test/fake-api';
import { CaseEntriesState, type CaseEntry } from './CaseEntriesState.svelte';
import { CorrectionState } from './CorrectionState.svelte';

const APPEAL = 'appeal_000000000001';

function entry(seq: number, patch: Partial<CaseEntry> = {}): CaseEntry {
  return {
    id: `entry_${seq}_00000000`,
    appealId: APPEAL,
    seq,
    kind: 'supplement',
    at: 1_700_000_000_000 + seq,
    authorId: 'citizen-1',
    authorName: 'Иванов Иван Иванович',
    text: `Дополнение ${seq}`,
    attachments: [],
    changes: [],
    ...patch,
  };
}

/** A socket that only records listeners, so a test can play pushes. */
function fakeSocket(): { socket: RealtimeSocket; emit: (event: string, payload?: unknown) => void } {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const socket = {
    on(event: string, fn: (p: unknown) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(fn);
      return socket;
    },
    off(event: string, fn: (p: unknown) => void) {
      listeners.get(event)?.delete(fn);
      return socket;
    },
  };
  return {
    socket: socket as unknown as RealtimeSocket,
    emit: (event, payload) => {
      for (const fn of listeners.get(event) ?? []) fn(payload);
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CaseEntriesState', () => {
  it("marks others' entries after the person's mark as new, fetches a pushed one, announces it and moves the mark", async () => {
    i18n.setLocale('ru');
    let items = [entry(1), entry(2), entry(3, { authorId: 'officer-1' })];
    const calls = installFakeApi({
      [`GET /api/appeals/${APPEAL}/entries`]: () => ({ json: { items, seenSeq: 1 } }),
      [`POST /api/appeals/${APPEAL}/entries/seen`]: () => ({ status: 204, json: null }),
    });
    const { socket, emit } = fakeSocket();
    const state = new CaseEntriesState(APPEAL, 'officer-1', socket);
    await state.start();
    expect(state.items.map((e) => [e.seq, state.isNew(e)])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(state.newCount).toBe(1);
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ seq: 3 }]);

    items = [entry(4, { kind: 'correction', authorName: 'Петрова Анна' })];
    emit('entry:added', { appealId: 'another-appeal-0001', seq: 9, kind: 'supplement', authorId: 'citizen-1' });
    emit('entry:added', { appealId: APPEAL, seq: 4, kind: 'correction', authorId: 'citizen-1' });
    await vi.waitFor(() => {
      expect(state.items.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    });
    expect(calls.find((c) => c.url.endsWith('?after=3'))).toBeDefined();
    expect(calls.some((c) => c.url.includes('another-appeal'))).toBe(false);
    expect(state.notice).toBe('Обращение исправлено: Петрова Анна');
    expect(state.isNew(state.items[3]!)).toBe(true);
    await vi.waitFor(() => {
      expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ seq: 3 }, { seq: 4 }]);
    });
    state.dispose();
  });

  it('refuses to send a supplement with neither text nor documents, and sends the text', async () => {
    i18n.setLocale('ru');
    const sent: unknown[] = [];
    installFakeApi({
      [`GET /api/appeals/${APPEAL}/entries`]: () => ({ json: { items: [], seenSeq: 0 } }),
      [`POST /api/appeals/${APPEAL}/supplements`]: (body) => {
        sent.push(body);
        return { status: 201, json: { entry: entry(1, { text: 'Квитанция во вложении' }) } };
      },
      [`POST /api/appeals/${APPEAL}/entries/seen`]: () => ({ status: 204, json: null }),
    });
    const state = new CaseEntriesState(APPEAL, 'citizen-1', fakeSocket().socket);
    await state.start();
    state.openForm();
    state.text = '   ';
    expect(await state.send()).toBe(false);
    expect(state.fieldErrors).toEqual({ text: 'Напишите, что добавить, или приложите документ.' });
    expect(sent).toEqual([]);
    state.text = '  Квитанция во вложении ';
    expect(await state.send()).toBe(true);
    expect(sent).toEqual([{ text: 'Квитанция во вложении', attachmentIds: [] }]);
    expect(state.isFormOpen).toBe(false);
    expect(state.items.map((e) => [e.seq, state.isNew(e)])).toEqual([[1, false]]);
  });
});

describe('CorrectionState', () => {
  it('starts from the live text, sends only what changed, then resubmits on the version the save returned', async () => {
    const rejected = draftAppeal(7, { status: 'rejected', subject: 'Оплата', description: 'Старый текст', details: { expected: 'Оплата проходит' } });
    const bodies: Record<string, unknown> = {};
    installFakeApi({
      [`PATCH /api/appeals/${APPEAL}`]: (body) => {
        bodies.patch = body;
        return { json: { appeal: { ...rejected, version: 9 } } };
      },
      [`POST /api/appeals/${APPEAL}/submit`]: (body) => {
        bodies.submit = body;
        return { json: { appeal: { ...rejected, status: 'registered', version: 10 }, accessCode: null } };
      },
    });
    const done: string[] = [];
    const correction = new CorrectionState(
      APPEAL,
      () => rejected,
      () => 'Текст из редактора',
      (a) => done.push(a.status),
    );
    correction.open();
    expect(correction.description).toBe('Текст из редактора');
    expect(correction.details.expected).toBe('Оплата проходит');
    correction.details.errorText = ' 504 Gateway Timeout ';
    correction.details.expected = '';
    expect(await correction.saveAndResubmit()).toBe(true);
    expect(bodies.patch).toEqual({ version: 7, details: { errorText: '504 Gateway Timeout' } });
    expect(bodies.submit).toEqual({ version: 9 });
    expect(done).toEqual(['registered']);
    expect(correction.isOpen).toBe(false);
  });

  it('puts the server’s field errors beside the fields and keeps the form open', async () => {
    i18n.setLocale('ru');
    const rejected = draftAppeal(3, { status: 'rejected', subject: 'Оплата', description: 'Текст' });
    installFakeApi({
      [`PATCH /api/appeals/${APPEAL}`]: () => ({
        status: 400,
        json: { error: { code: 'VALIDATION_FAILED', message: 'Проверьте', fields: { subject: 'кратко опишите суть' } } },
      }),
    });
    const correction = new CorrectionState(
      APPEAL,
      () => rejected,
      () => null,
      () => undefined,
    );
    correction.open();
    expect(correction.description).toBe('Текст');
    correction.subject = 'Уже';
    expect(await correction.saveAndResubmit()).toBe(false);
    expect(correction.fieldErrors).toEqual({ subject: 'кратко опишите суть' });
    expect(correction.isOpen).toBe(true);
  });
});
