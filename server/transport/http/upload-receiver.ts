/**
 * The body of one upload request. busboy parses the multipart stream and every
 * `file` part is piped into its own temp file as it arrives, so the server
 * holds only the chunks in flight, never a file. The receiver also enforces the
 * size limit while the bytes stream in, ends an upload that goes silent for
 * `idleTimeoutMs`, and deletes its temp files whatever happens (success,
 * refusal, timeout, the client going away).
 */
import busboy from 'busboy';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ATTACHMENT_LIMIT_TEXT, LIMITS } from '../../../shared/limits.js';
import type { FileReceiver, IncomingFile } from '../../domain/attachments/attachment.service.js';
import { DomainError } from '../../domain/errors.js';

export interface UploadReceiverOptions {
  /** Directory of the temp files of uploads in progress (`DATA_DIR/uploads`). */
  tempDir: string;
  /** An upload that sends no byte for this long is answered and dropped. */
  idleTimeoutMs: number;
}

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
/** Temp files untouched for this long at start belong to a server that died mid-upload. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const TEMP_SUFFIX = '.part';

/** Creates the temp directory and deletes what a crashed server left in it. */
export function prepareUploadDir(dir: string, now = Date.now()): void {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (name.endsWith(TEMP_SUFFIX) && now - statSync(file).mtimeMs > STALE_TEMP_MS) rmSync(file, { force: true });
  }
}

/** One file part being written: its temp file and whether the write finished (null) or failed. */
interface PartFile {
  fileName: string;
  path: string;
  out: WriteStream;
  written: Promise<Error | null>;
}

export class UploadReceiver {
  /** The receiver handed to the service; it starts reading the body. */
  readonly receive: FileReceiver = () => this.start();
  private readonly parts: PartFile[] = [];
  private readonly idle: NodeJS.Timeout;
  private isTimedOut = false;
  private isDraining = false;
  /** Rejects the receive in progress, if any. */
  private abort: ((error: Error) => void) | null = null;

  constructor(
    private readonly req: Request,
    private readonly maxFiles: number,
    private readonly o: UploadReceiverOptions,
  ) {
    this.idle = setTimeout(this.onIdle, o.idleTimeoutMs);
    req.once('end', () => {
      if (!this.isDraining) clearTimeout(this.idle);
    });
    req.once('close', () => {
      clearTimeout(this.idle);
    });
  }

  /**
   * After a refusal: a silent sender's connection is closed with the reply; a
   * sender still streaming gets the rest of its body read and dropped (at most
   * the declared length, or DRAIN_BYTES for a chunked body), then is cut off.
   */
  discard(res: Response): void {
    if (this.isTimedOut) {
      res.setHeader('Connection', 'close');
      return;
    }
    const { req } = this;
    if (req.readableEnded || this.isDraining) return;
    this.isDraining = true;
    this.idle.refresh();
    const declared = Number(req.headers['content-length'] ?? 0);
    const budget = Math.min(Math.max(declared, DRAIN_BYTES), MAX_REQUEST_BYTES);
    let dropped = 0;
    req.on('data', (chunk: Buffer) => {
      this.idle.refresh();
      dropped += chunk.length;
      if (dropped > budget) req.destroy();
    });
    req.once('end', () => {
      clearTimeout(this.idle);
    });
    req.on('error', () => undefined);
    req.resume();
  }

  /** Deletes every temp file of this request (waiting for its writer to close first). */
  async dispose(): Promise<void> {
    if (!this.isDraining) clearTimeout(this.idle);
    await Promise.all(
      this.parts.map(async (part) => {
        if (!part.out.closed) {
          const closed = new Promise<void>((resolve) => {
            part.out.once('close', () => {
              resolve();
            });
          });
          part.out.destroy();
          await closed;
        }
        await rm(part.path, { force: true });
      }),
    );
  }

  private readonly onIdle = (): void => {
    this.isTimedOut = true;
    if (this.isDraining) this.req.destroy();
    else this.abort?.(idleError(this.o.idleTimeoutMs));
  };

  /** Refuses what can be refused from the headers, then streams the parts in. */
  private async start(): Promise<IncomingFile[]> {
    if (this.isTimedOut) throw idleError(this.o.idleTimeoutMs);
    const { req, maxFiles } = this;
    if (!req.is('multipart/form-data')) {
      throw new DomainError('VALIDATION_FAILED', 'Файлы отправляются как multipart/form-data', { file: 'Нет файла' });
    }
    // Refused before a byte of the body is read.
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxFiles * LIMITS.attachmentBytes + ENVELOPE_BYTES) {
      throw tooLarge(`Запрос больше допустимого: не больше ${maxFiles} файлов, каждый ${ATTACHMENT_LIMIT_TEXT.ru}`);
    }
    return this.stream(parserFor(req, maxFiles));
  }

  /** Pipes the body through the parser; resolves once every part is written, rejects at the first problem. */
  private stream(bb: busboy.Busboy): Promise<IncomingFile[]> {
    const { req, maxFiles } = this;
    return new Promise<IncomingFile[]>((resolve, reject) => {
      let isSettled = false;
      const fail = (error: Error): void => {
        if (isSettled) return;
        isSettled = true;
        this.abort = null;
        // Stop feeding the parser and let it go; destroying it would only raise
        // "unexpected end" on the half-read parts. dispose() deletes the temp files.
        req.unpipe(bb);
        bb.removeAllListeners();
        bb.on('error', () => undefined);
        for (const part of this.parts) part.out.destroy();
        reject(error);
      };
      this.abort = fail;

      bb.on('file', (field, stream, info) => {
        stream.on('error', () => undefined);
        if (isSettled) {
          stream.resume();
        } else if (field !== 'file') {
          stream.resume();
          fail(new DomainError('VALIDATION_FAILED', 'Файлы передаются в поле «file»', { [field]: 'Неизвестное поле' }));
        } else {
          const fileName = info.filename ?? '';
          stream.on('limit', () => {
            fail(tooLarge(`Файл «${fileName}» не сохранён: размер файла — ${ATTACHMENT_LIMIT_TEXT.ru}`));
          });
          stream.pipe(this.openPart(fileName).out);
        }
      });
      bb.on('filesLimit', () => {
        fail(
          maxFiles === 1
            ? new DomainError('VALIDATION_FAILED', 'Новая версия — ровно один файл', { file: 'Нужен ровно один файл' })
            : tooLarge(`Не больше ${maxFiles} файлов за один раз`),
        );
      });
      bb.on('partsLimit', () => {
        fail(tooLarge('Слишком много частей в запросе'));
      });
      bb.on('fieldsLimit', () => {
        fail(tooLarge('Слишком много полей в запросе'));
      });
      bb.on('error', () => {
        fail(malformed());
      });
      bb.on('close', () => {
        // The parser is done; the files are complete once their writers have flushed.
        void Promise.all(this.parts.map((p) => p.written)).then((errors) => {
          const error = errors.find((e) => e !== null);
          if (error) fail(error);
          if (isSettled) return;
          isSettled = true;
          this.abort = null;
          resolve(this.parts.map((p) => ({ fileName: p.fileName, path: p.path, size: p.out.bytesWritten })));
        });
      });
      // The client went away mid-upload: nothing to store, nobody to answer.
      req.on('close', () => {
        if (!req.readableEnded) fail(new DomainError('VALIDATION_FAILED', 'Загрузка прервана'));
      });
      req.on('data', () => {
        this.idle.refresh();
      });
      req.pipe(bb);
    });
  }

  /** A new temp file for one part; registered at once so that dispose() finds it. */
  private openPart(fileName: string): PartFile {
    const file = path.join(this.o.tempDir, `${randomUUID()}${TEMP_SUFFIX}`);
    const out = createWriteStream(file, { flags: 'wx' });
    const written = new Promise<Error | null>((resolve) => {
      out.once('finish', () => {
        resolve(null);
      });
      out.once('error', resolve);
    });
    const part = { fileName, path: file, out, written };
    this.parts.push(part);
    return part;
  }
}

/** busboy over the request, with our limits; VALIDATION_FAILED for headers it cannot parse. */
function parserFor(req: Request, maxFiles: number): busboy.Busboy {
  try {
    return busboy({
      headers: req.headers,
      // Browsers send names as raw UTF-8; busboy's default would read them as Latin-1.
      defParamCharset: 'utf8',
      // Keep the name as sent: busboy would silently cut "../../x.pdf" to "x.pdf", and we refuse such names.
      preservePath: true,
      // busboy reports the limit when a file reaches fileSize bytes; a file of exactly attachmentBytes is allowed.
      limits: { fileSize: LIMITS.attachmentBytes + 1, files: maxFiles, fields: MAX_FIELDS, parts: MAX_PARTS },
    });
  } catch {
    throw malformed();
  }
}

function idleError(idleTimeoutMs: number): DomainError {
  return new DomainError(
    'VALIDATION_FAILED',
    `Загрузка остановлена: ${Math.round(idleTimeoutMs / 1000)} с не приходило ни одного байта. Отправьте файлы ещё раз`,
    { file: 'Загрузка прервана: нет данных' },
  );
}

function malformed(): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Повреждённый запрос с файлами', { file: 'Нет файла' });
}

function tooLarge(message: string): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', message);
}
