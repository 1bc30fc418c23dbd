/**
 * A tiny History-API router: patterns like `/appeals/:id`, the current match as
 * reactive state, and link interception so same-origin `<a href="/…">` clicks
 * navigate without a reload. Views are loaded on demand (dynamic import).
 */
import type { Component } from 'svelte';
import type { Role } from '../../../shared/status-machine';

/** Who may open a route: anyone, any signed-in person, or the listed roles. */
export type Access = 'public' | 'signed-in' | readonly Role[];

export interface RouteDef {
  /** `/literal/:param` segments; `*` alone matches anything. */
  pattern: string;
  access: Access;
  /** Loads the view; called at most once per visit. */
  load: () => Promise<{ default: Component<RouteProps> }>;
}

/** Every view receives the route's parameters and the query string. */
export interface RouteProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Match {
  route: RouteDef;
  params: Record<string, string>;
}

/** Matches `path` against `pattern`; parameters are URI-decoded. */
export function matchPattern(pattern: string, path: string): Record<string, string> | null {
  if (pattern === '*') return {};
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const h = have[i] ?? '';
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(h);
    else if (w !== h) return null;
  }
  return params;
}

export class Router {
  #path = $state('/');
  #search = $state('');
  readonly #routes: readonly RouteDef[];

  constructor(routes: readonly RouteDef[]) {
    this.#routes = routes;
    if (typeof window !== 'undefined') this.#read();
  }

  get path(): string {
    return this.#path;
  }

  get query(): URLSearchParams {
    return new URLSearchParams(this.#search);
  }

  /** The first route matching the current path. */
  readonly match: Match | null = $derived.by(() => {
    for (const route of this.#routes) {
      const params = matchPattern(route.pattern, this.#path);
      if (params) return { route, params };
    }
    return null;
  });

  /** Goes to `href` (same origin), adding a history entry unless `replace`. */
  navigate(href: string, opts: { replace?: boolean } = {}): void {
    const url = new URL(href, window.location.href);
    if (opts.replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.#read();
    window.scrollTo(0, 0);
  }

  /** Starts listening to back/forward and link clicks; returns the stop function. */
  start(): () => void {
    const handlePop = (): void => {
      this.#read();
    };
    const handleClick = (e: MouseEvent): void => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest('a');
      if (!a || a.target || a.hasAttribute('download')) return;
      const url = new URL(a.href, window.location.href);
      if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
      e.preventDefault();
      this.navigate(url.pathname + url.search + url.hash);
    };
    window.addEventListener('popstate', handlePop);
    document.addEventListener('click', handleClick);
    return () => {
      window.removeEventListener('popstate', handlePop);
      document.removeEventListener('click', handleClick);
    };
  }

  #read(): void {
    this.#path = window.location.pathname;
    this.#search = window.location.search;
  }
}
