/**
 * The built client's files, precompressed. The client build (vite.config.ts,
 * `precompress`) writes `<file>.br` and `<file>.gz` beside every text asset;
 * here a request for `<file>` gets the variant its Accept-Encoding prefers
 * (brotli, then gzip), with the original file's Content-Type,
 * `Content-Encoding` and `Vary: Accept-Encoding`, or the file itself when the
 * client takes neither or no variant was built. Nothing is compressed while
 * serving.
 */
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What the build precompresses: the text formats. Images and fonts are compressed already. */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.map', '.webmanifest']);

export type Encoding = 'br' | 'gzip';

const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

/** Hashed names under /assets/ never change: cached for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Other files of the client folder are checked again after an hour. */
export const ONE_HOUR = 'public, max-age=3600';

/** The Cache-Control of a file of the client folder (`/assets/x.js`): index.html names the current assets, so it is checked on every load. */
export function cacheControlOf(relPath: string): string {
  const p = relPath.replaceAll('\\', '/');
  if (p.includes('/assets/')) return IMMUTABLE;
  return path.posix.basename(p) === 'index.html' ? 'no-cache' : ONE_HOUR;
}

/**
 * The encodings a request accepts, best first: by q-value, brotli before gzip
 * at equal weight. `q=0` refuses one; `*` stands for those not named. No
 * header at all means the identity only (RFC 9110 allows anything then, but a
 * client that sends none is better served plain).
 */
export function acceptedEncodings(header: string | undefined): Encoding[] {
  if (!header) return [];
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [rawName = '', ...params] = part.split(';');
    const name = rawName.trim().toLowerCase();
    if (!name) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q)) q = 0;
    weights.set(name === 'x-gzip' ? 'gzip' : name, q);
  }
  const weightOf = (enc: Encoding): number => weights.get(enc) ?? weights.get('*') ?? 0;
  return (['br', 'gzip'] as const).filter((e) => weightOf(e) > 0).sort((a, b) => weightOf(b) - weightOf(a));
}

/** A refusal that means "not here" (no such variant, a path leaving the folder): the next candidate answers, as serve-static falls through. */
function fallsThrough(err: unknown): boolean {
  const e = err as { status?: unknown; code?: unknown };
  return (typeof e.status === 'number' && e.status < 500) || e.code === 'ENOENT' || e.code === 'ENOTDIR';
}

/**
 * Sends `relPath` (inside `root`) in the best encoding the request accepts,
 * with `cacheControl`; when no variant exists, `fallback()` answers (the plain
 * file). Errors other than a missing variant go to `next`.
 */
export function sendPrecompressed(
  req: Request,
  res: Response,
  next: NextFunction,
  o: { root: string; relPath: string; cacheControl: string; fallback: () => void },
): void {
  const ext = path.extname(o.relPath);
  if (!COMPRESSIBLE_EXTENSIONS.has(ext)) {
    o.fallback();
    return;
  }
  // The same URL has several representations: caches must key on the request's encodings.
  res.vary('Accept-Encoding');
  const contentType = res.type(ext).get('Content-Type') ?? 'application/octet-stream';
  res.removeHeader('Content-Type');
  const candidates = acceptedEncodings(req.headers['accept-encoding']);
  const tryNext = (i: number): void => {
    const enc = candidates[i];
    if (enc === undefined) {
      o.fallback();
      return;
    }
    // Headers only once the variant is found: a missing .br must not leave `Content-Encoding: br` on the plain file.
    res.sendFile(
      o.relPath + SUFFIX[enc],
      {
        root: o.root,
        cacheControl: false,
        headers: { 'Content-Type': contentType, 'Content-Encoding': enc, 'Cache-Control': o.cacheControl },
      },
      (err?: Error) => {
        if (!err) return;
        if (fallsThrough(err) && !res.headersSent) tryNext(i + 1);
        else if (!res.headersSent) next(err);
      },
    );
  };
  tryNext(0);
}

/**
 * Middleware in front of `express.static(root)`: a GET or HEAD of a compressible
 * file gets its precompressed variant when there is one; everything else, and
 * a file without variants, goes on to the static handler.
 */
export function precompressedAssets(root: string): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    let relPath: string;
    try {
      relPath = decodeURIComponent(req.path);
    } catch {
      next();
      return;
    }
    if (!COMPRESSIBLE_EXTENSIONS.has(path.extname(relPath))) {
      next();
      return;
    }
    sendPrecompressed(req, res, next, {
      root,
      relPath,
      cacheControl: cacheControlOf(relPath),
      fallback: () => {
        next();
      },
    });
  };
}
