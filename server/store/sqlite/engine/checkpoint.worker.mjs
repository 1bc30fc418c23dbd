/**
 * The WAL checkpointer's thread (see checkpointer.ts). Plain JavaScript so that
 * Node loads it as it is, whether the server runs under tsx, vitest or a build.
 *
 * It holds its own connection to the database and, on each `checkpoint`
 * message, copies the WAL's frames into the database file with PASSIVE
 * checkpoints — which never block the server's writer or readers — and answers
 * with SQLite's figures. `synchronous = FULL` makes the checkpoint sync the WAL
 * before copying and the database after, as SQLite's own does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** Checkpoints per request while the server keeps committing frames behind it. */
const MAX_TRIES = 8;

const db = new Database(workerData.file, { fileMustExist: true });
db.pragma(`busy_timeout = ${workerData.busyTimeoutMs}`);
db.pragma('synchronous = FULL');

parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    // Frames committed while a checkpoint ran are left for the next one; only a
    // checkpoint that reaches the WAL's end lets the server's next write start
    // the WAL over. Catching up is quick (few frames), so try a few times.
    let result;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      [result] = db.pragma('wal_checkpoint(PASSIVE)');
      if (result.busy === 0 && result.checkpointed === result.log) break;
    }
    parentPort.postMessage({ ok: true, busy: result.busy, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
