/**
 * An HTTP client for tests that behaves like the browser: keeps the session
 * cookie, sends the Origin and the CSRF token, parses JSON errors.
 */
import type { RunningServer } from '../../server/server.js';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class TestClient {
  cookie = '';
  csrfToken = '';
  user: any = null;

  constructor(
    readonly baseUrl: string,
    readonly origin = baseUrl,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { origin: this.origin, ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrfToken && method !== 'GET') h['x-csrf-token'] = this.csrfToken;
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('cr_session='));
    if (setCookie) {
      const value = setCookie.split(';')[0]!;
      this.cookie = value === 'cr_session=' ? '' : value;
    }
    const text = await res.text();
    const parsed = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed) this.csrfToken = parsed.csrfToken;
    if (parsed && typeof parsed === 'object' && 'user' in parsed) this.user = parsed.user;
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body ?? {});
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body ?? {});
  }

  /** Logs in and fails loudly when it does not work. */
  async login(login: string, password: string): Promise<this> {
    const res = await this.post('/api/auth/login', { login, password });
    if (res.status !== 200) throw new Error(`login ${login} failed: ${res.status} ${JSON.stringify(res.body)}`);
    await this.acceptConsentIfAsked(res.body.user);
    return this;
  }

  /**
   * An account an admin created has accepted no consent yet: the person accepts
   * the text in force, as the /consent page has them do before anything else
   * (docs/accounts.md). `user` is the sign-in reply's.
   */
  async acceptConsentIfAsked(user: { consentRequired?: boolean; email?: string } | undefined): Promise<void> {
    if (!user?.consentRequired) return;
    const { terms } = (await this.get('/api/consent')).body;
    const accepted = await this.post('/api/me/consent', { version: terms.version });
    if (accepted.status !== 200) throw new Error(`consent of ${user.email ?? 'the user'} failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  }
}

/** The seeded demo account whose login starts with `prefix` (e.g. 'citizen', 'operator.housing'). */
export function demoAccount(server: RunningServer, prefix: string): { login: string; password: string } {
  const a = server.demoAccounts.find((x) => x.login.startsWith(`${prefix}@`));
  if (!a) throw new Error(`no demo account ${prefix}; have: ${server.demoAccounts.map((x) => x.login).join(', ')}`);
  return a;
}

/** A logged-in client for a demo account (see demoAccount). */
export async function loginAs(server: RunningServer, prefix: string): Promise<TestClient> {
  const { login, password } = demoAccount(server, prefix);
  return new TestClient(server.url).login(login, password);
}

/** Files a complete appeal as `citizen` in the category with `categoryCode`; returns the submit response body. */
export async function fileAppeal(
  citizen: TestClient,
  categoryCode = 'portal_issues',
  overrides: Record<string, unknown> = {},
): Promise<{ appeal: any; accessCode: string }> {
  const cats = await citizen.get('/api/categories');
  const cat = cats.body.items.find((c: any) => c.code === categoryCode);
  if (!cat) throw new Error(`no category ${categoryCode}`);
  const extra: Record<string, string> = {};
  for (const f of cat.extraFields) extra[f.key] = f.kind === 'date' ? '2026-03-01' : 'значение';
  const draft = await citizen.post('/api/appeals', {
    categoryId: cat.id,
    type: 'complaint',
    subject: 'Не работает кнопка оплаты',
    description: 'При нажатии на кнопку «Оплатить» страница зависает.',
    extra,
    ...overrides,
  });
  if (draft.status !== 201) throw new Error(`draft failed: ${draft.status} ${JSON.stringify(draft.body)}`);
  const sub = await citizen.post(`/api/appeals/${draft.body.appeal.id}/submit`, {});
  if (sub.status !== 200) throw new Error(`submit failed: ${sub.status} ${JSON.stringify(sub.body)}`);
  return sub.body;
}
