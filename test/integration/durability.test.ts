/**
 * Restart durability: every write the server acknowledged survives a SIGKILL of
 * the process (no shutdown, no flush) and a restart on the same DATA_DIR. Also
 * `npm run audit:verify` against that journal, intact and then tampered with.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { demoLogins, spawnServer, type ServerProcess } from '../helpers/process.js';
import { sqliteOnly, storeEnvFor } from '../helpers/server.js';
import { fileAppeal, TestClient } from '../helpers/session.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-kill-'));
let proc: ServerProcess | undefined;
afterAll(async () => {
  await proc?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

function auditVerify(): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/tools/audit-verify.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: storeEnvFor(dataDir, { ...process.env, DATA_DIR: dataDir }),
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

// The second server refused on the DATA_DIR lock and the SQLite file read beside the live server.
describe.skipIf(sqliteOnly('the DATA_DIR lock and audit:verify on the SQLite file') !== null)('restart durability', () => {
  it('keeps every acknowledged write across SIGKILL and restart', async () => {
    proc = await spawnServer(dataDir);
    const logins = demoLogins(proc.output());
    expect(logins.size).toBeGreaterThanOrEqual(5);
    const citizen = await new TestClient(proc.url).login('citizen@demo.local', logins.get('citizen@demo.local')!);
    const operator = await new TestClient(proc.url).login('operator.portal@demo.local', logins.get('operator.portal@demo.local')!);

    // Acknowledged writes, some of them concurrent so they share group commits.
    const filed = await Promise.all(Array.from({ length: 20 }, () => fileAppeal(citizen)));
    const taken = await Promise.all(filed.slice(0, 10).map((f) => operator.post(`/api/appeals/${f.appeal.id}/transitions`, { action: 'take' })));
    expect(taken.every((t) => t.status === 200)).toBe(true);

    // A second server on the same DATA_DIR stops at start and says why; the first goes on.
    await expect(spawnServer(dataDir)).rejects.toThrow(/exited with 1:[\s\S]*DATA_DIR .* is in use by another case room server/);
    expect((await citizen.get('/api/appeals/mine?limit=1')).status).toBe(200);
    // audit:verify needs no lock: it reads beside the live server.
    const live = auditVerify();
    expect(live.out).toMatch(/intact: \d+ entries/);
    expect(live.status).toBe(0);

    await proc.kill();
    proc = await spawnServer(dataDir);
    expect(demoLogins(proc.output()).size).toBe(0); // not seeded twice: the users were kept

    const again = await new TestClient(proc.url).login('citizen@demo.local', logins.get('citizen@demo.local')!);
    const mine = await again.get('/api/appeals/mine?limit=100');
    expect(mine.body.total).toBe(20);
    const byId = new Map(mine.body.items.map((a: { id: string }) => [a.id, a]));
    for (const [i, f] of filed.entries()) {
      const a = byId.get(f.appeal.id) as { number: string; status: string };
      expect(a.number).toBe(f.appeal.number);
      expect(a.status).toBe(i < 10 ? 'in_progress' : 'registered');
    }
    await proc.kill();
    proc = undefined;
  }, 120_000);

  it('audit:verify passes on the intact journal and names the first tampered entry', () => {
    const ok = auditVerify();
    expect(ok.status).toBe(0);
    expect(ok.out).toMatch(/intact: \d+ entries/);

    const db = new Database(path.join(dataDir, 'caseroom.sqlite'));
    db.prepare("UPDATE audit SET action = 'appeal.forged' WHERE seq = 7").run();
    db.close();
    const broken = auditVerify();
    expect(broken.status).toBe(1);
    expect(broken.out).toContain('BROKEN at entry 7');
  }, 60_000);
});
