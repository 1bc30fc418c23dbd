/**
 * REST for a person's own data (docs/personal-data.md): the export and its
 * download, deleting the account. Thin handlers; paths and schemas:
 * shared/protocol/routes.ts.
 */
import { Router } from 'express';
import { contentDisposition } from '../../domain/attachments/file-name.js';
import type { PersonalDataService } from '../../domain/personal-data/personal-data.service.js';
import { mountRoute } from './mount-route.js';
import { clearSessionCookie, viewerOf } from './request-context.js';

export function personalDataRoutes(service: PersonalDataService, opts: { secureCookies: boolean }): Router {
  const r = Router();
  // An account whose contacts are not confirmed yet may still take its data out, or delete itself.
  mountRoute(r, 'me.exports.create', async ({ res }) => ({ export: await service.requestExport(viewerOf(res)) }));
  mountRoute(r, 'me.exports.list', async ({ res }) => ({ items: await service.listExports(viewerOf(res)) }));
  mountRoute(r, 'me.exports.download', async ({ res, param }) => {
    const file = await service.download(viewerOf(res), param('id'));
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Length', String(file.bytes.byteLength));
    res.setHeader('Content-Disposition', contentDisposition('attachment', file.fileName));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.end(file.bytes);
  });
  mountRoute(r, 'me.delete', async ({ res, body }) => {
    const { password } = body();
    const result = await service.deleteAccount(viewerOf(res), password);
    clearSessionCookie(res, opts.secureCookies);
    return result;
  });
  return r;
}
