/**
 * The signed-in person: loaded once from /api/me, replaced by login and by each
 * confirmation step, cleared by logout. Keeps the CSRF token for api.ts.
 */
import { api, isApiError, setCsrfToken } from '../api';
import type { SessionAnswer, User } from '../api-types';
import type { Role } from '../../../../shared/status-machine';

export class SessionState {
  #user = $state.raw<User | null>(null);
  #isLoaded = $state(false);

  get user(): User | null {
    return this.#user;
  }

  /** Whether /api/me has answered (until then routes wait). */
  get isLoaded(): boolean {
    return this.#isLoaded;
  }

  get isSignedIn(): boolean {
    return this.#user !== null;
  }

  /** Signed in with both contacts confirmed (the server requires it for almost everything). */
  get isConfirmed(): boolean {
    return this.#user !== null && this.#user.emailConfirmed && this.#user.phoneConfirmed;
  }

  get role(): Role | null {
    return this.#user?.role ?? null;
  }

  /** A citizen who must accept the current personal-data consent text before anything else. */
  get needsConsent(): boolean {
    return this.#user?.consentRequired === true;
  }

  /** Asks the server who is signed in (`{ user: null }` for nobody); a failed request counts as nobody too. */
  async load(): Promise<void> {
    try {
      this.accept(await api('me.get'));
    } catch (e) {
      if (!isApiError(e)) throw e;
      this.accept(null);
    } finally {
      this.#isLoaded = true;
    }
  }

  async login(login: string, password: string): Promise<User> {
    const answer = await api('auth.login', { body: { login, password } });
    this.accept(answer);
    return answer.user;
  }

  async logout(): Promise<void> {
    try {
      await api('auth.logout');
    } finally {
      this.accept(null);
    }
  }

  /** Shows the person as the server now describes them (a profile change), keeping the session and its CSRF token. */
  setUser(user: User): void {
    if (this.#user?.id === user.id) this.#user = user;
  }

  /** Takes a session answer (login, register, confirm, me) or clears it. */
  accept(answer: SessionAnswer | null): void {
    this.#user = answer?.user ?? null;
    setCsrfToken(answer?.csrfToken);
    this.#isLoaded = true;
  }
}

/** Where a person lands after signing in. */
export function homeOf(user: User | null): string {
  if (!user) return '/';
  if (!user.emailConfirmed || !user.phoneConfirmed) return '/register/confirm';
  if (user.consentRequired) return '/consent';
  switch (user.role) {
    case 'citizen':
      return '/appeals';
    case 'operator':
    case 'supervisor':
      return '/queue';
    case 'expert':
      return '/invited';
    case 'admin':
      return '/admin';
  }
}

/** The app's one session. */
export const session = new SessionState();
