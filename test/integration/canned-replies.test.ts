/**
 * Canned replies (PRODUCT.md §11) over REST on the real server (SQLite, port
 * 0): a supervisor keeps the department's replies, its operators read them,
 * nobody else does; an unknown placeholder is refused with its name; another
 * department's reply is not found. The placeholders expand alike wherever
 * the shared function runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandCanned, unknownPlaceholders } from '../../shared/canned-replies.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { loginAs, type TestClient } from '../helpers/session.js';

let server: TestServer;
let supervisor: TestClient;
let operator: TestClient;
let otherSupervisor: TestClient;
let citizen: TestClient;
let expert: TestClient;

const prefixOf = (role: string, code: string): string => `${role}.${code.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  const cats = await citizen.get('/api/categories');
  const deps = await citizen.get('/api/departments');
  const category = cats.body.items.find((c: { code: string }) => c.code === 'portal_issues');
  const own = deps.body.items.find((d: { id: string }) => d.id === category.departmentId);
  const other = deps.body.items.find((d: { id: string }) => d.id !== category.departmentId);
  supervisor = await loginAs(server, prefixOf('supervisor', own.code));
  operator = await loginAs(server, prefixOf('operator', own.code));
  otherSupervisor = await loginAs(server, prefixOf('supervisor', other.code));
  expert = await loginAs(server, 'expert');
});
afterAll(async () => {
  await server.stop();
});

describe('a department’s canned replies', () => {
  it('a supervisor creates, edits and deletes a reply; the department’s operator reads it; each write is audited', async () => {
    const created = await supervisor.post('/api/canned-replies', {
      title: '  Запрос документов ',
      text: 'Здравствуйте, {имя}! По обращению {номер} пришлите акт до {срок}.',
    });
    expect(created.status).toBe(201);
    const reply = created.body.reply;
    expect(reply).toMatchObject({
      title: 'Запрос документов',
      text: 'Здравствуйте, {имя}! По обращению {номер} пришлите акт до {срок}.',
      departmentId: supervisor.user.departmentId,
    });
    expect(reply.updatedByName).toBe(supervisor.user.fullName);

    expect((await operator.get('/api/canned-replies')).body.items.map((r: { id: string }) => r.id)).toContain(reply.id);

    const updated = await supervisor.put(`/api/canned-replies/${reply.id}`, { title: 'Запрос акта', text: 'Пришлите акт, {имя}.' });
    expect(updated.status).toBe(200);
    expect(updated.body.reply).toMatchObject({ id: reply.id, title: 'Запрос акта', text: 'Пришлите акт, {имя}.' });
    expect((await operator.get('/api/canned-replies')).body.items.find((r: { id: string }) => r.id === reply.id).title).toBe('Запрос акта');

    expect((await supervisor.request('DELETE', `/api/canned-replies/${reply.id}`)).status).toBe(204);
    expect((await operator.get('/api/canned-replies')).body.items.map((r: { id: string }) => r.id)).not.toContain(reply.id);
    const audit = await server.store.audit.list(0, 10_000);
    expect(audit.filter((a) => a.subjectId === reply.id).map((a) => a.action)).toEqual(['canned_reply.create', 'canned_reply.update', 'canned_reply.delete']);
  });

  it('lists only the viewer’s own department, by title', async () => {
    await supervisor.post('/api/canned-replies', { title: 'Б: ответ', text: 'Текст Б' });
    await supervisor.post('/api/canned-replies', { title: 'А: ответ', text: 'Текст А' });
    await otherSupervisor.post('/api/canned-replies', { title: 'Чужой', text: 'Другого отдела' });
    const mine = (await operator.get('/api/canned-replies')).body.items as { title: string; departmentId: string }[];
    expect(mine.map((r) => r.title)).toEqual(['А: ответ', 'Б: ответ']);
    expect(new Set(mine.map((r) => r.departmentId))).toEqual(new Set([operator.user.departmentId]));
  });
});

describe('refusals', () => {
  it('refuses a reply with an unknown placeholder, naming it and the known ones', async () => {
    const res = await supervisor.post('/api/canned-replies', { title: 'Ошибка', text: 'Уважаемый {фио}, ответ по {номер} в {адрес}' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields.text).toBe('Неизвестная подстановка {фио}, {адрес}. Доступны: {имя}, {номер}, {срок}');
    expect((await operator.get('/api/canned-replies')).body.items.map((r: { title: string }) => r.title)).not.toContain('Ошибка');
  });

  it('refuses writes by an operator (FORBIDDEN), reads by a citizen and an expert (FORBIDDEN), another department’s reply (NOT_FOUND)', async () => {
    const op = await operator.post('/api/canned-replies', { title: 'От оператора', text: 'Текст' });
    expect(op.status).toBe(403);
    expect(op.body.error).toEqual({ code: 'FORBIDDEN', message: 'Шаблоны ответов ведут руководители отдела' });
    expect((await citizen.get('/api/canned-replies')).body.error).toEqual({ code: 'FORBIDDEN', message: 'Шаблоны ответов доступны сотрудникам ведомства' });
    expect((await expert.get('/api/canned-replies')).status).toBe(403);
    const theirs = (await otherSupervisor.post('/api/canned-replies', { title: 'Их шаблон', text: 'Их текст' })).body.reply;
    expect((await supervisor.put(`/api/canned-replies/${theirs.id}`, { title: 'Захват', text: 'x' })).body.error).toEqual({
      code: 'NOT_FOUND',
      message: 'Шаблон ответа не найден',
    });
    expect((await supervisor.request('DELETE', `/api/canned-replies/${theirs.id}`)).status).toBe(404);
    expect((await otherSupervisor.get('/api/canned-replies')).body.items.map((r: { title: string }) => r.title)).toContain('Их шаблон');
  });
});

describe('placeholders', () => {
  it('expands every placeholder and finds the unknown ones', () => {
    expect(expandCanned('{имя}, обращение {номер}: ответ до {срок}. {имя}', { name: 'Иванов Иван', number: 'МСК-2026-000001', deadline: '02.04.2026' })).toBe(
      'Иванов Иван, обращение МСК-2026-000001: ответ до 02.04.2026. Иванов Иван',
    );
    expect(unknownPlaceholders('{имя} {Имя} {срок} {} {номер} {имя}')).toEqual(['{Имя}', '{}']);
  });
});
