/**
 * The access matrix of the hostile suite: which role may do what to one
 * appeal, on every channel, written out as a table (derived from docs/api.md,
 * docs/realtime*.md, appeal.policy.ts and room-access.ts); the tally that holds
 * the attempts against it; the two wire clients the matrix needs that the
 * shared helpers do not have (a Yjs handshake-and-sync probe, and an Engine.IO
 * client that asks to recover a socket.io session by pid and offset); and the
 * recovery rounds, which play the recovery rows of the table.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { clientId, connect, ok, request, until, type ClientSocket } from '../helpers/realtime.js';
import { fileAppeal, type ApiResponse, type TestClient } from '../helpers/session.js';

/** Roles relative to one appeal: the people in its case, then everyone else. */
export const ROLES = [
  'owner',
  'assignedOperator',
  'departmentOperator',
  'departmentSupervisor',
  'invitedExpert',
  'anonymous',
  'otherCitizen',
  'outsideOperator',
  'outsideSupervisor',
  'outsideExpert',
] as const;
export type Role = (typeof ROLES)[number];
export type Channel = 'rest' | 'socket' | 'yjs' | 'recovery';
export const CHANNELS: readonly Channel[] = ['rest', 'socket', 'yjs', 'recovery'];

/** 1: must succeed; 0: must be refused; null: no such attempt for that role. */
type Cell = 0 | 1 | null;
const Y1 = 1,
  n = 0,
  __ = null;

/**
 * The expected matrix. Columns, in ROLES order:
 *   own  = the citizen who filed it          aOp  = the operator it is assigned to
 *   dOp  = another operator of its department dSup = its department's supervisor (an observer until they act)
 *   iExp = the expert invited into it         anon = no session
 *   oCit = another citizen    oOp = operator of another department
 *   oSup = supervisor of another department   oExp = an expert not invited
 * Draft rows act on the owner's draft (drafts have no room: only the owner knows them).
 * Recovery rows act on a room whose member dropped its transport while someone posted.
 */
export const MATRIX = {
  rest: {
    //                                           own aOp dOp dSup iExp anon oCit oOp oSup oExp
    'GET /appeals/:id': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'GET /appeals/:id/history': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'GET /appeals/mine lists it': [Y1, n, n, n, n, n, n, n, n, n],
    'GET /appeals/invited lists it': [n, n, n, n, Y1, n, n, n, n, n],
    'GET /queue lists it': [n, Y1, Y1, Y1, n, n, n, n, n, n],
    'PATCH /appeals/:id (owner’s draft)': [Y1, n, n, n, n, n, n, n, n, n],
    'PATCH /appeals/:id (submitted)': [n, n, n, n, n, n, n, n, n, n],
    'POST /appeals/:id/submit (owner’s draft)': [Y1, n, n, n, n, n, n, n, n, n],
    'POST /transitions request_info': [n, Y1, n, Y1, n, n, n, n, n, n],
    'POST /transitions provide_info': [Y1, n, n, n, n, n, n, n, n, n],
    'POST /assign': [n, n, n, Y1, n, n, n, n, n, n],
    'POST /extensions (the answer term)': [n, n, n, Y1, n, n, n, n, n, n],
    'POST /experts (invite)': [n, Y1, Y1, Y1, n, n, n, n, n, n],
    'DELETE /experts/:expertId': [n, Y1, Y1, Y1, n, n, n, n, n, n],
    'GET /attachments': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'POST /attachments (upload)': [Y1, Y1, Y1, n, Y1, n, n, n, n, n],
    'GET /attachments/:attId/download': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'POST /attachments/:attId/versions': [Y1, Y1, Y1, n, Y1, n, n, n, n, n],
    'POST /attachments/:attId/restore': [Y1, Y1, Y1, n, Y1, n, n, n, n, n],
    'GET /description/versions': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'GET /description/versions/:versionId': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'POST /description/versions/:id/restore': [Y1, Y1, Y1, n, Y1, n, n, n, n, n],
    // After the decision (docs/decisions.md): the case's PDF is the room's to read; an open appeal is rated by nobody, and has no review to act on.
    'GET /appeals/:id/pdf': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'POST /feedback (appeal not completed)': [n, n, n, n, n, n, n, n, n, n],
    'POST /review start (no rating)': [n, n, n, n, n, n, n, n, n, n],
    // The case's entries (docs/api-case.md "Case entries"): anyone in the room reads them; the owner alone supplements.
    'GET /appeals/:id/entries': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'POST /supplements': [Y1, n, n, n, n, n, n, n, n, n],
    // Linked appeals: every route is for the department's operators and supervisors.
    'GET /appeals/:id/group': [n, Y1, Y1, Y1, n, n, n, n, n, n],
    'GET /appeals/:id/duplicates': [n, Y1, Y1, Y1, n, n, n, n, n, n],
    // Repeats and escalations (docs/after-decision.md): the links are the room's; a repeat waits for the decision.
    'GET /appeals/:id/links': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'POST /repeat (appeal not completed)': [n, n, n, n, n, n, n, n, n, n],
  },
  socket: {
    'room:join': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'room:sync': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'chat:send': [Y1, Y1, Y1, n, Y1, n, n, n, n, n],
    'chat:send internal': [n, Y1, Y1, n, Y1, n, n, n, n, n],
    'chat:history': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'chat:read': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'typing:set relayed to the room': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'status:change request_info': [n, Y1, n, Y1, n, n, n, n, n, n],
    'wall:watch lists it': [n, n, n, Y1, n, n, n, n, n, n],
  },
  yjs: {
    'connect: open and sync': [Y1, Y1, Y1, Y1, Y1, n, n, n, n, n],
    'update applied': [Y1, Y1, Y1, n, Y1, n, n, n, n, n],
  },
  recovery: {
    // The owner's dropped session, claimed with the caller's cookie: (a) anon, (b) everyone else.
    'owner’s session, caller’s cookie': [Y1, n, n, n, n, n, n, n, n, n],
    'owner’s session, owner’s other login': [n, __, __, __, __, __, __, __, __, __],
    // Each role's own dropped session (outsiders were refused the room, so it holds another one).
    'own session': [Y1, Y1, Y1, Y1, Y1, __, n, n, n, n],
    // (c) access lost during the gap: the expert removed; the appeal moved to another department.
    'own session, expert removed meanwhile': [__, __, __, __, n, __, __, __, __, __],
    'own session, appeal moved meanwhile': [Y1, n, n, n, Y1, __, n, n, n, n],
  },
} as const satisfies Record<Channel, Record<string, readonly Cell[]>>;

export type ActionOf<C extends Channel> = keyof (typeof MATRIX)[C] & string;

/** The expected outcome of one cell, or null when the table has no such attempt. */
export function expected<C extends Channel>(channel: C, action: ActionOf<C>, role: Role): boolean | null {
  const row = (MATRIX[channel] as Record<string, readonly Cell[]>)[action];
  if (!row) throw new Error(`no row ${channel} ${action}`);
  const cell = row[ROLES.indexOf(role)];
  return cell === null || cell === undefined ? null : cell === 1;
}

/** What one attempt did: whether it took effect, and what the server said. */
export interface Outcome {
  ok: boolean;
  detail: string;
}

/** Attempts and successes per channel and per role, against the table. */
export class Tally {
  readonly attempts = counts(CHANNELS);
  readonly successes = counts(CHANNELS);
  readonly allowed = counts(CHANNELS);
  readonly attemptsByRole = counts(ROLES);
  readonly successesByRole = counts(ROLES);
  readonly mismatches: string[] = [];
  /** `channel action` of every row attempted, with the roles attempted. */
  readonly seen = new Map<string, Set<Role>>();

  /** Records one attempt; returns the cell's name and whether it matched the table. */
  record<C extends Channel>(channel: C, action: ActionOf<C>, role: Role, who: string, outcome: Outcome): { name: string; want: boolean; got: boolean } {
    const want = expected(channel, action, role);
    if (want === null) throw new Error(`${channel} ${action} × ${role}: not in the table`);
    this.attempts[channel]++;
    this.attemptsByRole[role]++;
    if (want) this.allowed[channel]++;
    if (outcome.ok) {
      this.successes[channel]++;
      this.successesByRole[role]++;
    }
    const key = `${channel} ${action}`;
    this.seen.set(key, (this.seen.get(key) ?? new Set()).add(role));
    const name = `${channel} «${action}» × ${role} (${who}): expected ${want ? 'success' : 'refusal'}, got ${outcome.ok ? 'success' : 'refusal'} — ${outcome.detail}`;
    if (want !== outcome.ok) this.mismatches.push(name);
    return { name, want, got: outcome.ok };
  }

  /** Cells of the table that were never attempted (a row or column the test forgot). */
  missing(channels: readonly Channel[]): string[] {
    const out: string[] = [];
    for (const channel of channels) {
      for (const [action, row] of Object.entries(MATRIX[channel] as Record<string, readonly Cell[]>)) {
        ROLES.forEach((role, i) => {
          if (row[i] !== null && !this.seen.get(`${channel} ${action}`)?.has(role)) out.push(`${channel} «${action}» × ${role}`);
        });
      }
    }
    return out;
  }
}

function counts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

const headersOf = (baseUrl: string, cookie: string): Record<string, string> => (cookie ? { origin: baseUrl, cookie } : { origin: baseUrl });

/**
 * Opens `/yjs/<appealId>` with a real `ws` client, sends sync step 1 and waits
 * for the server's sync step 2: the room opened and synced, or how it refused
 * (HTTP status of the handshake, or a close code).
 */
export function probeYjs(baseUrl: string, cookie: string, appealId: string, timeoutMs = 3000): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/yjs/${appealId}`, { headers: headersOf(baseUrl, cookie) });
    const finish = (o: Outcome): void => {
      clearTimeout(timer);
      ws.terminate();
      resolve(o);
    };
    const timer = setTimeout(() => {
      finish({ ok: false, detail: `no sync step 2 within ${timeoutMs} ms` });
    }, timeoutMs);
    ws.on('unexpected-response', (_req, res) => {
      finish({ ok: false, detail: `handshake HTTP ${res.statusCode ?? 0}` });
    });
    ws.on('error', (err) => {
      finish({ ok: false, detail: `error ${err.message}` });
    });
    ws.on('close', (code) => {
      finish({ ok: false, detail: `closed ${code}` });
    });
    ws.on('open', () => {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 0);
      syncProtocol.writeSyncStep1(e, new Y.Doc());
      ws.send(encoding.toUint8Array(e));
    });
    ws.on('message', (data: Buffer) => {
      const d = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === syncProtocol.messageYjsSyncStep2) {
        finish({ ok: true, detail: 'opened, sync step 2 received' });
      }
    });
  });
}

/** What a raw recovery attempt saw. */
export interface RecoveryProbe {
  /** The socket.io answer to the CONNECT: `40` connected, `44` refused. */
  answer: '40' | '44' | 'none';
  /** Event frames (`42…`) that arrived before that answer. */
  eventsBeforeAnswer: string[];
  /** Every frame after the Engine.IO open packet, in order. */
  frames: string[];
}

/**
 * Speaks Engine.IO v4 over a raw WebSocket with `cookie`, sends the socket.io
 * CONNECT `40{"pid","offset"}` of a dropped session, and records every frame:
 * until the answer, then `afterMs` more (a replay may follow a `40`), or until
 * `enough(frames)` holds.
 */
export function recoverRaw(
  baseUrl: string,
  cookie: string,
  pid: string,
  offset: string,
  enough: (frames: string[]) => boolean,
  afterMs = 800,
): Promise<RecoveryProbe> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: headersOf(baseUrl, cookie) });
    const probe: RecoveryProbe = { answer: 'none', eventsBeforeAnswer: [], frames: [] };
    let opened = false;
    let after: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      clearTimeout(after);
      ws.terminate();
      resolve(probe);
    };
    const timer = setTimeout(finish, 4000);
    ws.on('error', finish);
    ws.on('close', finish);
    ws.on('message', (data: Buffer) => {
      const frame = data.toString('utf8');
      if (!opened && frame.startsWith('0')) {
        opened = true;
        ws.send(`40${JSON.stringify({ pid, offset })}`);
        return;
      }
      if (frame === '2') {
        ws.send('3');
        return;
      }
      probe.frames.push(frame);
      if (probe.answer === 'none') {
        if (frame.startsWith('40') || frame.startsWith('44')) {
          probe.answer = frame.startsWith('40') ? '40' : '44';
          after = setTimeout(finish, afterMs);
        } else if (frame.startsWith('42')) probe.eventsBeforeAnswer.push(frame);
      }
      if (probe.answer !== 'none' && enough(probe.frames)) finish();
    });
  });
}

/** What the recovery rounds need from the test: R's cast by role, and the owner's second login. */
export interface RecoveryWorld {
  baseUrl: string;
  /** One person per role relative to R (portal department; the anonymous one has no cookie). */
  cast: Map<Role, TestClient>;
  /** The owner's second login session (another session id of the same person). */
  otherLogin: TestClient;
  /** An appeal where every outsider of R is in the case, and a socket in it that may post. */
  home: { id: string; poster: ClientSocket };
  /** A category of another department, with the extra fields it needs, for moving R. */
  otherCategory: { id: string; extra: Record<string, string> };
}

/** One played recovery cell. */
export interface RecoveryResult {
  action: ActionOf<'recovery'>;
  role: Role;
  who: string;
  outcome: Outcome;
  eventsBeforeAnswer: number;
  /** An internal note reached the citizen (counted apart: the citizen may get the public message). */
  internalLeak: boolean;
}

interface Away {
  pid: string;
  offset: string;
}
interface Claim {
  role: Role;
  who: string;
  caller: string;
  at: Away;
}

const must = async (res: Promise<ApiResponse>, what: string): Promise<ApiResponse> => {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
};
const IN_R: readonly Role[] = ['owner', 'assignedOperator', 'departmentOperator', 'departmentSupervisor', 'invitedExpert'];

/**
 * Plays the recovery rows on a fresh appeal R. Each round: victims join, each
 * receives one packet (so it holds an offset), loses its transport (the server
 * keeps the session), something happens in the gap, and then a raw Engine.IO
 * client claims each session with the cookie under test.
 */
export async function recoveryRounds(w: RecoveryWorld): Promise<RecoveryResult[]> {
  const as = (role: Role): TestClient => w.cast.get(role)!;
  const [owner, assignee, expert] = [as('owner'), as('assignedOperator'), as('invitedExpert')];
  const r: string = (await fileAppeal(owner)).appeal.id;
  await must(assignee.post(`/api/appeals/${r}/transitions`, { action: 'take' }), 'take R');
  await must(assignee.post(`/api/appeals/${r}/experts`, { expertId: expert.user.id }), 'invite into R');
  const poster = await connect(w.baseUrl, assignee);
  let present: string[] = [];
  poster.on('presence:changed', (e) => {
    if (e.appealId === r) present = e.people.map((x) => x.userId);
  });
  await ok(poster, 'room:join', { appealId: r });
  const say = (socket: ClientSocket, appealId: string, text: string, internal = false): Promise<unknown> =>
    ok(socket, 'chat:send', { appealId, clientId: clientId(), text, internal });
  const results: RecoveryResult[] = [];

  const away = async (victims: { client: TestClient; joins: string[] }[]): Promise<Away[]> => {
    const sockets = await Promise.all(
      victims.map(async (v) => {
        const s = await connect(w.baseUrl, v.client);
        for (const appealId of v.joins) await request(s, 'room:join', { appealId });
        return s;
      }),
    );
    await say(poster, r, 'Перед обрывом');
    await say(w.home.poster, w.home.id, 'Перед обрывом');
    const raw = (s: ClientSocket): { _pid?: string; _lastOffset?: string } => s as unknown as { _pid?: string; _lastOffset?: string };
    await until(() => sockets.every((s) => raw(s)._lastOffset !== undefined), 3000, 'an offset for every victim');
    await Promise.all(
      sockets.map((s) => {
        const gone = new Promise<void>((resolve) => {
          s.once('disconnect', () => {
            resolve();
          });
        });
        s.io.engine.close();
        return gone;
      }),
    );
    // The server persists a session as it drops it from presence; then the gap may begin.
    await until(() => present.every((id) => id === assignee.user.id), 3000, 'the victims gone from presence');
    await new Promise((resolve) => setTimeout(resolve, 100));
    return sockets.map((s) => ({ pid: raw(s)._pid ?? '', offset: raw(s)._lastOffset ?? '' }));
  };

  const claim = async (action: ActionOf<'recovery'>, claims: Claim[], open: string, internal?: string): Promise<void> => {
    const markers = internal ? [open, internal] : [open];
    await Promise.all(
      claims.map(async (c) => {
        const probe = await recoverRaw(w.baseUrl, c.caller, c.at.pid, c.at.offset, (frames) => markers.every((m) => frames.some((f) => f.includes(m))));
        const seen = markers.filter((m) => probe.frames.some((f) => f.includes(m)));
        const early = probe.eventsBeforeAnswer.filter((f) => f.includes(r));
        const detail =
          `answer ${probe.answer}; ${probe.eventsBeforeAnswer.length} event frame(s) before it` +
          `${early.length ? ` (${early.map((f) => f.slice(0, 60)).join(' | ')})` : ''}; gap messages received ${seen.length}/${markers.length}`;
        results.push({
          action,
          role: c.role,
          who: c.who,
          eventsBeforeAnswer: probe.eventsBeforeAnswer.length,
          outcome: { ok: seen.length > 0 || early.length > 0, detail },
          internalLeak: c.role === 'owner' && internal !== undefined && seen.includes(internal),
        });
      }),
    );
  };

  // The owner's sessions, claimed with every role's cookie ((a) none, (b) another person's) and the owner's other login.
  const owners = await away([...ROLES, 'other login'].map(() => ({ client: owner, joins: [r] })));
  const round1 = 'Пока вас не было: раунд 1';
  await say(poster, r, round1);
  await Promise.all([
    claim(
      'owner’s session, caller’s cookie',
      ROLES.map((role, i) => ({ role, who: `${role}'s cookie`, caller: as(role).cookie, at: owners[i]! })),
      round1,
    ),
    claim(
      'owner’s session, owner’s other login',
      [{ role: 'owner', who: 'owner’s other login', caller: w.otherLogin.cookie, at: owners[ROLES.length]! }],
      round1,
    ),
  ]);

  // Each role's own session; outsiders were refused R, so theirs holds their home room.
  const members = ROLES.filter((role) => role !== 'anonymous');
  const ownVictims = (): { client: TestClient; joins: string[] }[] =>
    members.map((role) => ({ client: as(role), joins: IN_R.includes(role) ? [r] : [w.home.id, r] }));
  const own = await away(ownVictims());
  await say(poster, r, 'Пока вас не было: раунд 2');
  await claim(
    'own session',
    members.map((role, i) => ({ role, who: `${role}, own session`, caller: as(role).cookie, at: own[i]! })),
    'Пока вас не было: раунд 2',
  );

  // (c) The invited expert is removed while away; the room goes on, staff note included.
  const [gone] = await away([{ client: expert, joins: [r] }]);
  await must(assignee.request('DELETE', `/api/appeals/${r}/experts/${expert.user.id}`), 'remove the expert');
  await say(poster, r, 'Пока вас не было: раунд 3');
  await say(poster, r, 'Служебная заметка: раунд 3', true);
  await claim(
    'own session, expert removed meanwhile',
    [{ role: 'invitedExpert', who: 'removed expert, own session', caller: expert.cookie, at: gone! }],
    'Пока вас не было: раунд 3',
    'Служебная заметка: раунд 3',
  );
  await must(assignee.post(`/api/appeals/${r}/experts`, { expertId: expert.user.id }), 'invite the expert again');

  // (c) R moves to another department while everyone is away (rejected, re-filed under another
  // category, resubmitted: status changes only, no appeal.updated); its new officers write.
  const moved = await away(ownVictims());
  await must(assignee.post(`/api/appeals/${r}/transitions`, { action: 'reject', comment: 'Вопрос другого ведомства' }), 'reject R');
  const version: number = (await owner.get(`/api/appeals/${r}`)).body.appeal.version;
  await must(owner.patch(`/api/appeals/${r}`, { version, categoryId: w.otherCategory.id, extra: w.otherCategory.extra }), 're-file R');
  await must(owner.post(`/api/appeals/${r}/submit`, {}), 'resubmit R');
  if ((await assignee.get(`/api/appeals/${r}`)).status !== 404) throw new Error('R did not leave the department');
  const newcomer = await connect(w.baseUrl, as('outsideOperator'));
  await ok(newcomer, 'room:join', { appealId: r });
  await say(newcomer, r, 'Пока вас не было: раунд 4');
  await say(newcomer, r, 'Служебная заметка: раунд 4', true);
  await claim(
    'own session, appeal moved meanwhile',
    members.map((role, i) => ({ role, who: `${role}, own session`, caller: as(role).cookie, at: moved[i]! })),
    'Пока вас не было: раунд 4',
    'Служебная заметка: раунд 4',
  );
  return results;
}
