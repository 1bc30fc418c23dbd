/*
 * The service worker of web push: shows each pushed notice as a system
 * notification, and opens (or focuses) the appeal's room when it is clicked.
 * The payload is JSON `{ id, title, body, link, appealNumber, at }`, decrypted
 * by the browser (the server encrypts it for this subscription's keys).
 */
self.addEventListener('push', (event) => {
  let notice = { title: 'Госуслуги', body: '', link: '/notifications', id: undefined };
  try {
    notice = { ...notice, ...event.data.json() };
  } catch {
    // A payload that is not JSON is shown as text.
    if (event.data) notice.body = event.data.text();
  }
  event.waitUntil(
    self.registration.showNotification(notice.title, {
      body: notice.body,
      tag: notice.id,
      data: { link: notice.link || '/notifications' },
      lang: 'ru',
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const link = new URL(event.notification.data?.link || '/notifications', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url === link);
      if (open) return open.focus();
      return self.clients.openWindow(link);
    }),
  );
});
