/**
 * The SQLite ledger's WAL checkpoints, off the request path (issue 14's
 * latency tail). SQLite's automatic checkpoint runs inside the commit that
 * crosses 1,000 WAL pages: it copies the pages into the database file and
 * fsyncs it (6-45 ms measured on this machine's ext4), and the next commit
 * after a complete checkpoint restarts the WAL and fsyncs its new header (a
 * further 2-8 ms): one service request in ~450 waited for both.
 *
 * Here the automatic checkpoint is off; every `every` commits a worker thread
 * with its own connection runs a PASSIVE checkpoint (it never blocks the
 * writer) and, when that checkpoint caught up with the whole WAL, one tiny
 * write (PRAGMA user_version set to itself) so that the WAL restart and its
 * header fsync happen in the worker too (measured: the main connection's next
 * commit 0.1 ms instead of 2-8 ms). A hard cap keeps the WAL file bounded
 * whatever happens to the worker, and when the writer never pauses (a tight
 * loop: a PASSIVE checkpoint then never catches up): every 64 commits the
 * writer looks at the WAL file's size and past `capBytes` runs a blocking
 * TRUNCATE checkpoint itself. If the worker fails, SQLite's own automatic
 * checkpoint is put back.
 *
 * Durability is unchanged: a commit is in the WAL when it returns, whatever
 * the checkpoints do (test/e2e/serve-replay.test.ts kills the service with
 * SIGKILL during a replay). The worker is unreferenced (it never keeps a
 * process alive) and `close()` stops it; it starts at the first checkpoint, so
 * a short-lived command (impactsim ledger grant) never starts one.
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** What the checkpointer uses of a better-sqlite3 connection (typed here: the published declarations carry no better-sqlite3 types). */
export interface SqliteConnection {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  readonly open: boolean;
}

export interface CheckpointOptions {
  /** Commits between checkpoints (default 1,000: ~2,000 WAL pages of service events). */
  readonly every?: number;
  /** WAL file size past which the writer checkpoints itself, blocking (default 16 MiB: ~4,000 pages of 4 KiB, ~3,800 service events). */
  readonly capBytes?: number;
}

/** What the checkpointer has done, for tests and benches. */
export interface CheckpointStats {
  /** Checkpoints run by the worker. */
  checkpoints: number;
  /** Of which caught up with the whole WAL and restarted it. */
  resets: number;
  /** Blocking checkpoints run by the writer at the cap. */
  forced: number;
  /** PASSIVE checkpoints run by the writer itself because it never paused to hear the worker (a tight loop). */
  inWriter: number;
  /** The WAL file's size at the last look (every 64 commits), bytes. */
  walBytes: number;
  /** WAL pages at the last checkpoint. */
  lastFrames: number;
  /** Why the worker stopped, when it failed (the automatic checkpoint is back then). */
  failed?: string;
}

export interface Checkpointer {
  /** Called after each commit of the main connection. */
  committed(): void;
  readonly stats: CheckpointStats;
  /** Stops the worker (waits for its checkpoint in progress). */
  close(): Promise<void>;
}

/**
 * The worker: a connection of its own, a checkpoint per message, its result
 * back. Source text (eval), so it runs alike from the sources (tsx, vitest)
 * and from dist/; no require or import (tsx's hooks make an eval worker an ES
 * module, plain node a CommonJS script): process.getBuiltinModule (Node >= 20.16).
 */
const WORKER = `
const { parentPort, workerData } = process.getBuiltinModule("node:worker_threads");
const Database = process.getBuiltinModule("node:module").createRequire(workerData.module)(workerData.module);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
db.pragma("wal_autocheckpoint = 0");
db.pragma("journal_size_limit = " + workerData.limit);
const version = db.pragma("user_version", { simple: true });
parentPort.on("message", (m) => {
  if (m === "close") { db.close(); parentPort.close(); return; }
  try {
    // A long WAL takes a while to copy, and the writer adds to it meanwhile: again (the few pages added) so it catches up.
    let r = db.pragma("wal_checkpoint(PASSIVE)")[0];
    for (let k = 0; k < 3 && r.busy === 0 && r.checkpointed < r.log; k++) r = db.pragma("wal_checkpoint(PASSIVE)")[0];
    let reset = false;
    if (r.busy === 0 && r.log > 0 && r.checkpointed === r.log) {
      db.pragma("user_version = " + version);
      reset = true;
    }
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed, reset });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

/** Takes over `db`'s checkpoints (a file in WAL mode). */
export function walCheckpointer(db: SqliteConnection, file: string, o: CheckpointOptions = {}): Checkpointer {
  const every = o.every ?? 1000;
  const capBytes = o.capBytes ?? 16 * 2 ** 20;
  // The WAL file keeps its size when the WAL restarts (frames are written again from its start): cut back to a quarter of
  // the cap at each restart, by either connection, so the file's size past the cap says the WAL holds that much.
  const limit = Math.floor(capBytes / 4);
  db.pragma("wal_autocheckpoint = 0");
  db.pragma(`journal_size_limit = ${limit}`);
  const stats: CheckpointStats = { checkpoints: 0, resets: 0, forced: 0, inWriter: 0, walBytes: 0, lastFrames: 0 };
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let busy = false;
  let commits = 0;
  let looked = 0;
  let closed = false;
  const walSize = (): number => {
    try {
      return statSync(`${file}-wal`).size;
    } catch {
      return 0;
    }
  };

  const fail = (why: string) => {
    if (stats.failed !== undefined) return;
    stats.failed = why;
    // Back to SQLite's own checkpoints (in the commit, as before): slower tail, never an unbounded WAL.
    if (db.open) db.pragma("wal_autocheckpoint = 1000");
    void worker?.terminate();
  };
  const start = (): Worker => {
    const w = new Worker(WORKER, { eval: true, execArgv: [], workerData: { file, limit, module: createRequire(import.meta.url).resolve("better-sqlite3") } });
    w.on("message", (m: { log: number; checkpointed: number; reset: boolean } | { error: string }) => {
      busy = false;
      if ("error" in m) return fail(m.error);
      stats.checkpoints++;
      if (m.reset) stats.resets++;
      stats.lastFrames = m.log;
    });
    w.on("error", (err) => fail(err.message));
    exited = new Promise((r) => w.once("exit", () => r()));
    // After the listeners: adding a "message" listener refs the worker's port again.
    w.unref();
    return w;
  };

  /** After each commit: a look at the WAL's size now and then, and a checkpoint asked for every `every` commits. */
  const afterCommit = (): void => {
    if (++looked >= 64) {
      looked = 0;
      stats.walBytes = walSize();
      if (stats.walBytes > capBytes) {
        // The worker could not catch up (the writer never paused, or it failed): checkpoint here, blocking, and empty the file.
        // Busy (the worker checkpointing at this instant) answers at once with busy = 1: tried again 64 commits later.
        const r = db.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
        if (r[0]?.busy === 0) stats.forced++;
        stats.walBytes = walSize();
      }
    }
    if (stats.failed !== undefined) return;
    commits++;
    if (busy && commits >= 2 * every) {
      // The worker's answer waits behind a writer that never yields (a tight loop, where no request waits either):
      // checkpoint here, as SQLite's automatic checkpoint would, so the WAL is short when the pauses come back.
      commits = 0;
      const r = db.pragma("wal_checkpoint(PASSIVE)") as { busy: number }[];
      if (r[0]?.busy === 0) stats.inWriter++;
      return;
    }
    if (busy || commits < every) return;
    commits = 0;
    busy = true;
    worker ??= start();
    worker.postMessage("run");
  };

  return {
    stats,
    committed() {
      if (closed) return;
      try {
        afterCommit();
      } catch (err) {
        // Checkpoints are housekeeping: a failure here must not fail the request whose commit is written. SQLite's own take over.
        fail(err instanceof Error ? err.message : String(err));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!worker) return;
      // Referenced again while it closes, else the wait below would hold nothing in the event loop.
      worker.ref();
      worker.postMessage("close");
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), 2000)));
      if ((await Promise.race([exited, late])) === "late") await worker.terminate();
      clearTimeout(timer);
    },
  };
}
