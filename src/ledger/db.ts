/**
 * The two SQL backends of the durable ledger behind one small interface: SQLite
 * (better-sqlite3, one file in WAL mode; the default) and PostgreSQL (pg; a
 * ledger shared by several sites). Statements are written once with `?`
 * placeholders and portable SQL (ON CONFLICT DO NOTHING, RETURNING); the
 * PostgreSQL side numbers the placeholders. Calls on one Db run one after
 * another: a transaction holds the connection until it commits.
 */
import Database from "better-sqlite3";
import pg from "pg";
import { walCheckpointer, type CheckpointOptions, type CheckpointStats } from "./checkpoint.js";

export type Row = Record<string, unknown>;

export interface Db {
  readonly kind: "sqlite" | "postgres";
  /** Where it is, for messages (a file, or a URL with its password hidden). */
  readonly where: string;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number; rows: Row[] }>;
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** SQLite: what its WAL checkpointer did (ledger/checkpoint.ts). */
  readonly checkpoints?: CheckpointStats;
}

/**
 * An increasing primary key in each dialect. SQLite: the rowid (max + 1), not
 * AUTOINCREMENT, which writes its sqlite_sequence page at every insert (2.06
 * WAL pages per service event commit instead of 1.06, 42 instead of 32 us of
 * CPU, measured); the ledger's tables are append-only, so a rowid is never
 * reused (AUTOINCREMENT's one difference). Ledgers made before keep theirs.
 */
export function idColumn(kind: Db["kind"]): string {
  return kind === "sqlite" ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
}

/**
 * A SQLite file (created when missing), WAL mode, synchronous NORMAL: a commit
 * survives the process being killed (the WAL is written before the call
 * returns); a power cut may lose the last commits, never corrupt the file.
 * Checkpoints run in a worker thread, off the commits (ledger/checkpoint.ts).
 */
export function openSqlite(file: string, checkpoints: CheckpointOptions = {}): Db {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  // An in-memory database has no WAL (journal_mode stays memory): nothing to checkpoint.
  const ck = db.pragma("journal_mode", { simple: true }) === "wal" ? walCheckpointer(db, file, checkpoints) : undefined;
  const cache = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  // Prepared once, as every statement (exec() would parse them again at each transaction).
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const rollback = db.prepare("ROLLBACK");
  let depth = 0;
  const self: Db = {
    kind: "sqlite",
    where: file,
    async run(sql, params = []) {
      const s = stmt(sql);
      if (s.reader) {
        const rows = s.all(...(params as unknown[])) as Row[];
        if (depth === 0 && !s.readonly) ck?.committed();
        return { changes: rows.length, rows };
      }
      const r = s.run(...(params as unknown[]));
      if (depth === 0) ck?.committed();
      return { changes: r.changes, rows: [] };
    },
    async all(sql, params = []) {
      const s = stmt(sql);
      const rows = s.all(...(params as unknown[])) as Row[];
      if (depth === 0 && !s.readonly) ck?.committed();
      return rows;
    },
    async tx(fn) {
      // better-sqlite3 is synchronous; `fn` awaits only this Db's calls, which resolve at once, so nothing interleaves.
      if (depth > 0) return fn(self);
      depth++;
      let out: Awaited<ReturnType<typeof fn>>;
      let begun = false;
      try {
        begin.run();
        begun = true;
        out = await fn(self);
        commit.run();
      } catch (err) {
        // SQLite rolls some failures back itself (a full disk, an I/O error): a second rollback would hide the first error.
        if (begun && db.inTransaction) rollback.run();
        throw err;
      } finally {
        depth--;
      }
      // After the commit, outside it: the checkpointer's bookkeeping cannot undo or fail a transaction that is written.
      ck?.committed();
      return out;
    },
    async close() {
      await ck?.close();
      db.close();
    },
    ...(ck ? { checkpoints: ck.stats } : {}),
  };
  return self;
}

/** `?` placeholders as PostgreSQL's $1, $2, ... (none of our statements has a `?` inside a string). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// float8 and int8 as JavaScript numbers (ids and seconds stay far below 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.FLOAT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** A PostgreSQL database by URL (postgres://user:password@host:port/db). One connection: calls are serialised. */
export async function openPostgres(url: string): Promise<Db> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let chain: Promise<unknown> = Promise.resolve();
  /** Runs calls one after another on the one connection. */
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = chain.then(f, f);
    chain = next.catch(() => undefined);
    return next;
  };
  const direct = (inTx: boolean): Db => ({
    kind: "postgres",
    where: url.replace(/:[^:@/]*@/, ":***@"),
    run: async (sql, params = []) => {
      const go = async () => {
        const r = await client.query(numbered(sql), params as unknown[]);
        return { changes: r.rowCount ?? 0, rows: r.rows as Row[] };
      };
      return inTx ? go() : serial(go);
    },
    all: async (sql, params = []) => {
      const go = async () => (await client.query(numbered(sql), params as unknown[])).rows as Row[];
      return inTx ? go() : serial(go);
    },
    tx: async (fn) => {
      if (inTx) return fn(direct(true));
      return serial(async () => {
        await client.query("BEGIN");
        try {
          const out = await fn(direct(true));
          await client.query("COMMIT");
          return out;
        } catch (err) {
          await client.query("ROLLBACK");
          throw err;
        }
      });
    },
    close: async () => {
      await serial(async () => undefined);
      await client.end();
    },
  });
  return direct(false);
}
