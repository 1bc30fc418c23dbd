/** A fake `fetch` for client tests: answers by "METHOD /path" and records every call. */
import { vi } from 'vitest';
import type { Appeal, Category, Department } from '../lib/api-types';

export interface Call {
  method: string;
  path: string;
  /** The path with its query string. */
  url: string;
  body: unknown;
  headers: Record<string, string>;
}

type Handler = (body: unknown) => { status?: number; json: unknown };

/** Installs the fake on globalThis.fetch; returns the recorded calls. */
export function installFakeApi(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (input: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = input.split('?')[0] ?? input;
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path, url: input, body, headers: (init.headers ?? {}) as Record<string, string> });
    const handler = routes[`${method} ${path}`];
    const answer = handler ? handler(body) : { status: 404, json: { error: { code: 'NOT_FOUND', message: 'Не найдено' } } };
    return Promise.resolve(new Response(JSON.stringify(answer.json), { status: answer.status ?? 200, headers: { 'content-type': 'application/json' } }));
  });
  return calls;
}

export const DEPARTMENT: Department = { id: 'dep_housing_0001', code: 'housing', name: 'Департамент ЖКХ', region: '77', level: 'regional', parentId: null };

export const CATEGORY: Category = {
  id: 'cat_billing_00001',
  code: 'housing_billing',
  name: 'ЖКХ — начисления',
  departmentId: DEPARTMENT.id,
  deadlineDays: 30,
  requiredDocuments: ['Квитанция за спорный период'],
  extraFields: [
    { key: 'accountNumber', label: 'Лицевой счёт', kind: 'text', required: true },
    { key: 'since', label: 'С какого числа', kind: 'date', required: false },
  ],
  keywords: ['квитанция'],
  archived: false,
};

/** A draft appeal as the server would answer, with `version`. */
export function draftAppeal(version: number, patch: Partial<Appeal> = {}): Appeal {
  return {
    id: 'appeal_000000000001',
    number: null,
    citizenId: 'u1',
    categoryId: CATEGORY.id,
    departmentId: null,
    type: 'complaint',
    subject: '',
    description: '',
    details: {},
    applicant: { kind: 'individual' },
    extra: {},
    region: '77',
    priority: 'normal',
    status: 'draft',
    deadlineAt: null,
    assigneeId: null,
    assigneeName: null,
    expertIds: [],
    resubmissionCount: 0,
    repeatOfId: null,
    complaint: null,
    suggestionMark: null,
    escalation: null,
    escalations: [],
    readerDepartmentIds: [],
    kind: 'appeal',
    createdAt: 0,
    updatedAt: 0,
    submittedAt: null,
    statusChangedAt: 0,
    version,
    roomRole: 'owner',
    canWrite: true,
    actions: ['submit'],
    overdue: false,
    autoConfirmAt: null,
    clocks: null,
    decisions: [],
    feedback: null,
    citizen: null,
    ...patch,
  };
}

/** The catalogue endpoints every wizard test needs. */
export const catalogueRoutes: Record<string, Handler> = {
  'GET /api/categories': () => ({ json: { items: [CATEGORY] } }),
  'GET /api/departments': () => ({ json: { items: [DEPARTMENT] } }),
};
