/**
 * The Express application: security headers, body limits, the session and CSRF
 * middleware, the routers, the built client with SPA fallback, and the one
 * error handler.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import { LIMITS } from '../../../shared/limits.js';
import type { AccountService } from '../../domain/accounts/account.types.js';
import { DomainError } from '../../domain/errors.js';
import type { Logger } from '../../lib/logger.js';
import { cacheControlOf, precompressedAssets, sendPrecompressed } from './client-assets.js';
import { errorHandler } from './http-errors.js';
import { mountRoute } from './mount-route.js';
import { csrfMiddleware, sessionMiddleware } from './request-context.js';

export interface HttpAppDeps {
  logger: Logger;
  accounts: AccountService;
  storeKind: 'sqlite' | 'mongo';
  trustProxy: number;
  allowedOrigins: () => string[];
  /** Routers mounted after the session and CSRF middleware. */
  routers: Router[];
  /** Served over https (PUBLIC_URL): only then ask browsers to upgrade requests. */
  isHttps: boolean;
  /** Folder of the built client (Vite output); a plain page when it is missing. */
  clientDir: string;
}

export function createHttpApp(d: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', d.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          // Svelte and Tiptap set styles through the CSSOM (element.style), which CSP allows; no inline <style> or style="".
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          // The server's own origins, and the same as websockets (socket.io, /yjs/): no other host.
          'connect-src': [
            "'self'",
            () =>
              d
                .allowedOrigins()
                .map((o) => o.replace(/^http/, 'ws'))
                .join(' '),
          ],
          // The client ships no fonts: the system's are used.
          'font-src': ["'self'"],
          'frame-src': ["'self'", 'blob:'],
          'object-src': ["'none'"],
          'frame-ancestors': ["'none'"],
          'base-uri': ["'self'"],
          'form-action': ["'self'"],
          // Over plain http (a LAN or localhost install) upgrading would break every asset.
          'upgrade-insecure-requests': d.isHttps ? [] : null,
        },
      },
      crossOriginEmbedderPolicy: false,
      // HSTS means something only over https; over plain http it would pin a LAN install to a scheme it does not serve.
      strictTransportSecurity: d.isHttps ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    }),
  );
  app.use('/api', (_req, res, next) => {
    // Responses carry personal data: never cache them anywhere.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/api', express.json({ limit: LIMITS.jsonBodyBytes, strict: true }));
  mountRoute(app, 'health', () => Promise.resolve({ ok: true as const, store: d.storeKind }));
  app.use('/api', sessionMiddleware(d.accounts));
  app.use('/api', csrfMiddleware(d.allowedOrigins));
  for (const router of d.routers) app.use(router);
  app.use('/api', (_req, _res, next) => {
    next(new DomainError('NOT_FOUND', 'Нет такого адреса API'));
  });
  mountClient(app, d.clientDir);
  app.use(errorHandler(d.logger));
  return app;
}

/**
 * Serves the built client: its assets, and index.html for every other path
 * outside the API (the SPA's routes). Text files go out precompressed when the
 * request accepts it (client-assets.ts); hashed names under /assets/ are
 * cached for a year, index.html is checked again on every load.
 */
export function mountClient(app: Express, clientDir: string): void {
  const index = path.join(clientDir, 'index.html');
  if (!existsSync(index)) {
    app.get('/', (_req, res) => {
      res.type('html').send('<!doctype html><meta charset="utf-8"><title>Case room</title><p>API работает: <a href="/api/health">/api/health</a></p>');
    });
    return;
  }
  app.use(precompressedAssets(clientDir));
  app.use(
    express.static(clientDir, {
      index: false,
      setHeaders: (res, file) => {
        res.setHeader('Cache-Control', cacheControlOf(`/${path.relative(clientDir, file)}`));
      },
    }),
  );
  app.get(/^\/(?!api\/|socket\.io\/|yjs\/).*/, (req, res, next) => {
    // Relative to its folder: `send` refuses a path with a dot-directory in it, and the install may live under one (~/.local/…).
    sendPrecompressed(req, res, next, {
      root: clientDir,
      relPath: 'index.html',
      cacheControl: 'no-cache',
      fallback: () => {
        res.setHeader('Cache-Control', 'no-cache');
        res.sendFile('index.html', { root: clientDir });
      },
    });
  });
}
