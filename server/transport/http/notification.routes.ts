/** The person's notifications: journal, marks, unread count, settings, web-push subscriptions (docs/api-files.md, "Notifications"). */
import { Router } from 'express';
import type { NotificationService } from '../../domain/notifications/notification.service.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';

export function notificationRoutes(notifications: NotificationService): Router {
  const r = Router();
  mountRoute(r, 'notifications.list', async ({ res, query }) => notifications.list(requireConfirmed(res), query()));
  mountRoute(r, 'notifications.unread', async ({ res }) => notifications.unread(requireConfirmed(res)));
  mountRoute(r, 'notifications.mark', async ({ res, body }) => {
    const viewer = requireConfirmed(res);
    return notifications.mark(viewer, body());
  });
  mountRoute(r, 'notifications.settings', async ({ res }) => notifications.settings(requireConfirmed(res)));
  // The service parses the settings itself, to name what cannot be saved (an unknown channel, a filter that lets nothing through).
  mountRoute(r, 'notifications.saveSettings', ({ req, res }) => notifications.saveSettings(requireConfirmed(res), req.body));
  mountRoute(r, 'notifications.pushKey', ({ res }) => {
    requireConfirmed(res);
    return Promise.resolve(notifications.pushKey());
  });
  mountRoute(r, 'notifications.pushSubscribe', async ({ req, res }) => notifications.subscribePush(requireConfirmed(res), req.body));
  mountRoute(r, 'notifications.pushUnsubscribe', async ({ res, body }) => {
    const viewer = requireConfirmed(res);
    await notifications.unsubscribePush(viewer, body().endpoint);
  });
  return r;
}
