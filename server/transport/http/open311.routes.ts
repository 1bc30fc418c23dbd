/**
 * Open311 GeoReport v2, read-only, at /open311/v2/ (docs/oversight.md,
 * "Open311"): JSON and XML. Every request needs an API key (`api_key` in the
 * query, or the `X-Api-Key` header), each key with its own rate limit.
 * Refusals are Open311's: the HTTP status and `[{ code, description }]`
 * (`<errors><error>…` in XML).
 */
import { Router, type Request, type Response } from 'express';
import type { ApiKeyService } from '../../domain/oversight/api-keys.service.js';
import { Open311Error, type Open311 } from '../../domain/oversight/open311.service.js';

type Format = 'json' | 'xml';

/** The XML builder, loaded with the first XML reply (a chunk of its own in the bundle). */
let xml: Promise<{ build(value: unknown): string }> | undefined;
const xmlBuilder = () =>
  (xml ??= import('fast-xml-builder').then(({ default: XMLBuilder }) => new XMLBuilder({ format: true, suppressEmptyNode: false, processEntities: true })));

async function send(res: Response, format: Format, root: string, item: string, value: unknown): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  if (format === 'json') {
    res.json(value);
    return;
  }
  const body = Array.isArray(value) ? { [root]: { [item]: value } } : { [root]: value };
  const text = (await xmlBuilder()).build(body);
  res.type('application/xml; charset=utf-8').send(`<?xml version="1.0" encoding="utf-8"?>\n${text}`);
}

function refuse(res: Response, format: Format, error: Open311Error): Promise<void> {
  if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(error.retryAfter));
  res.status(error.status);
  return send(res, format, 'errors', 'error', [{ code: error.status, description: error.description }]);
}

/** `name.json` or `name.xml` → [name, format]; anything else null. */
function split(file: string): [string, Format] | null {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? [m[1] ?? '', m[2] as Format] : null;
}

export function open311Routes(d: { open311: Open311; apiKeys: ApiKeyService }): Router {
  const r = Router();
  const handle =
    (work: (req: Request, format: Format) => Promise<{ root: string; item: string; value: unknown }>, formatOf: (req: Request) => Format | null) =>
    async (req: Request, res: Response): Promise<void> => {
      const format = formatOf(req);
      if (format === null) {
        await refuse(res, 'json', new Open311Error(404, 'Нет такого адреса Open311: ответы .json или .xml'));
        return;
      }
      try {
        const header = req.get('x-api-key');
        const key = typeof req.query.api_key === 'string' ? req.query.api_key : header;
        await d.apiKeys.admit(key);
        const out = await work(req, format);
        await send(res, format, out.root, out.item, out.value);
      } catch (error) {
        if (error instanceof Open311Error) await refuse(res, format, error);
        else throw error;
      }
    };
  const ext = (name: string) => (req: Request) => {
    const s = split(String(req.params.file ?? ''));
    return s && s[0] === name ? s[1] : null;
  };
  r.get(
    '/open311/v2/:file',
    handle(
      async (req) => {
        const [name] = split(String(req.params.file)) ?? [''];
        if (name === 'services') return { root: 'services', item: 'service', value: await d.open311.services() };
        return { root: 'service_requests', item: 'request', value: await d.open311.requests(req.query) };
      },
      (req) => ext('services')(req) ?? ext('requests')(req),
    ),
  );
  r.get(
    '/open311/v2/services/:file',
    handle(
      async (req, format) => {
        const [code] = split(String(req.params.file)) ?? [''];
        const def = await d.open311.serviceDefinition(code);
        // XML lists the attributes inside <attributes>, one <attribute> each.
        return { root: 'service_definition', item: 'attribute', value: format === 'xml' ? { ...def, attributes: { attribute: def.attributes } } : def };
      },
      (req) => split(String(req.params.file ?? ''))?.[1] ?? null,
    ),
  );
  r.get(
    '/open311/v2/requests/:file',
    handle(
      async (req) => {
        const [id] = split(String(req.params.file)) ?? [''];
        return { root: 'service_requests', item: 'request', value: await d.open311.request(id) };
      },
      (req) => split(String(req.params.file ?? ''))?.[1] ?? null,
    ),
  );
  r.use('/open311', async (_req, res) => {
    await refuse(res, 'json', new Open311Error(404, 'Нет такого адреса Open311'));
  });
  return r;
}
