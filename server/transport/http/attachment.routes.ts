/**
 * REST for a room's attachments. Uploads are multipart (`file` parts) read with
 * busboy: the 10 MB limit is enforced while the bytes stream in, and a refused
 * upload stores nothing. Handlers stay thin: parse, call one service function,
 * shape the reply.
 */
import busboy from 'busboy';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { LIMITS } from '../../../shared/limits.js';
import {
  toAttachmentSummary, type AttachmentService, type FileReceiver, type IncomingFile,
} from '../../domain/attachments/attachment.service.js';
import { contentDisposition } from '../../domain/attachments/file-name.js';
import { DomainError } from '../../domain/errors.js';
import { param, parse } from './http-errors.js';
import { requireConfirmed } from './request-context.js';

const restoreSchema = z.object({ version: z.number().int().min(1) });
const downloadSchema = z.object({
  version: z.coerce.number().int().min(1).optional(),
  inline: z.enum(['0', '1']).optional(),
});

/** Text fields and parts in one upload (there is no use for fields yet). */
const MAX_FIELDS = 10;
const MAX_PARTS = 20;
/** Room for multipart headers and boundaries on top of the files themselves. */
const ENVELOPE_BYTES = 1024 * 1024;
/**
 * After refusing an upload we read and discard at most this much more of the
 * body, so the client sees the answer instead of a reset connection; a sender
 * that keeps going past it is cut off.
 */
const DRAIN_BYTES = 16 * 1024 * 1024;
/** The largest body accepted at all: every file at the limit plus the envelope. */
const MAX_REQUEST_BYTES = LIMITS.attachmentsPerRequest * LIMITS.attachmentBytes + ENVELOPE_BYTES;

export function attachmentRoutes(attachments: AttachmentService): Router {
  const r = Router();

  r.post('/api/appeals/:id/attachments', async (req, res) => {
    const viewer = requireConfirmed(res);
    const created = await withBody(req, () =>
      attachments.add(viewer, param(req, 'id'), receiveFiles(req, LIMITS.attachmentsPerRequest)));
    res.status(201).json({ items: created.map(toAttachmentSummary) });
  });

  r.post('/api/appeals/:id/attachments/:attId/versions', async (req, res) => {
    const viewer = requireConfirmed(res);
    const updated = await withBody(req, () =>
      attachments.addVersion(viewer, param(req, 'id'), param(req, 'attId'), receiveFiles(req, 1)));
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

/** Runs the handler; if it fails before the body was read (no access, say), the rest is drained politely. */
async function withBody<T>(req: Request, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    discardBody(req);
    throw error;
  }
}

const draining = new WeakSet<Request>();

/**
 * Reads and drops what is left of the body, then cuts the connection if the
 * sender keeps going: the declared length is already capped by receiveFiles, a
 * chunked body gets DRAIN_BYTES.
 */
function discardBody(req: Request): void {
  if (req.readableEnded || draining.has(req)) return;
  draining.add(req);
  const declared = Number(req.headers['content-length'] ?? 0);
  const budget = Math.min(Math.max(declared, DRAIN_BYTES), MAX_REQUEST_BYTES);
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > budget) req.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}

/**
 * A receiver that streams the request's `file` parts into memory, at most
 * `maxFiles` of them and LIMITS.attachmentBytes each. The first problem
 * rejects: an oversize file is noticed when busboy reports the limit, so no
 * file larger than the limit is ever held whole, and nothing is handed on.
 */
function receiveFiles(req: Request, maxFiles: number): FileReceiver {
  return () => new Promise<IncomingFile[]>((resolve, reject) => {
    if (!req.is('multipart/form-data')) {
      reject(new DomainError('VALIDATION_FAILED', 'Файлы отправляются как multipart/form-data', { file: 'Нет файла' }));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxFiles * LIMITS.attachmentBytes + ENVELOPE_BYTES) {
      reject(tooLarge('Запрос больше допустимого: до 10 МБ на файл'));
      return;
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        // Browsers send names as raw UTF-8; busboy's default would read them as Latin-1.
        defParamCharset: 'utf8',
        // Keep the name as sent: busboy would silently cut "../../x.pdf" to "x.pdf", and we refuse such names.
        preservePath: true,
        limits: { fileSize: LIMITS.attachmentBytes, files: maxFiles, fields: MAX_FIELDS, parts: MAX_PARTS },
      });
    } catch {
      reject(new DomainError('VALIDATION_FAILED', 'Повреждённый запрос с файлами', { file: 'Нет файла' }));
      return;
    }
    const files: IncomingFile[] = [];
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      // Stop feeding the parser and let it go; destroying it would only raise
      // "unexpected end" on the half-read parts. The body is drained by withBody.
      req.unpipe(bb);
      bb.removeAllListeners();
      bb.on('error', () => undefined);
      reject(error);
    };

    bb.on('file', (field, stream, info) => {
      if (field !== 'file') {
        stream.resume();
        fail(new DomainError('VALIDATION_FAILED', 'Файлы передаются в поле «file»', { [field]: 'Неизвестное поле' }));
        return;
      }
      stream.on('error', () => undefined);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => { chunks.push(chunk); });
      stream.on('limit', () => {
        chunks.length = 0;
        fail(tooLarge(`Файл «${info.filename ?? ""}» больше 10 МБ и не сохранён`));
      });
      stream.on('end', () => {
        if (settled || stream.truncated) return;
        const bytes = Buffer.concat(chunks);
        files.push({ fileName: info.filename ?? '', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
      });
    });
    bb.on('filesLimit', () => {
      fail(maxFiles === 1
        ? new DomainError('VALIDATION_FAILED', 'Новая версия — ровно один файл', { file: 'Нужен ровно один файл' })
        : tooLarge(`Не больше ${maxFiles} файлов за один раз`));
    });
    bb.on('partsLimit', () => { fail(tooLarge('Слишком много частей в запросе')); });
    bb.on('fieldsLimit', () => { fail(tooLarge('Слишком много полей в запросе')); });
    bb.on('error', () => { fail(new DomainError('VALIDATION_FAILED', 'Повреждённый запрос с файлами', { file: 'Нет файла' })); });
    bb.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(files);
    });
    // The client went away mid-upload: nothing to store, nobody to answer.
    req.on('close', () => {
      if (!req.readableEnded) fail(new DomainError('VALIDATION_FAILED', 'Загрузка прервана'));
    });
    req.pipe(bb);
  });
}

function tooLarge(message: string): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', message);
}
