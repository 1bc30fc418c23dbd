/**
 * REST for a room's attachments. Uploads are multipart (`file` parts): the
 * UploadReceiver streams each file to a temp file under `tempDir` while
 * enforcing the size limit and the idle timeout, and deletes the temp files
 * when the request is done, whatever its outcome. Handlers stay thin: parse,
 * call one service function, shape the reply.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { LIMITS } from '../../../shared/limits.js';
import { toAttachmentSummary, type AttachmentService, type FileReceiver } from '../../domain/attachments/attachment.service.js';
import { contentDisposition } from '../../domain/attachments/file-name.js';
import { param, parse } from './http-errors.js';
import { requireConfirmed } from './request-context.js';
import { prepareUploadDir, UploadReceiver, type UploadReceiverOptions } from './upload-receiver.js';

const restoreSchema = z.object({ version: z.number().int().min(1) });
const downloadSchema = z.object({
  version: z.coerce.number().int().min(1).optional(),
  inline: z.enum(['0', '1']).optional(),
});

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

  r.post('/api/appeals/:id/attachments', async (req, res) => {
    const viewer = requireConfirmed(res);
    const created = await withUpload(req, res, LIMITS.attachmentsPerRequest, uploads, (receive) =>
      attachments.add(viewer, param(req, 'id'), receive));
    res.status(201).json({ items: created.map(toAttachmentSummary) });
  });

  r.post('/api/appeals/:id/attachments/:attId/versions', async (req, res) => {
    const viewer = requireConfirmed(res);
    const updated = await withUpload(req, res, 1, uploads, (receive) =>
      attachments.addVersion(viewer, param(req, 'id'), param(req, 'attId'), receive));
    res.status(201).json({ attachment: toAttachmentSummary(updated) });
  });

  r.post('/api/appeals/:id/attachments/:attId/restore', async (req, res) => {
    const { version } = parse(restoreSchema, req.body);
    const restored = await attachments.restore(requireConfirmed(res), param(req, 'id'), param(req, 'attId'), version);
    res.json({ attachment: toAttachmentSummary(restored) });
  });

  r.get('/api/appeals/:id/attachments', async (req, res) => {
    const items = await attachments.list(requireConfirmed(res), param(req, 'id'));
    res.json({ items: items.map(toAttachmentSummary) });
  });

  r.get('/api/appeals/:id/attachments/:attId/download', async (req, res) => {
    const { version, inline } = parse(downloadSchema, req.query);
    const file = await attachments.download(requireConfirmed(res), param(req, 'id'), param(req, 'attId'), version);
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
  req: Request, res: Response, maxFiles: number, options: UploadReceiverOptions, run: (receive: FileReceiver) => Promise<T>,
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
