/**
 * Brute-force limits of the accounts area. Counters live in process memory
 * (RateLimiterMemory); with REDIS_URL set the server passes a backend that
 * makes them RateLimiterRedis with the same options, so that several
 * instances share one budget.
 *
 * Defaults (ACCOUNT_LIMITS):
 * - login attempts: 10 per 15 min per client IP (every attempt counts);
 * - login failures: 5 per 15 min per account, whichever of its logins (e-mail
 *   or phone) was typed, and per login string for one that matches no account
 *   (failures count, success resets) — when exhausted even the right password
 *   is refused until the window passes: this is the temporary lockout;
 * - code confirmations: 20 per 15 min per IP (every attempt counts);
 * - registrations: 10 per hour per IP;
 * - codes sent: 5 per hour per user per channel (counted in the Store, so it
 *   holds across restarts and instances).
 */
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimited } from '../errors.js';

/** A budget of `points` per `durationSec` seconds. */
export interface Window {
  points: number;
  durationSec: number;
}

export interface AccountLimits {
  loginPerIp: Window;
  loginFailuresPerAccount: Window;
  confirmPerIp: Window;
  registerPerIp: Window;
  codeSendsPerChannel: Window;
}

export const ACCOUNT_LIMITS: AccountLimits = {
  loginPerIp: { points: 10, durationSec: 15 * 60 },
  loginFailuresPerAccount: { points: 5, durationSec: 15 * 60 },
  confirmPerIp: { points: 20, durationSec: 15 * 60 },
  registerPerIp: { points: 10, durationSec: 60 * 60 },
  codeSendsPerChannel: { points: 5, durationSec: 60 * 60 },
};

/** Makes the counter store of one limiter (rate-limiter-flexible's options). */
export type LimiterBackend = (o: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

/** Counters in this process's memory. */
export const memoryBackend: LimiterBackend = (o) => new RateLimiterMemory(o);

/** One limiter: `hit` spends a point or throws RATE_LIMITED with retryAfter. */
export class Limiter {
  private readonly limiter: RateLimiterAbstract;
  constructor(
    name: string,
    private readonly window: Window,
    backend: LimiterBackend = memoryBackend,
  ) {
    this.limiter = backend({ keyPrefix: name, points: window.points, duration: window.durationSec });
  }

  async hit(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (e) {
      if (e instanceof RateLimiterRes) throw rateLimited(Math.max(1, e.msBeforeNext / 1000));
      throw e;
    }
  }

  /** Throws RATE_LIMITED if the budget is already spent, without spending. */
  async check(key: string): Promise<void> {
    const res = await this.limiter.get(key);
    if (res && res.consumedPoints >= this.window.points) throw rateLimited(Math.max(1, res.msBeforeNext / 1000));
  }

  /** Spends a point without throwing (a failure being counted). */
  async spend(key: string): Promise<void> {
    await this.limiter.penalty(key, 1);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

/** The limiters of one AccountService. */
export function createLimiters(
  limits: AccountLimits,
  backend: LimiterBackend = memoryBackend,
): {
  loginPerIp: Limiter;
  loginFailures: Limiter;
  confirmPerIp: Limiter;
  registerPerIp: Limiter;
} {
  return {
    loginPerIp: new Limiter('login-ip', limits.loginPerIp, backend),
    loginFailures: new Limiter('login-fail', limits.loginFailuresPerAccount, backend),
    confirmPerIp: new Limiter('confirm-ip', limits.confirmPerIp, backend),
    registerPerIp: new Limiter('register-ip', limits.registerPerIp, backend),
  };
}
