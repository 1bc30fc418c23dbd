/**
 * Builds and starts the whole server: config → store → services → transports →
 * listen, with one ordered shutdown. main.ts calls it with the environment;
 * tests call it with their own config on port 0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from './config/config.js';
import { AccountServiceImpl, type AccountServiceOptions } from './domain/accounts/account.service.js';
import { AppealService } from './domain/appeals/appeal.service.js';
import { AttachmentService, type AttachmentOptions } from './domain/attachments/attachment.service.js';
import { AuditService } from './domain/audit/audit.service.js';
import { CatalogueService } from './domain/catalogue/catalogue.service.js';
import { CalendarService } from './domain/clocks/calendar.service.js';
import { CannedReplyService } from './domain/canned/canned-reply.service.js';
import { SupportService } from './domain/support/support.service.js';
import { AppealGroupService } from './domain/groups/appeal-group.service.js';
import { ClockJobs } from './domain/clocks/clock-jobs.js';
import { ClockService } from './domain/clocks/clock.service.js';
import { RoomAccess } from './domain/rooms/room-access.js';
import { LocalBus, type EventBus } from './domain/events.js';
import { DevOutbox } from './channels/dev-outbox.js';
import { createMailChannel } from './channels/mail.channel.js';
import { createSmsChannel } from './channels/sms.channel.js';
import type { MailChannel, PushChannel, SmsChannel } from './domain/notify/ports.js';
import { Scheduler } from './domain/jobs/scheduler.js';
import { NotificationService, type NotificationOptions } from './domain/notifications/notification.service.js';
import { loadVapidKeys, WebPushChannel } from './channels/push.channel.js';
import { notificationRoutes } from './transport/http/notification.routes.js';
import { AuditViewService } from './domain/audit/audit-view.service.js';
import { ApiKeyService } from './domain/oversight/api-keys.service.js';
import { Open311 } from './domain/oversight/open311.service.js';
import { PublicityService } from './domain/oversight/publicity.service.js';
import { WebhookService, type WebhookOptions, type WebhookTransport } from './domain/oversight/webhook.service.js';
import { nodeWebhookTransport } from './channels/webhook.transport.js';
import { oversightRoutes } from './transport/http/oversight.routes.js';
import { open311Routes } from './transport/http/open311.routes.js';
import { PersonalDataService } from './domain/personal-data/personal-data.service.js';
import { personalDataRoutes } from './transport/http/personal-data.routes.js';
import { attachNotificationPush } from './transport/realtime/notification.push.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/logger.js';
import { Shutdown } from './lib/shutdown.js';
import { SearchIndexer } from './domain/search/search.indexer.js';
import { SearchService } from './domain/search/search.service.js';
import { searchRoutes } from './transport/http/search.routes.js';
import { openBlobStore, openStore } from './store/open-store.js';
import type { BlobStore, Store } from './store/store.js';
import { createHttpApp } from './transport/http/app.js';
import { appealRoutes } from './transport/http/appeal.routes.js';
import { privacyRoutes } from './transport/http/privacy.routes.js';
import { AccessLogService } from './domain/privacy/access-log.js';
import { appealLinkRoutes } from './transport/http/appeal-link.routes.js';
import { AppealLinkService } from './domain/appeals/appeal-links.service.js';
import { caseEntryRoutes } from './transport/http/case-entry.routes.js';
import { CaseEntryService } from './domain/case-entries/case-entry.service.js';
import { directoryRoutes } from './transport/http/directory.routes.js';
import { wallRoutes } from './transport/http/wall.routes.js';
import { DirectoryService } from './domain/accounts/directory.service.js';
import { attachmentRoutes } from './transport/http/attachment.routes.js';
import { adminUserRoutes, authRoutes } from './transport/http/auth.routes.js';
import { profileRoutes } from './transport/http/profile.routes.js';
import { cannedReplyRoutes } from './transport/http/canned-reply.routes.js';
import { analyticsRoutes } from './transport/http/analytics.routes.js';
import { AnalyticsService } from './domain/analytics/analytics.service.js';
import { supportRoutes } from './transport/http/support.routes.js';
import { appealGroupRoutes } from './transport/http/appeal-group.routes.js';
import { catalogueRoutes } from './transport/http/catalogue.routes.js';
import { clockRoutes } from './transport/http/clock.routes.js';
import { outcomeRoutes } from './transport/http/outcome.routes.js';
import { FeedbackService } from './domain/decisions/feedback.service.js';
import { DocumentService } from './domain/documents/document.service.js';
import { PdfKitRenderer } from './channels/pdf.renderer.js';
import { UpgradeRouter } from './transport/upgrade-router.js';
import { DescriptionService } from './domain/description/description.service.js';
import { COLLAB_PREFIX, CollabEndpoint } from './transport/collab/collab.endpoint.js';
import type { ConnectionOptions } from './transport/collab/room-connection.js';
import { descriptionRoutes } from './transport/http/description.routes.js';
import { attachRealtime } from './transport/realtime/gateway.js';
import { ChatService } from './domain/chat/chat.service.js';
import { UserNames } from './domain/chat/user-names.js';
import { PresenceService } from './domain/presence/presence.service.js';
import { RoomGrantCache } from './domain/rooms/grant-cache.js';
import { RoomSessions } from './domain/rooms/room-sessions.js';
import { WallService } from './domain/wall/wall.service.js';
import { ListFeed } from './domain/lists/list-feed.js';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
// The Redis client loads only when REDIS_URL asks for it (the link and the ClusterBus are imported on demand below).
import type { ClusterLink } from './transport/bus/cluster-link.js';

export interface ServerOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  /** Tests may pass channels wired to their own loopback SMTP/SMS servers. */
  mail?: MailChannel;
  sms?: SmsChannel;
  /** Tests may pass a push channel of their own, or null to turn web push off. */
  push?: PushChannel | null;
  /** Tests may tune the notifications' merge window and retries. */
  notify?: NotificationOptions;
  /** How often the scheduler looks for due jobs (default 1 s); 0: never by itself (tests call runDue). */
  schedulerIntervalMs?: number;
  /** Tests may shorten the webhooks' retries and pass a transport of their own (docs/oversight.md). */
  webhooks?: Partial<Omit<WebhookOptions, 'devLoopback'>> & { transport?: WebhookTransport };
  /** Tests may tune the Yjs endpoint's per-connection limits and timings. */
  collab?: Partial<ConnectionOptions>;
  /** Tests may tune uploads: the idle timeout and the concurrency caps (defaults in shared/limits.ts). */
  uploads?: Partial<AttachmentOptions> & { idleTimeoutMs?: number };
  /**
   * A store (and blob store) opened by the caller, used instead of opening
   * one from the config and left open on close: tests run two instances in one
   * process over one store, as two processes would share one MongoDB.
   */
  store?: Store;
  blobs?: BlobStore;
  /** Tests may serve a client folder of their own instead of the build in dist/client. */
  clientDir?: string;
  /** Tests may tune the accounts' limits (rate-limits.ts), e.g. raise the per-IP budgets for a run from one address. */
  accountLimits?: AccountServiceOptions['limits'];
}

/** The running server and what tests need to reach inside it. */
export interface RunningServer {
  url: string;
  port: number;
  http: Server;
  store: Store;
  blobs: BlobStore;
  bus: EventBus;
  /** The Yjs endpoint and the description documents behind it (tests count loaded documents). */
  collab: { description: DescriptionService; endpoint: CollabEndpoint };
  services: { accounts: AccountServiceImpl; appeals: AppealService; catalogue: CatalogueService; audit: AuditService };
  /** The durable scheduler (timed jobs, deliveries) and the notification service. */
  scheduler: Scheduler;
  notifications: NotificationService;
  /** The search index's upkeep (tests wait for it with `idle()`). */
  searchIndex: SearchIndexer;
  /** Demo accounts seeded on this start (empty when the store already had users). */
  demoAccounts: Awaited<ReturnType<AccountServiceImpl['seedDemo']>>;
  /** Closes the connections whose session has expired (runs every SESSION_SWEEP_MS); returns the ended session ids. */
  sweepSessions(): Promise<string[]>;
  close(): Promise<void>;
}

/** Set by the server build (scripts/build-server.mjs) to where dist/client is from the compiled server in dist/server. */
declare const SERVER_BUILD_CLIENT_DIR: string | undefined;
/** The built client, relative to this module: ../dist/client from server/, or what the build says. */
const CLIENT_DIR_FROM_HERE = typeof SERVER_BUILD_CLIENT_DIR === 'string' ? SERVER_BUILD_CLIENT_DIR : '../dist/client';

/** How often the sessions of open sockets and Yjs connections are checked for expiry. */
export const SESSION_SWEEP_MS = 30_000;

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const { config } = o;
  const logger = o.logger ?? createLogger(config.logLevel);
  const clock = o.clock ?? systemClock;
  const shutdown = new Shutdown(logger);

  // With REDIS_URL, several instances act as one (docs/realtime-cluster.md, "Several instances").
  // First, so that an unreachable Redis stops the start before anything is opened.
  const cluster: ClusterLink | null = config.redisUrl ? await (await import('./transport/bus/cluster-link.js')).connectCluster(config.redisUrl, logger) : null;
  const store =
    o.store ??
    (await openStore(config, (error) => {
      logger.error('background disk work failed (late sync or WAL checkpoint)', { error: String(error) });
    }));
  const blobs = o.blobs ?? (await openBlobStore(config));
  const bus: EventBus = cluster ? await (await import('./transport/bus/cluster-bus.js')).ClusterBus.create(cluster, logger) : new LocalBus();
  if (cluster && store.kind === 'sqlite' && !o.store) {
    logger.warn(
      'REDIS_URL is set with the embedded SQLite store: only this server can use its DATA_DIR; several instances need MONGODB_URI (and one SESSION_SECRET)',
    );
  }
  const audit = new AuditService(store, clock);
  const catalogue = new CatalogueService(store, audit);
  const outbox = new DevOutbox(config.dataDir, logger, clock);
  const mail = o.mail ?? createMailChannel({ smtpUrl: config.smtpUrl, from: config.mailFrom, outbox });
  const sms = o.sms ?? createSmsChannel({ gatewayUrl: config.smsGatewayUrl, token: config.smsGatewayToken, outbox });
  // Timed jobs and deliveries are rows of the store, run by the scheduler (server/domain/jobs/).
  const scheduler = new Scheduler({ jobs: store.jobs, clock, logger }, { leaseMs: config.schedulerLeaseMs });
  const push =
    o.push !== undefined
      ? o.push
      : new WebPushChannel(
          await loadVapidKeys({ dataDir: config.dataDir, publicKey: config.vapid?.publicKey, privateKey: config.vapid?.privateKey }),
          config.vapidSubject,
        );
  const notifications = new NotificationService(
    {
      store,
      clock,
      bus,
      scheduler,
      mail,
      sms,
      push,
      siteUrl: () => config.publicUrl?.replace(/\/$/, '') ?? `http://127.0.0.1:${port}`,
      presentIn: (appealId) => new Set(presence.people(appealId).map((p) => p.userId)),
      logger,
    },
    o.notify,
  );
  const accounts = new AccountServiceImpl(
    { store, clock, secret: config.secret, mail, sms, audit, bus, logger },
    {
      ...(o.accountLimits ? { limits: o.accountLimits } : {}),
      ...(cluster
        ? {
            // While Redis is away each instance counts in its own memory (the library's insurance limiter).
            limiterBackend: (opts) =>
              new RateLimiterRedis({
                ...opts,
                keyPrefix: `caseroom:rl:${opts.keyPrefix}`,
                storeClient: cluster.client,
                useRedisPackage: true,
                insuranceLimiter: new RateLimiterMemory(opts),
              }),
          }
        : {}),
    },
  );
  // A person's own data: the export and the account's deletion (docs/personal-data.md), their work as scheduler jobs.
  const personalData = new PersonalDataService({
    store,
    blobs,
    clock,
    scheduler,
    bus,
    audit,
    logger,
    retentionYears: config.retentionYears,
    passwordFailures: accounts.limiters.loginFailures,
  });
  // The working-day calendar the law's clocks run on (docs/notifications.md, "Clocks").
  const calendar = new CalendarService({ store, clock, audit, bus, logger });
  const appeals = new AppealService({ store, clock, audit, bus, secret: config.secret, calendar });
  // Search (docs/search.md): the index hears every change from here on; what it missed is caught up after listen.
  const searchIndex = new SearchIndexer({ store, bus, logger });
  searchIndex.start();
  /** The one access check for rooms: HTTP attachments, socket.io and Yjs share it. */
  const rooms = new RoomAccess(appeals);
  const attachments = new AttachmentService({ store, blobs, rooms, audit, bus, clock, names: new UserNames(store, clock) }, o.uploads);
  const description = new DescriptionService({
    store,
    clock,
    logger,
    roomAccess: rooms,
    appeals,
    ...(cluster ? { options: { sharedLog: true } } : {}),
    onVersionSaved: (appealId) => {
      bus.publish({ type: 'description.versions_changed', appealId });
    },
  });

  await catalogue.seed();
  await calendar.seed();
  // The clocks' timed work — reminders, missed-deadline alerts, the daily digest, auto-confirmation — as scheduler jobs.
  const clockJobs = new ClockJobs({ store, clock, bus, scheduler, appeals, calendar, logger });
  const clocks = new ClockService({
    store,
    clock,
    audit,
    bus,
    appeals,
    calendar,
    onDeadlinesMoved: (ids) => {
      for (const id of ids) void clockJobs.armSoon(id);
    },
  });
  await clockJobs.start();
  const demoAccounts = config.seedDemo ? await accounts.seedDemo(await catalogue.departments()) : [];

  // The wall is read over REST and pushed over socket.io: its parts exist before either transport.
  const names = new UserNames(store, clock);
  const presence = new PresenceService();
  const wall = new WallService({ store, presence, clock, names });
  // Oversight (docs/oversight.md): the journal on screen, Open311 with its keys, webhooks through the scheduler.
  const apiKeys = new ApiKeyService({ store, clock, audit });
  const { transport: webhookTransport, ...webhookOptions } = o.webhooks ?? {};
  const webhooks = new WebhookService(
    { store, clock, audit, bus, scheduler, transport: webhookTransport ?? nodeWebhookTransport, logger },
    { devLoopback: config.webhooksDevLoopback, ...webhookOptions },
  );

  const entries = new CaseEntryService({ store, clock, audit, bus, appeals, names, description });
  // After the decision: the rating and its review (a scheduler job keeps the review's clock), and the case's PDFs.
  const feedback = new FeedbackService({ store, clock, audit, bus, appeals, scheduler });
  const documents = new DocumentService({
    store,
    clock,
    appeals,
    rooms,
    chat: new ChatService({ store, rooms, names, clock, bus }),
    attachments,
    renderer: new PdfKitRenderer(),
  });

  let port = config.port;
  const allowedOrigins = (): string[] => config.allowedOrigins(port);
  const app = createHttpApp({
    logger,
    accounts,
    storeKind: store.kind,
    trustProxy: config.trustProxy,
    allowedOrigins,
    isHttps: config.secureCookies,
    routers: [
      authRoutes({ accounts, secureCookies: config.secureCookies }),
      profileRoutes({ accounts, secureCookies: config.secureCookies }),
      adminUserRoutes(accounts),
      catalogueRoutes(catalogue),
      cannedReplyRoutes(new CannedReplyService({ store, clock, audit, names })),
      supportRoutes(new SupportService({ store, clock, audit, bus, appeals, chat: new ChatService({ store, rooms, names, clock, bus }) })),
      appealGroupRoutes(new AppealGroupService({ store, clock, audit, appeals, names })),
      appealRoutes(appeals),
      searchRoutes(new SearchService({ store, audit })),
      privacyRoutes(appeals, new AccessLogService({ store })),
      appealLinkRoutes(new AppealLinkService({ store, clock, audit, bus, appeals, secret: config.secret, calendar })),
      clockRoutes(clocks, calendar),
      caseEntryRoutes(entries),
      outcomeRoutes(feedback, documents),
      directoryRoutes(new DirectoryService(store)),
      wallRoutes(wall),
      analyticsRoutes(new AnalyticsService({ store, clock })),
      attachmentRoutes(attachments, { tempDir: path.join(config.dataDir, 'uploads'), idleTimeoutMs: o.uploads?.idleTimeoutMs }),
      descriptionRoutes(description),
      notificationRoutes(notifications),
      personalDataRoutes(personalData, { secureCookies: config.secureCookies }),
      oversightRoutes({
        auditView: new AuditViewService({ store, audit, names }),
        publicity: new PublicityService({ store, clock, audit }),
        apiKeys,
        webhooks,
      }),
      open311Routes({ open311: new Open311({ store, clock }), apiKeys }),
    ],
    clientDir: o.clientDir ?? path.resolve(import.meta.dirname, CLIENT_DIR_FROM_HERE),
  });
  const http = createServer(app);
  const upgrades = new UpgradeRouter(http);
  // socket.io on /socket.io/; closed first on shutdown so clients hear it before the port goes.
  const grants = new RoomGrantCache(rooms, clock);
  const chat = new ChatService({ store, rooms, grants, names, clock, bus, onEdited: searchIndex.chatEdited });
  // Subscribes the grants first, so that every later handler of an event sees them decided again.
  const sessions = new RoomSessions({ rooms, grants, presence, chat, appeals, bus });
  const realtime = attachRealtime({
    http,
    upgrades,
    accounts,
    appeals,
    bus,
    logger,
    allowedOrigins,
    names,
    sessions,
    cluster,
    chat,
    wall,
    lists: new ListFeed({ store }),
  });
  shutdown.add('close realtime', () => realtime.close());
  // The in-app channel: each socket joins its person's room; notices are pushed there.
  const stopNotificationPush = attachNotificationPush(realtime.io, bus);
  notifications.start();
  // Yjs on /yjs/: connections closed (SHUTTING_DOWN) before the port goes; documents flushed after.
  const collab = new CollabEndpoint({
    accounts,
    roomAccess: rooms,
    description,
    bus,
    allowedOrigins,
    logger,
    cluster,
    ...(o.collab ? { options: o.collab } : {}),
  });
  upgrades.add(COLLAB_PREFIX, collab.handleUpgrade);
  shutdown.add('close yjs endpoint', () => {
    collab.close();
  });

  await Promise.all([realtime.ready, collab.ready]);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;

  // A socket outliving its session (expired while connected) is closed at the next sweep.
  const sweepSessions = (): Promise<string[]> => accounts.endExpiredSessions([...realtime.liveSessions(), ...collab.liveSessions()]);
  const sweep = setInterval(() => {
    sweepSessions().catch((err: unknown) => {
      logger.error('session sweep failed', { error: String(err) });
    });
  }, SESSION_SWEEP_MS);
  sweep.unref();
  if (o.schedulerIntervalMs !== 0) scheduler.start(o.schedulerIntervalMs ?? 1000);
  searchIndex.catchUp().catch((error: unknown) => {
    logger.error('search index catch-up failed', { error: String(error) });
  });

  shutdown.add('stop clock jobs', async () => {
    await clockJobs.stop();
    calendar.close();
  });
  shutdown.add('stop scheduler and notifications', async () => {
    stopNotificationPush();
    await webhooks.stop();
    await notifications.stop();
    await scheduler.stop();
    // Pooled SMTP connections and kept-alive push connections (channels passed in belong to the caller).
    if (!o.mail) mail.close?.();
    if (o.push === undefined) push?.close?.();
  });
  shutdown.add('stop timers', () => {
    clearInterval(sweep);
  });
  shutdown.add(
    'stop accepting',
    () =>
      new Promise<void>((resolve) => {
        upgrades.closeAll();
        http.close(() => {
          resolve();
        });
        http.closeAllConnections();
      }),
  );
  shutdown.add('flush documents', () => description.closeAll());
  shutdown.add('stop search index', () => searchIndex.stop());
  if (cluster) shutdown.add('close redis link', () => cluster.close());
  // A store passed in belongs to the caller.
  if (!o.store) shutdown.add('close store', () => store.close());
  if (!o.blobs) shutdown.add('close blob store', () => blobs.close?.());

  return {
    url,
    port,
    http,
    store,
    blobs,
    bus,
    demoAccounts,
    collab: { description, endpoint: collab },
    services: { accounts, appeals, catalogue, audit },
    scheduler,
    notifications,
    searchIndex,
    sweepSessions,
    close: () => shutdown.run(),
  };
}
