/**
 * The route table. Public pages are part of the first load; every signed-in
 * area, and the live room above all, is loaded on demand.
 */
import type { Component } from 'svelte';
import { Router, type RouteDef, type RouteProps } from './lib/router.svelte';
import Landing from './views/public/Landing.svelte';
import Login from './views/public/Login.svelte';
import Lookup from './views/public/Lookup.svelte';
import Register from './views/public/Register.svelte';
import Confirm from './views/public/Confirm.svelte';
import NotFound from './views/public/NotFound.svelte';
import Forgot from './views/public/Forgot.svelte';

const eager = (c: Component<RouteProps>) => () => Promise.resolve({ default: c });

export const ROUTES: readonly RouteDef[] = [
  { pattern: '/', access: 'public', load: eager(Landing) },
  { pattern: '/status', access: 'public', load: eager(Lookup) },
  { pattern: '/login', access: 'public', load: eager(Login) },
  { pattern: '/register', access: 'public', load: eager(Register) },
  { pattern: '/register/confirm', access: 'signed-in', load: eager(Confirm) },
  { pattern: '/appeals', access: ['citizen'], load: () => import('./views/citizen/MyAppeals.svelte') },
  { pattern: '/appeals/new', access: ['citizen'], load: () => import('./views/citizen/wizard/Wizard.svelte') },
  { pattern: '/appeals/:id', access: 'signed-in', load: () => import('./views/room/RoomView.svelte') },
  { pattern: '/queue', access: ['operator', 'supervisor'], load: () => import('./views/operator/Queue.svelte') },
  { pattern: '/wall', access: ['supervisor'], load: () => import('./views/supervisor/Wall.svelte') },
  // Analytics (docs/analytics.md): Chart.js loads with this page only.
  { pattern: '/analytics', access: ['supervisor', 'admin'], load: () => import('./views/analytics/Analytics.svelte') },
  { pattern: '/analytics/appeals', access: ['supervisor', 'admin'], load: () => import('./views/analytics/AnalyticsAppeals.svelte') },
  { pattern: '/access-log', access: ['supervisor', 'admin'], load: () => import('./views/supervisor/AccessLog.svelte') },
  { pattern: '/audit', access: ['supervisor', 'admin'], load: () => import('./views/audit/AuditJournal.svelte') },
  { pattern: '/canned', access: ['supervisor'], load: () => import('./views/supervisor/CannedReplies.svelte') },
  { pattern: '/invited', access: ['expert'], load: () => import('./views/expert/Invited.svelte') },
  { pattern: '/search', access: ['citizen', 'operator', 'supervisor', 'expert'], load: () => import('./views/search/SearchView.svelte') },
  { pattern: '/admin', access: ['admin'], load: () => import('./views/admin/Admin.svelte') },
  { pattern: '/notifications', access: 'signed-in', load: () => import('./views/notifications/Journal.svelte') },
  { pattern: '/notifications/settings', access: 'signed-in', load: () => import('./views/notifications/Settings.svelte') },
  { pattern: '/profile', access: 'signed-in', load: () => import('./views/profile/ProfileView.svelte') },
  { pattern: '/consent', access: 'signed-in', load: () => import('./views/profile/ConsentPage.svelte') },
  { pattern: '/forgot', access: 'public', load: eager(Forgot) },
  // Help and support (docs/support.md): the help's content loads only here; support asks a signed-out visitor to log in first.
  { pattern: '/help', access: 'public', load: () => import('./views/help/Help.svelte') },
  { pattern: '/help/faq', access: 'public', load: () => import('./views/help/Faq.svelte') },
  { pattern: '/support', access: ['citizen'], load: () => import('./views/support/SupportView.svelte') },
  { pattern: '/support/queue', access: ['operator', 'supervisor'], load: () => import('./views/support/SupportQueue.svelte') },
  { pattern: '*', access: 'public', load: eager(NotFound) },
];

/** The app's one router. */
export const router = new Router(ROUTES);

// A signed-in page opened cold (a room's link from a notification) fetches its view's code while
// the session is being checked, not after: one round trip fewer on a slow connection.
if (typeof window !== 'undefined') {
  const first = router.match?.route;
  if (first && first.access !== 'public') first.load().catch(() => undefined);
}
