/**
 * After the decision (docs/decisions.md), against the real server on SQLite
 * (MongoDB in the server-mongo project): decision documents issued by
 * completion and rejection, their PDFs, the citizen's rating with its
 * refusals, the supervisor's review and the re-examination that ends in a new
 * decision, the review's 30-day clock on the durable scheduler, the audit
 * journal and the domain events of each step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../server/domain/events.js';
import { ManualClock } from '../../server/lib/clock.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { download, pdfText } from '../helpers/pdf.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

const DAY = 24 * 60 * 60 * 1000;
const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let supervisor: TestClient;
let outsider: TestClient;
const events: DomainEvent[] = [];

beforeAll(async () => {
  server = await startTestServer({ clock, schedulerIntervalMs: 0 });
  server.bus.subscribe((e) => events.push(e));
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  supervisor = await loginAs(server, 'supervisor.portal');
  outsider = await loginAs(server, 'operator.housing');
});
afterAll(async () => {
  await server.stop();
});

const RESOLUTION = 'Платёж зачислен вручную, кнопка «Оплатить» исправлена.\n\nПовторная оплата не требуется.';

/** A filed appeal taken by the operator. */
async function takenAppeal(): Promise<string> {
  const { appeal } = await fileAppeal(citizen, 'portal_issues', { type: 'application' });
  expect((await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
  return appeal.id as string;
}

/** A filed appeal the operator resolved and the citizen confirmed. */
async function completedAppeal(): Promise<string> {
  const id = await takenAppeal();
  expect((await operator.post(`/api/appeals/${id}/transitions`, { action: 'propose_resolution', comment: RESOLUTION })).status).toBe(200);
  expect((await citizen.post(`/api/appeals/${id}/transitions`, { action: 'confirm' })).status).toBe(200);
  return id;
}

const rating = (stars: number, extra: Record<string, unknown> = {}) => ({ stars, remarks: 'Ответ не по существу вопроса', category: 'service', ...extra });

describe('decision documents', () => {
  it('a proposed resolution is a decision not yet issued; the citizen confirming it issues it, signed and dated, with its files', async () => {
    const id = await takenAppeal();
    const upload = await operator.post(`/api/appeals/${id}/attachments`, formWith([{ name: 'акт сверки.pdf', bytes: pdfBytes('акт') }]));
    expect(upload.status).toBe(201);
    const fileId = upload.body.items[0].id as string;
    const proposed = await operator.post(`/api/appeals/${id}/transitions`, { action: 'propose_resolution', comment: RESOLUTION, attachmentIds: [fileId] });
    expect(proposed.status).toBe(200);
    expect(proposed.body.appeal.decisions).toHaveLength(1);
    expect(proposed.body.appeal.decisions[0]).toMatchObject({ seq: 1, kind: 'completion', text: RESOLUTION, issuedAt: null, attachmentIds: [fileId] });

    clock.advance(60_000);
    const confirmed = await citizen.post(`/api/appeals/${id}/transitions`, { action: 'confirm' });
    expect(confirmed.status).toBe(200);
    const [decision] = confirmed.body.appeal.decisions;
    expect(decision).toMatchObject({
      seq: 1,
      kind: 'completion',
      text: RESOLUTION,
      signerName: operator.user.fullName,
      signerRole: 'operator',
      appealNumber: confirmed.body.appeal.number,
      issuedAt: clock.now(),
      reviewId: null,
      attachmentIds: [fileId],
    });
    expect(decision.departmentName).not.toBe('');
    expect(events.some((e) => e.type === 'decision.issued' && e.decision.id === decision.id && e.decision.kind === 'completion')).toBe(true);
    const journal = await server.store.audit.list(0, 10_000);
    expect(journal.find((e) => e.action === 'appeal.confirm' && e.subjectId === id)?.details).toMatchObject({ decisionId: decision.id });

    const pdf = await download(citizen, `/api/appeals/${id}/decisions/${decision.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(pdf.bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const text = await pdfText(pdf.bytes);
    expect(text).toContain(`Решение № 1 по обращению № ${String(confirmed.body.appeal.number)}`);
    expect(text).toContain('Платёж зачислен вручную, кнопка «Оплатить» исправлена.');
    expect(text).toContain('Повторная оплата не требуется.');
    expect(text).toContain(operator.user.fullName as string);
    expect(text).toContain('акт сверки.pdf');
    expect(text).toContain('Подписано 02.03.2026');
    // The room's staff download it too; someone outside the room learns nothing.
    expect((await download(supervisor, `/api/appeals/${id}/decisions/${decision.id}/pdf`)).status).toBe(200);
    expect((await download(outsider, `/api/appeals/${id}/decisions/${decision.id}/pdf`)).status).toBe(404);
    expect((await download(citizen, `/api/appeals/${id}/decisions/AAAAAAAAAAAAAAAAAAAAAA/pdf`)).status).toBe(404);
  });

  it('a dispute drops the proposal; a rejection is a decision issued at once with the reason as its text', async () => {
    const id = await takenAppeal();
    await operator.post(`/api/appeals/${id}/transitions`, { action: 'propose_resolution', comment: 'Первый вариант' });
    const disputed = await citizen.post(`/api/appeals/${id}/transitions`, { action: 'dispute', comment: 'Не согласен' });
    expect(disputed.body.appeal.decisions).toEqual([]);
    const rejected = await operator.post(`/api/appeals/${id}/transitions`, { action: 'reject', comment: 'Вопрос вне компетенции портала. Обратитесь в банк.' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.appeal.decisions).toHaveLength(1);
    expect(rejected.body.appeal.decisions[0]).toMatchObject({
      seq: 1,
      kind: 'rejection',
      text: 'Вопрос вне компетенции портала. Обратитесь в банк.',
      issuedAt: clock.now(),
    });
    const pdf = await download(citizen, `/api/appeals/${id}/decisions/${String(rejected.body.appeal.decisions[0].id)}/pdf`);
    expect(await pdfText(pdf.bytes)).toContain('Причина и рекомендации');
  });

  it('refuses files that are not the appeal’s, and files on an action that decides nothing', async () => {
    const id = await takenAppeal();
    const other = await takenAppeal();
    const upload = await citizen.post(`/api/appeals/${other}/attachments`, formWith([{ name: 'чужой.pdf', bytes: pdfBytes('x') }]));
    const foreign = upload.body.items[0].id as string;
    const res = await operator.post(`/api/appeals/${id}/transitions`, { action: 'propose_resolution', comment: 'Решение', attachmentIds: [foreign] });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.attachmentIds).toBe('к решению прикладываются только файлы этого обращения');
    expect((await operator.get(`/api/appeals/${id}`)).body.appeal.status).toBe('in_progress');
    const onInfo = await operator.post(`/api/appeals/${id}/transitions`, { action: 'request_info', comment: 'Нужен чек', attachmentIds: [foreign] });
    expect(onInfo.status).toBe(400);
  });
});

describe('rating', () => {
  it('refuses a rating outside 1–5, on an appeal not completed, by anyone but the citizen, and a second one', async () => {
    const open = await takenAppeal();
    const notDone = await citizen.post(`/api/appeals/${open}/feedback`, rating(4));
    expect(notDone.status).toBe(409);
    expect(notDone.body.error).toMatchObject({ code: 'INVALID_TRANSITION', message: 'Оценить решение можно, когда обращение завершено' });

    const id = await completedAppeal();
    for (const stars of [0, 6, 2.5, -1]) {
      const bad = await citizen.post(`/api/appeals/${id}/feedback`, rating(stars));
      expect(bad.status, String(stars)).toBe(400);
      expect(bad.body.error.fields.stars).toBe('оценка — от 1 до 5 звёзд');
    }
    const noCategory = await citizen.post(`/api/appeals/${id}/feedback`, { stars: 5 });
    expect(noCategory.body.error.fields.category).toBe('выберите категорию: технический, юридический или сервисный');
    const lowWithout = await citizen.post(`/api/appeals/${id}/feedback`, { stars: 1, category: 'legal' });
    expect(lowWithout.body.error.fields.remarks).toBe('опишите замечания: по ним руководитель проверит решение');
    expect((await operator.post(`/api/appeals/${id}/feedback`, rating(5))).status).toBe(403);
    expect((await outsider.post(`/api/appeals/${id}/feedback`, rating(5))).status).toBe(404);

    const first = await citizen.post(`/api/appeals/${id}/feedback`, { stars: 5, category: 'service' });
    expect(first.status).toBe(201);
    expect(first.body.appeal.feedback).toMatchObject({ stars: 5, remarks: '', category: 'service', review: null, canChange: true });
    const second = await citizen.post(`/api/appeals/${id}/feedback`, rating(3));
    expect(second.status).toBe(409);
    expect(second.body.error.message).toBe('Решение уже оценено: повторно оценить нельзя, оценку можно изменить, пока проверка не началась');
    expect((await citizen.get(`/api/appeals/${id}`)).body.appeal.feedback.stars).toBe(5);
  });

  it('a good rating opens no review; changed to 2 it opens one with a 30-day clock; changed back before it starts, the review is withdrawn', async () => {
    const id = await completedAppeal();
    const upload = await citizen.post(`/api/appeals/${id}/attachments`, formWith([{ name: 'скриншот.pdf', bytes: pdfBytes('s') }]));
    const fileId = upload.body.items[0].id as string;
    await citizen.post(`/api/appeals/${id}/feedback`, rating(4, { attachmentId: fileId }));
    const low = await citizen.put(`/api/appeals/${id}/feedback`, rating(2, { attachmentId: fileId, category: 'legal' }));
    expect(low.status).toBe(200);
    expect(low.body.appeal.feedback).toMatchObject({ stars: 2, category: 'legal', attachmentId: fileId });
    expect(low.body.appeal.feedback.review).toMatchObject({ state: 'pending', reason: 'low_rating', dueAt: clock.now() + 30 * DAY, actions: [] });
    // The supervisor is offered the review's steps.
    const seen = await supervisor.get(`/api/appeals/${id}`);
    expect(seen.body.appeal.feedback.review.actions).toEqual(['start', 'close', 're_examine']);
    const back = await citizen.put(`/api/appeals/${id}/feedback`, rating(5));
    expect(back.body.appeal.feedback.review.state).toBe('withdrawn');
    expect(back.body.appeal.feedback.log.map((e: { action: string }) => e.action)).toEqual(['rated', 'rating_changed', 'open', 'rating_changed', 'withdraw']);
    // A complaint opens a review whatever the stars.
    const complaint = await citizen.put(`/api/appeals/${id}/feedback`, rating(5, { isComplaint: true }));
    expect(complaint.body.appeal.feedback.review).toMatchObject({ state: 'pending', reason: 'complaint' });
  });
});

describe('review and re-examination', () => {
  it('rating 2 → supervisor starts the review (rating locked) → re-examination by a new assignee with a checklist → a new decision completes it', async () => {
    const id = await completedAppeal();
    const firstDecision = (await citizen.get(`/api/appeals/${id}`)).body.appeal.decisions[0];
    const rated = await citizen.post(`/api/appeals/${id}/feedback`, rating(2));
    expect(rated.body.appeal.feedback.decisionId).toBe(firstDecision.id);
    const reviewId = rated.body.appeal.feedback.review.id as string;
    // The department's supervisors are told of the review (the notification service consumes feedback.changed).
    const topicsOf = async (client: TestClient): Promise<string[]> =>
      ((await client.get('/api/notifications?limit=100')).body.items as { topic: string; appealId: string | null }[])
        .filter((n) => n.appealId === id)
        .map((n) => n.topic);
    await expect.poll(() => topicsOf(supervisor)).toContain('action.review_opened');

    expect((await operator.post(`/api/appeals/${id}/review`, { action: 'start' })).status).toBe(403);
    expect((await citizen.post(`/api/appeals/${id}/review`, { action: 'start' })).status).toBe(403);
    const started = await supervisor.post(`/api/appeals/${id}/review`, { action: 'start' });
    expect(started.status).toBe(200);
    expect(started.body.appeal.feedback.review).toMatchObject({ state: 'in_review', actions: ['close', 're_examine'] });
    const locked = await citizen.put(`/api/appeals/${id}/feedback`, rating(5));
    expect(locked.status).toBe(409);
    expect(locked.body.error.message).toBe('Оценку больше нельзя изменить: руководитель уже начал проверку');
    expect((await supervisor.post(`/api/appeals/${id}/review`, { action: 'start' })).status).toBe(409);

    // The officer who decided may not re-examine; a checklist is required.
    const same = await supervisor.post(`/api/appeals/${id}/review`, {
      action: 're_examine',
      assigneeId: operator.user.id,
      comment: 'Пересмотреть',
      checklist: ['x'],
    });
    expect(same.status).toBe(400);
    expect(same.body.error.fields.assigneeId).toBe('пересмотр поручается другому сотруднику, не принимавшему решение');
    const empty = await supervisor.post(`/api/appeals/${id}/review`, {
      action: 're_examine',
      assigneeId: supervisor.user.id,
      comment: 'Пересмотреть',
      checklist: [],
    });
    expect(empty.body.error.fields.checklist).toBe('перечислите, что нужно переделать');

    const reExam = await supervisor.post(`/api/appeals/${id}/review`, {
      action: 're_examine',
      assigneeId: supervisor.user.id,
      comment: 'Ответ не учёл выписку банка.',
      checklist: ['Запросить выписку банка', 'Пересчитать сумму платежа'],
    });
    expect(reExam.status).toBe(200);
    expect(reExam.body.appeal).toMatchObject({ status: 'in_progress', assigneeId: supervisor.user.id });
    expect(events.some((e) => e.type === 'appeal.status_changed' && e.appeal.id === id && e.entry.action === 're_examine')).toBe(true);

    // The citizen sees the review's state and its checklist, in the same room.
    const mine = (await citizen.get(`/api/appeals/${id}`)).body.appeal;
    expect(mine.feedback.review.state).toBe('re_examination');
    expect(mine.feedback.review.checklist.map((i: { text: string }) => i.text)).toEqual(['Запросить выписку банка', 'Пересчитать сумму платежа']);
    expect(mine.feedback.review.canMarkChecklist).toBe(false);
    await expect.poll(() => topicsOf(citizen)).toEqual(expect.arrayContaining(['status.review_started', 'status.re_examination']));
    const item = mine.feedback.review.checklist[0].id as string;
    expect((await citizen.post(`/api/appeals/${id}/review/checklist/${item}`, { done: true })).status).toBe(403);
    const ticked = await supervisor.post(`/api/appeals/${id}/review/checklist/${item}`, { done: true });
    expect(ticked.body.appeal.feedback.review.checklist[0].doneAt).toBe(clock.now());

    // A rating during re-examination is refused: the appeal is not completed.
    expect((await citizen.put(`/api/appeals/${id}/feedback`, rating(5))).status).toBe(409);

    clock.advance(60 * 60_000);
    await supervisor.post(`/api/appeals/${id}/transitions`, {
      action: 'propose_resolution',
      comment: 'Сумма пересчитана по выписке банка, излишек возвращён.',
    });
    const done = await citizen.post(`/api/appeals/${id}/transitions`, { action: 'confirm' });
    expect(done.status).toBe(200);
    const decisions = done.body.appeal.decisions;
    expect(decisions.map((d: { seq: number; reviewId: string | null; signerRole: string }) => [d.seq, d.reviewId, d.signerRole])).toEqual([
      [1, null, 'operator'],
      [2, reviewId, 'supervisor'],
    ]);
    expect(done.body.appeal.feedback.review).toMatchObject({ state: 'completed', decisionId: decisions[1].id, completedAt: clock.now() });
    expect(done.body.appeal.feedback.log.map((e: { action: string }) => e.action)).toEqual(['rated', 'open', 'start', 're_examine', 'checklist', 'complete']);
    const pdf = await pdfText((await download(citizen, `/api/appeals/${id}/decisions/${String(decisions[1].id)}/pdf`)).bytes);
    expect(pdf).toContain('по результатам пересмотра');

    const actions = (await server.store.audit.list(0, 100_000)).filter((e) => e.subjectId === id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['feedback.rated', 'review.start', 'appeal.re_examine', 'review.checklist', 'appeal.confirm']));
    const changes = events.filter((e) => e.type === 'feedback.changed' && e.appeal.id === id).map((e) => (e.type === 'feedback.changed' ? e.change : ''));
    expect(changes).toEqual(['rated', 'start', 're_examine', 'checklist', 'complete']);
  });

  it('the supervisor closes a review with a reply the citizen reads; the review list shows open reviews to supervisors only', async () => {
    const id = await completedAppeal();
    await citizen.post(`/api/appeals/${id}/feedback`, rating(1, { category: 'technical' }));
    const list = await supervisor.get('/api/reviews');
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(id);
    expect((await operator.get('/api/reviews')).status).toBe(403);
    expect((await citizen.get('/api/reviews')).status).toBe(403);
    const noReply = await supervisor.post(`/api/appeals/${id}/review`, { action: 'close', reply: '  ' });
    expect(noReply.body.error.fields.reply).toBe('напишите ответ заявителю');
    const closed = await supervisor.post(`/api/appeals/${id}/review`, { action: 'close', reply: 'Решение проверено и соответствует регламенту.' });
    expect(closed.status).toBe(200);
    const mine = (await citizen.get(`/api/appeals/${id}`)).body.appeal.feedback;
    expect(mine.review).toMatchObject({ state: 'closed', reply: 'Решение проверено и соответствует регламенту.', closedAt: clock.now() });
    expect((await supervisor.get('/api/reviews')).body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    expect((await supervisor.get('/api/reviews?state=closed')).body.items.map((a: { id: string }) => a.id)).toContain(id);
    expect(
      (await supervisor.post(`/api/appeals/${id}/review`, { action: 're_examine', assigneeId: supervisor.user.id, comment: 'x', checklist: ['x'] })).status,
    ).toBe(409);
  });

  it('a re-examination that loses its compare-and-set changes nothing: neither the status nor the review', async () => {
    const id = await completedAppeal();
    await citizen.post(`/api/appeals/${id}/feedback`, rating(2));
    const transition = server.store.appeals.transition.bind(server.store.appeals);
    // Someone else writes the appeal between the service's read and its write.
    server.store.appeals.transition = async (appealId, version, patch, entry, audit) => {
      const current = (await server.store.appeals.get(appealId))!;
      await server.store.appeals.update(appealId, current.version, { updatedAt: clock.now() });
      return transition(appealId, version, patch, entry, audit);
    };
    try {
      const res = await supervisor.post(`/api/appeals/${id}/review`, { action: 're_examine', assigneeId: supervisor.user.id, comment: 'x', checklist: ['x'] });
      expect(res.status).toBe(409);
    } finally {
      server.store.appeals.transition = transition;
    }
    const after = (await citizen.get(`/api/appeals/${id}`)).body.appeal;
    expect(after.status).toBe('completed');
    expect(after.feedback.review.state).toBe('pending');
    expect(after.assigneeId).toBe(operator.user.id);
  });

  it('the review’s clock runs out after 30 days: its log says so and the department is told (runs last: a month passes)', async () => {
    const id = await completedAppeal();
    const rated = await citizen.post(`/api/appeals/${id}/feedback`, rating(2));
    const dueAt = rated.body.appeal.feedback.review.dueAt as number;
    clock.advance(dueAt + 1 - clock.now());
    await server.scheduler.runDue();
    // Sessions last 12 hours: a month later the citizen signs in again (this test runs last).
    citizen = await loginAs(server, 'citizen');
    const seen = (await citizen.get(`/api/appeals/${id}`)).body.appeal.feedback;
    expect(seen.log.at(-1)).toMatchObject({ action: 'overdue', note: 'Срок проверки (30 дней) истёк' });
    expect(seen.review.overdue).toBe(true);
    expect(events.some((e) => e.type === 'feedback.changed' && e.appeal.id === id && e.change === 'overdue')).toBe(true);
  });
});
