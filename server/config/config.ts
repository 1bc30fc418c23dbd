/**
 * Configuration: the only reader of process.env. Parsed once at start with one
 * zod schema; a bad value stops the start with a message naming the variable.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const optionalUrl = (protocols: string[]) =>
  z
    .url()
    .refine((u) => protocols.includes(new URL(u).protocol), `protocol must be one of ${protocols.join(', ')}`)
    .optional();

const envSchema = z.object({
  /** HTTP port for everything: REST, socket.io, Yjs and the client. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface to listen on; 0.0.0.0 to accept connections from other hosts. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the embedded store, attachments and the generated secret live. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** MongoDB connection string; when set, MongoDB is the store instead of SQLite. */
  MONGODB_URI: optionalUrl(['mongodb:', 'mongodb+srv:']),
  /** Redis for running several instances as one (socket.io adapter, Yjs relay). */
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  /** The URL people open; its origin is the one websockets and POSTs must come from. */
  PUBLIC_URL: optionalUrl(['http:', 'https:']),
  /** Secret for hashing codes and tokens; generated into DATA_DIR/secret when absent. */
  SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** SMTP server for e-mail (smtp://user:pass@host:port); absent: the dev outbox. */
  SMTP_URL: optionalUrl(['smtp:', 'smtps:']),
  /** Sender address of outgoing mail. */
  MAIL_FROM: z.string().min(3).default('Госуслуги — совместное решение <noreply@caseroom.local>'),
  /** SMS gateway accepting POST {to, text} as JSON; absent: the dev outbox. */
  SMS_GATEWAY_URL: optionalUrl(['http:', 'https:']),
  /** Bearer token for the SMS gateway. */
  SMS_GATEWAY_TOKEN: z.string().optional(),
  /** Web push keys (base64url); absent: generated into DATA_DIR/vapid.json on the first start. */
  VAPID_PUBLIC_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY: z.string().optional(),
  /** The contact push services are given (`mailto:` or `https:`). */
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:)/, 'a mailto: or https: URL')
    .optional(),
  /** How long a scheduled job's run holds it before another instance (or this one, restarted) may take it again. */
  SCHEDULER_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  /**
   * Years a deleted account's appeals keep the person's data before it is pseudonymised: 5 by default,
   * the term of citizens' appeals in the list of standard archival documents (приказ Росархива от
   * 20.12.2019 № 236, ст. 154; docs/personal-data.md).
   */
  PERSONAL_DATA_RETENTION_YEARS: z.coerce.number().int().min(1).max(75).default(5),
  /** Webhooks may go over plain http to loopback (127.0.0.1, ::1, localhost): on by default only with NODE_ENV=development (docs/oversight.md). */
  WEBHOOKS_DEV_LOOPBACK: z.enum(['true', 'false']).optional(),
  NODE_ENV: z.string().optional(),
  /** Seed demo accounts on first start of an empty store. */
  SEED_DEMO: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** debug | info | warn | error | silent */
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Number of proxy hops to trust for the client IP (rate limits). */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mongodbUri: string | undefined;
  redisUrl: string | undefined;
  publicUrl: string | undefined;
  /** Origins allowed on websockets and state-changing requests. */
  allowedOrigins: (port: number) => string[];
  secret: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  smsGatewayUrl: string | undefined;
  smsGatewayToken: string | undefined;
  vapid: { publicKey: string; privateKey: string; subject: string } | undefined;
  vapidSubject: string;
  schedulerLeaseMs: number;
  /** PERSONAL_DATA_RETENTION_YEARS (docs/personal-data.md). */
  retentionYears: number;
  /** Webhooks may be plain http to a loopback address (WEBHOOKS_DEV_LOOPBACK, or NODE_ENV=development). */
  webhooksDevLoopback: boolean;
  seedDemo: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  trustProxy: number;
  /** Cookies get `Secure` when PUBLIC_URL is https. */
  secureCookies: boolean;
}

/** Thrown when the environment is invalid; `message` names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `env` (process.env by default). Creates DATA_DIR and the secret file if needed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const publicUrl = e.PUBLIC_URL;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    mongodbUri: e.MONGODB_URI,
    redisUrl: e.REDIS_URL,
    publicUrl,
    allowedOrigins: (port) => (publicUrl ? [new URL(publicUrl).origin] : [`http://localhost:${port}`, `http://127.0.0.1:${port}`]),
    secret: e.SESSION_SECRET ?? readOrCreateSecret(dataDir),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    smsGatewayUrl: e.SMS_GATEWAY_URL,
    smsGatewayToken: e.SMS_GATEWAY_TOKEN,
    vapid:
      e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY
        ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT ?? 'mailto:admin@caseroom.local' }
        : undefined,
    vapidSubject: e.VAPID_SUBJECT ?? 'mailto:admin@caseroom.local',
    schedulerLeaseMs: e.SCHEDULER_LEASE_MS,
    retentionYears: e.PERSONAL_DATA_RETENTION_YEARS,
    webhooksDevLoopback: e.WEBHOOKS_DEV_LOOPBACK === undefined ? e.NODE_ENV === 'development' : e.WEBHOOKS_DEV_LOOPBACK === 'true',
    seedDemo: e.SEED_DEMO,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    secureCookies: publicUrl?.startsWith('https:') ?? false,
  };
}

function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
