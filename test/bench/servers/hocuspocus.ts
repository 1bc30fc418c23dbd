/**
 * @hocuspocus/server 3 with its SQLite extension writing to a file in a temp
 * directory (its defaults otherwise: debounced whole-document store, unload
 * immediately after the last connection). `seedCold` writes a stored document
 * straight into its `documents` table for the cold-load test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SQLite } from '@hocuspocus/extension-sqlite';
import { Server } from '@hocuspocus/server';
import Database from 'better-sqlite3';
import { commonHandlers, memReport, serveIpc } from '../proc.js';
import { buildColdDocument } from './cold-doc.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bench-hocuspocus-'));
const database = path.join(dir, 'hocuspocus.sqlite');
const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: false, extensions: [new SQLite({ database })] });

const ipc = serveIpc(
  {
    ...commonHandlers,
    docs: () => server.hocuspocus.getDocumentsCount(),
    /** Stores the merged state of an n-update document under each name (Hocuspocus stores only merged state). */
    seedCold(a: { names: string[]; updates: number }) {
      const { merged } = buildColdDocument(a.updates);
      const db = new Database(database);
      db.exec('CREATE TABLE IF NOT EXISTS "documents" ("name" varchar(255) NOT NULL, "data" blob NOT NULL, UNIQUE(name))');
      const put = db.prepare('INSERT INTO "documents" ("name", "data") VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data');
      for (const n of a.names) put.run(n, Buffer.from(merged));
      db.close();
      memReport(); // collect the seeding garbage now, not during the measurement
      return { bytes: merged.length };
    },
  },
  async () => {
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  },
);

await server.listen();
ipc.emit('ready', { port: server.address.port });
