/**
 * An upload written by hand over node:http, for what fetch cannot do: declare
 * a Content-Length and send less, stall mid-file, trickle, abort. The body is
 * multipart with `file` parts; the client sends the session cookie, Origin and
 * CSRF token like the browser.
 */
import { request, type ClientRequest } from 'node:http';
import type { TestClient } from './session.js';

export const BOUNDARY = 'caseroom-test-boundary';

/** The multipart header of one `file` part. */
export function partHeader(fileName: string, first = true): Buffer {
  return Buffer.from(
    `${first ? '' : '\r\n'}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
    'utf8',
  );
}

/** The closing boundary after the last part. */
export const CLOSING = Buffer.from(`\r\n--${BOUNDARY}--\r\n`, 'latin1');

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface RawUpload {
  req: ClientRequest;
  /** The server's reply, whenever it comes; rejects if the connection ends without one. */
  reply: Promise<RawReply>;
  /** Resolves when the connection is closed (by either side). */
  closed: Promise<void>;
  /** Writes more of the body; resolves once it is handed to the socket. */
  write(bytes: Uint8Array): Promise<void>;
  /** Sends one byte every `everyMs` until aborted (keeps an idle timer from firing). */
  trickle(everyMs: number): void;
  /** Drops the connection, as a client that goes away. */
  abort(): void;
}

/**
 * Opens an upload to `path` declaring `contentLength` bytes and writes `first`
 * (which may be empty: the headers alone are flushed).
 */
export function openRawUpload(client: TestClient, path: string, contentLength: number, first: Uint8Array = new Uint8Array(0)): RawUpload {
  const url = new URL(path, client.baseUrl);
  const req = request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    agent: false,
    headers: {
      origin: client.origin,
      cookie: client.cookie,
      'x-csrf-token': client.csrfToken,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(contentLength),
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<void>((resolve) => {
    req.once('close', () => {
      clearInterval(timer);
      resolve();
    });
  });
  const reply = new Promise<RawReply>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text });
      });
    });
  });
  // A reply that nobody awaits (an aborted upload) must not count as an unhandled rejection.
  reply.catch(() => undefined);
  const write = (bytes: Uint8Array): Promise<void> =>
    new Promise((resolve) => {
      if (req.destroyed) resolve();
      else
        req.write(bytes, () => {
          resolve();
        });
    });
  if (first.byteLength > 0) void write(first);
  else req.flushHeaders();
  return {
    req,
    reply,
    closed,
    write,
    trickle(everyMs) {
      timer = setInterval(() => {
        if (!req.destroyed) req.write(Buffer.from('x'));
      }, everyMs);
    },
    abort() {
      clearInterval(timer);
      req.destroy();
    },
  };
}

/**
 * One part of a hand-built multipart body; the name goes into the header as
 * raw UTF-8. Without a name the part is a text field.
 */
export interface RawPart {
  name?: string;
  bytes: Uint8Array;
  field?: string;
}

/** A multipart body with the names exactly as given (`"` and `\` escaped), which FormData would percent-encode. */
export function multipartBody(parts: RawPart[]): Buffer {
  const chunks: Buffer[] = [];
  parts.forEach((p, i) => {
    const file = p.name === undefined ? '' : `; filename="${p.name.replace(/[\\"]/g, (c) => `\\${c}`)}"\r\nContent-Type: application/octet-stream`;
    chunks.push(
      Buffer.from(`${i === 0 ? '' : '\r\n'}--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.field ?? 'file'}"${file}\r\n\r\n`, 'utf8'),
      Buffer.from(p.bytes),
    );
  });
  chunks.push(parts.length === 0 ? Buffer.from(`--${BOUNDARY}--\r\n`, 'latin1') : CLOSING);
  return Buffer.concat(chunks);
}

/** Posts a hand-built multipart body like the browser would (session, Origin, CSRF). */
export async function postMultipart(client: TestClient, path: string, parts: RawPart[]): Promise<RawReply> {
  const res = await fetch(client.baseUrl + path, {
    method: 'POST',
    headers: {
      origin: client.origin,
      cookie: client.cookie,
      'x-csrf-token': client.csrfToken,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    },
    body: multipartBody(parts),
  });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), body: text.startsWith('{') ? JSON.parse(text) : text };
}
