/**
 * What the client's live tests (`client/**\/*.server.test.ts`) import: the
 * real server in a process of its own (`startLiveServer`, see live-server.ts),
 * a REST client that behaves like the browser (keeps the session cookie, sends
 * the Origin and the CSRF token), and filing an appeal with it.
 *
 * Nothing here needs Node's types, and nothing imports the server: the
 * client's type check (svelte-check with client/tsconfig.json) takes in what
 * a client test imports, and it must see neither. So the REST client repeats
 * test/helpers/session.ts's TestClient and fileAppeal (that file imports the
 * server's types), and live-server.ts is loaded by a path TypeScript does not
 * follow.
 */
import type { User } from '../../shared/protocol/api.js';

export interface LiveResponse<T> {
  status: number;
  body: T;
}

export class LiveClient {
  cookie = '';
  csrfToken = '';
  #user: User | null = null;

  constructor(readonly baseUrl: string) {}

  /** The logged-in user; throws before a login. */
  get user(): User {
    if (!this.#user) throw new Error('not logged in');
    return this.#user;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<LiveResponse<T>> {
    const headers: Record<string, string> = { origin: this.baseUrl };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrfToken && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('cr_session='));
    if (setCookie) {
      const value = setCookie.split(';')[0] ?? '';
      this.cookie = value === 'cr_session=' ? '' : value;
    }
    const text = await res.text();
    const parsed: unknown = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    if (parsed && typeof parsed === 'object') {
      if ('csrfToken' in parsed && typeof parsed.csrfToken === 'string') this.csrfToken = parsed.csrfToken;
      if ('user' in parsed && parsed.user && typeof parsed.user === 'object') this.#user = parsed.user as User;
    }
    return { status: res.status, body: parsed as T };
  }

  get<T = unknown>(path: string): Promise<LiveResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown = {}): Promise<LiveResponse<T>> {
    return this.request<T>('POST', path, body);
  }

  delete<T = unknown>(path: string): Promise<LiveResponse<T>> {
    return this.request<T>('DELETE', path);
  }

  /** Logs in and fails loudly when it does not work. */
  async login(login: string, password: string): Promise<this> {
    const res = await this.post('/api/auth/login', { login, password });
    if (res.status !== 200) throw new Error(`login ${login} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return this;
  }
}

interface Category {
  id: string;
  code: string;
  departmentId: string;
  extraFields: { key: string; kind: string }[];
}

/** The catalogue entry with `code`, and the department that handles it. */
export async function categoryByCode(client: LiveClient, code: string): Promise<{ category: Category; departmentCode: string }> {
  const cats = await client.get<{ items: Category[] }>('/api/categories');
  const deps = await client.get<{ items: { id: string; code: string }[] }>('/api/departments');
  const category = cats.body.items.find((c) => c.code === code);
  const department = deps.body.items.find((d) => d.id === category?.departmentId);
  if (!category || !department) throw new Error(`no category ${code}`);
  return { category, departmentCode: department.code };
}

/** Files a complete appeal as `citizen` in the category `categoryCode` (as fileAppeal does); returns its id. */
export async function fileAppeal(citizen: LiveClient, categoryCode = 'portal_issues'): Promise<string> {
  const { category } = await categoryByCode(citizen, categoryCode);
  const extra: Record<string, string> = {};
  for (const f of category.extraFields) extra[f.key] = f.kind === 'date' ? '2026-03-01' : 'значение';
  const draft = await citizen.post<{ appeal: { id: string } }>('/api/appeals', {
    categoryId: category.id,
    type: 'complaint',
    subject: 'Не работает кнопка оплаты',
    description: 'При нажатии на кнопку «Оплатить» страница зависает.',
    extra,
  });
  if (draft.status !== 201) throw new Error(`draft failed: ${draft.status} ${JSON.stringify(draft.body)}`);
  const sub = await citizen.post(`/api/appeals/${draft.body.appeal.id}/submit`, {});
  if (sub.status !== 200) throw new Error(`submit failed: ${sub.status} ${JSON.stringify(sub.body)}`);
  return draft.body.appeal.id;
}

/** The real server, as a test drives it. */
export interface LiveServer {
  /** The server's URL; the same across restarts. */
  readonly url: string;
  readonly dataDir: string;
  /** A REST client logged in as the demo account whose login starts with `prefix` (e.g. 'citizen', 'operator.portal'). */
  loginAs(prefix: string): Promise<LiveClient>;
  /** The server's own shutdown, keeping DATA_DIR (`stop({ keepData: true })`). */
  stop(): Promise<void>;
  /** SIGKILL of the server's process: no shutdown, nothing said to the clients. */
  kill(): Promise<void>;
  /** Starts the server again on the same DATA_DIR and port (`startTestServer({ dataDir })`). */
  start(): Promise<void>;
  /** Stops everything and deletes DATA_DIR. */
  close(): Promise<void>;
}

/** live-server.ts, named by a variable so that TypeScript does not type-check it as part of the client. */
const LIVE_SERVER_MODULE = './live-server.js';

/** Starts the real server (fresh DATA_DIR, demo accounts seeded) in a child process. */
export async function startLiveServer(): Promise<LiveServer> {
  const live = (await import(/* @vite-ignore */ LIVE_SERVER_MODULE)) as { startLiveServer(): Promise<LiveServer> };
  return live.startLiveServer();
}
