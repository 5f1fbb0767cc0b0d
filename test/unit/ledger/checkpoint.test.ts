/**
 * The SQLite ledger's WAL checkpointer (ledger/checkpoint.ts): checkpoints in
 * a worker keep the WAL file bounded while a writer commits with pauses (as a
 * service does between requests), the hard cap keeps it bounded when the
 * writer never pauses, every committed row is there after a reopen, and
 * closing leaves no handle open (a process that forgets to close still exits).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../../src/io/paths.js";
import { openSqlite, type Db } from "../../../src/ledger/index.js";

const dir = mkdtempSync(join(tmpdir(), "impactsim-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BODY = "x".repeat(300);
/** n commits of one row each, as the service writes an event. */
async function commits(db: Db, from: number, n: number): Promise<void> {
  for (let i = from; i < from + n; i++) await db.tx(async (t) => void (await t.run(`INSERT INTO t (k, body) VALUES (?, ?)`, [i, BODY])));
}
const walBytes = (file: string) => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("WAL checkpoints off the commits", () => {
  it("a writer pausing between bursts: the worker checkpoints and restarts the WAL, which stays small; every row is kept", async () => {
    const file = join(dir, "paused.sqlite");
    const cap = 4 << 20;
    const db = openSqlite(file, { every: 100, capBytes: cap });
    await db.run(`CREATE TABLE t (k INTEGER PRIMARY KEY, body TEXT)`);
    let most = 0;
    let b = 0;
    // 40 bursts at least; more (up to 400) while the worker has not yet checkpointed twice and restarted the WAL: how soon it
    // gets a CPU depends on the machine (the full test suite on 2 busy cores once starved it to 1 checkpoint in 40 bursts).
    const done = () => db.checkpoints!.checkpoints >= 2 && db.checkpoints!.resets >= 1;
    for (; b < 40 || (b < 400 && !done()); b++) {
      await commits(db, b * 50, 50);
      await pause(15);
      most = Math.max(most, walBytes(file));
    }
    const n = b * 50;
    const stats = { ...db.checkpoints! };
    const rows = await db.all(`SELECT count(*) AS n FROM t`);
    await db.close();
    expect(Number(rows[0].n)).toBe(n);
    expect(stats.failed).toBeUndefined();
    // One checkpoint asked every 100 commits: some ran, and caught up with the WAL (which then restarted).
    expect(stats.checkpoints).toBeGreaterThanOrEqual(2);
    expect(stats.resets).toBeGreaterThanOrEqual(1);
    // Without checkpoints the WAL would hold every commit (>= 2,000 pages of 4 KiB, 8 MB): it stays under the cap.
    expect(most).toBeLessThan(cap + 2 * 64 * 3 * 4096);
    // Reopened (the last connection's close checkpointed and removed the WAL): all there.
    const again = openSqlite(file);
    expect(Number((await again.all(`SELECT count(*) AS n, sum(k) AS s FROM t`))[0].s)).toBe(((n - 1) * n) / 2);
    await again.close();
  }, 60_000);

  it("a writer that never pauses: the cap checkpoints in the writer and the WAL file stays under it", async () => {
    const file = join(dir, "tight.sqlite");
    const cap = 1 << 20;
    const db = openSqlite(file, { every: 100, capBytes: cap });
    await db.run(`CREATE TABLE t (k INTEGER PRIMARY KEY, body TEXT)`);
    let most = 0;
    for (let b = 0; b < 30; b++) {
      // No pause: the worker's answers wait behind the loop (promises already resolved never yield to it).
      await commits(db, b * 100, 100);
      most = Math.max(most, walBytes(file));
    }
    const stats = { ...db.checkpoints! };
    // Then with pauses: the worker restarts the WAL and the file is cut back (journal_size_limit) below the cap.
    for (let b = 0; b < 20; b++) {
      await commits(db, 3000 + b * 50, 50);
      await pause(15);
    }
    const after = { ...db.checkpoints! };
    const size = walBytes(file);
    await db.close();
    expect(after.resets).toBeGreaterThan(stats.resets);
    expect(size).toBeLessThan(cap + 2 * 64 * 3 * 4096);
    // The writer checkpointed itself (it never paused to hear the worker), or at the cap.
    expect(stats.inWriter + stats.forced).toBeGreaterThanOrEqual(1);
    // Looked at every 64 commits (one or two pages each), and tried again 64 later if the worker was checkpointing then.
    expect(most).toBeLessThan(cap + 2 * 64 * 3 * 4096);
  }, 60_000);

  it("a transaction that cannot begin leaves the connection as it was: the next one is a transaction again (its failure rolls its insert back)", async () => {
    const db = openSqlite(join(dir, "begin.sqlite"));
    await db.run("CREATE TABLE t (k INTEGER PRIMARY KEY, body TEXT)");
    // A transaction left open on the connection makes BEGIN IMMEDIATE fail at once, as a busy database makes it fail after its wait.
    await db.run("BEGIN");
    await expect(db.tx(async (t) => void (await t.run("INSERT INTO t (k, body) VALUES (1, 'a')")))).rejects.toThrow(/within a transaction/);
    await db.run("ROLLBACK");
    await expect(
      db.tx(async (t) => {
        await t.run("INSERT INTO t (k, body) VALUES (2, 'b')");
        throw new Error("the request failed after its insert");
      }),
    ).rejects.toThrow("after its insert");
    expect(await db.all("SELECT k FROM t")).toEqual([]);
    await db.close();
  });

  it("an in-memory database has no WAL and no checkpointer", async () => {
    const db = openSqlite(":memory:");
    expect(db.checkpoints).toBeUndefined();
    await db.close();
  });

  it("close stops the worker: a process that opened, checkpointed and closed has nothing left; one that forgot to close still exits", () => {
    const file = join(dir, "exit.sqlite");
    const script = (close: boolean) => `
      import { openSqlite } from "./src/ledger/index.ts";
      const db = openSqlite(${JSON.stringify(file)}, { every: 10 });
      await db.run("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, body TEXT)");
      for (let i = 0; i < 200; i++) await db.tx(async (t) => void (await t.run("INSERT OR REPLACE INTO t (k, body) VALUES (?, 'x')", [i])));
      for (let k = 0; k < 250 && db.checkpoints.checkpoints < 1; k++) await new Promise((r) => setTimeout(r, 20));
      if (db.checkpoints.checkpoints < 1) throw new Error("no checkpoint ran in 5 s");
      ${close ? `await db.close(); console.log(JSON.stringify(process.getActiveResourcesInfo()));` : ""}
    `;
    for (const close of [true, false]) {
      const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script(close)], { cwd: PACKAGE_ROOT, encoding: "utf8", timeout: 30_000 });
      expect(r.error, `${r.stderr}`).toBeUndefined();
      expect(r.status, r.stderr).toBe(0);
      // After close: no worker's port, no timer, no file handle (only the stdout pipe it prints through).
      if (close) expect((JSON.parse(r.stdout.trim().split("\n").pop()!) as string[]).filter((h) => h !== "PipeWrap" && h !== "TTYWrap")).toEqual([]);
    }
  }, 60_000);
});
