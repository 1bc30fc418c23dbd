/**
 * Webhook requests over node:http(s) (server/domain/oversight/webhook.service.ts):
 * the name is resolved once by `resolve`, the domain checks those addresses,
 * and `post` connects to the checked one — the request's `lookup` answers
 * with it, so no second resolution can swap in another address — while TLS
 * still verifies the certificate for the URL's host name.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookTransport } from '../domain/oversight/webhook.service.js';

/** The most of a receiver's answer read (and thrown away). */
const MAX_ANSWER_BYTES = 64 * 1024;

export const nodeWebhookTransport: WebhookTransport = {
  async resolve(hostname) {
    if (isIP(hostname) !== 0) return [hostname];
    const found = await lookup(hostname, { all: true, verbatim: true });
    return found.map((a) => a.address);
  },
  post(url, address, headers, body, timeoutMs) {
    const family = isIP(address) === 6 ? 6 : 4;
    const pinned: LookupFunction = (_host, options, callback) => {
      if (options.all === true) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    };
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<number>((resolve, reject) => {
      const req = lib.request(
        url,
        { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: pinned, timeout: timeoutMs, agent: false },
        (res) => {
          let seen = 0;
          res.on('data', (chunk: Buffer) => {
            seen += chunk.length;
            if (seen > MAX_ANSWER_BYTES) res.destroy();
          });
          res.on('close', () => {
            resolve(res.statusCode ?? 0);
          });
          res.on('error', () => {
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('timeout', () => {
        req.destroy(new Error(`no answer within ${timeoutMs} ms`));
      });
      req.on('error', reject);
      req.end(body);
    });
  },
};
