/**
 * REST for a room's attachments. Uploads are multipart (`file` parts): the
 * UploadReceiver streams each file to a temp file under `tempDir` while
 * enforcing the size limit and the idle timeout, and deletes the temp files
 * when the request is done, whatever its outcome; how many files a request may
 * carry is the route table's (shared/protocol/routes.ts). Handlers stay thin:
 * parse, call one service function, shape the reply.
 */
import { Router, type Request, type Response } from 'express';
import { LIMITS } from '../../../shared/limits.js';
import { ROUTES } from '../../../shared/protocol/routes.js';
import type { AttachmentService, FileReceiver } from '../../domain/attachments/attachment.service.js';
import { contentDisposition } from '../../domain/attachments/file-name.js';
import { mountRoute } from './mount-route.js';
import { requireConfirmed } from './request-context.js';
import { prepareUploadDir, UploadReceiver, type UploadReceiverOptions } from './upload-receiver.js';

export interface AttachmentRouteOptions {
  /** Directory of the temp files of uploads in progress; created, and cleared of a crashed run's leftovers. */
  tempDir: string;
  /** An upload that sends no byte for this long is answered and dropped; LIMITS.uploadIdleSeconds by default. */
  idleTimeoutMs?: number;
}

export function attachmentRoutes(attachments: AttachmentService, options: AttachmentRouteOptions): Router {
  const r = Router();
  const uploads: UploadReceiverOptions = {
    tempDir: options.tempDir,
    idleTimeoutMs: options.idleTimeoutMs ?? LIMITS.uploadIdleSeconds * 1000,
  };
  prepareUploadDir(uploads.tempDir);

  mountRoute(r, 'attachments.upload', async ({ req, res, param }) => {
    const viewer = requireConfirmed(res);
    const created = await withUpload(req, res, ROUTES['attachments.upload'].body.maxFiles, uploads, (receive) => attachments.add(viewer, param('id'), receive));
    return { items: await attachments.summaries(created) };
  });

  mountRoute(r, 'attachments.addVersion', async ({ req, res, param }) => {
    const viewer = requireConfirmed(res);
    const updated = await withUpload(req, res, ROUTES['attachments.addVersion'].body.maxFiles, uploads, (receive) =>
      attachments.addVersion(viewer, param('id'), param('attId'), receive),
    );
    return { attachment: await attachments.summary(updated) };
  });

  mountRoute(r, 'attachments.restore', async ({ res, param, body }) => {
    const { version } = body();
    const restored = await attachments.restore(requireConfirmed(res), param('id'), param('attId'), version);
    return { attachment: await attachments.summary(restored) };
  });

  mountRoute(r, 'attachments.list', async ({ res, param }) => {
    const items = await attachments.list(requireConfirmed(res), param('id'));
    return { items: await attachments.summaries(items) };
  });

  mountRoute(r, 'attachments.journal', async ({ res, param }) => ({ items: await attachments.journal(requireConfirmed(res), param('id')) }));

  mountRoute(r, 'attachments.download', async ({ res, param, query }) => {
    const { version, inline } = query();
    const file = await attachments.download(requireConfirmed(res), param('id'), param('attId'), version);
    const disposition = inline === '1' && file.isPreviewable ? 'inline' : 'attachment';
    res.setHeader('Content-Type', file.mime);
    res.setHeader('Content-Length', String(file.bytes.byteLength));
    res.setHeader('Content-Disposition', contentDisposition(disposition, file.fileName));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.end(file.bytes);
  });

  return r;
}

/**
 * Runs an upload handler with the request's receiver. On a refusal the rest of
 * the body is dealt with (drained, or the connection closed for a silent
 * sender); the temp files are deleted before the reply either way.
 */
async function withUpload<T>(
  req: Request,
  res: Response,
  maxFiles: number,
  options: UploadReceiverOptions,
  run: (receive: FileReceiver) => Promise<T>,
): Promise<T> {
  const upload = new UploadReceiver(req, maxFiles, options);
  try {
    return await run(upload.receive);
  } catch (error) {
    upload.discard(res);
    throw error;
  } finally {
    await upload.dispose();
  }
}
