/**
 * A sweep on 2 workers leaves nothing behind: its worker threads are gone
 * once it returns (the process's OS threads, /proc/self/task, back to what
 * they were), and the CLI exits by itself with no process of its own left.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, runSweep } from "../../../src/sweep/index.js";

const FILE = "test/fixtures/sweep/tiny.json";
const threads = () => readdirSync("/proc/self/task").length;
const linux = existsSync("/proc/self/task");

describe.skipIf(!linux)("a 2-worker sweep leaves no threads or processes behind", () => {
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "impactsim-leftovers-"));
    // Start libuv's thread pool (file system, crypto) first, so it is not counted as left over.
    await Promise.all([readFile(FILE), new Promise((ok) => randomBytes(8, ok))]);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("runSweep's worker threads are gone when it returns", async () => {
    const before = threads();
    await runSweep({ file: FILE, workers: 2, out: join(root, "in-process") });
    expect(threads()).toBeLessThanOrEqual(before);
  }, 120_000);

  it("a pool closed while idle stops its threads", async () => {
    const before = threads();
    const pool = createPool({ workers: 2 });
    await new Promise((ok) => setTimeout(ok, 200));
    expect(threads()).toBeGreaterThan(before);
    await pool.close();
    expect(threads()).toBeLessThanOrEqual(before);
  }, 60_000);

  it("impactsim sweep --workers 2 exits by itself and leaves no process naming its output folder", async () => {
    const out = join(root, "cli");
    const child = spawn(process.execPath, [resolve("bin/impactsim.js"), "sweep", FILE, "--workers", "2", "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    // A worker thread left running would keep the process alive: it would not exit.
    const code = await new Promise<number | null>((ok) => child.on("exit", (c) => ok(c)));
    // stderr may hold the launcher's note that dist/ is older than src/ (it then runs the sources).
    expect({ code, stderr: stderr.includes("Error") ? stderr : "" }).toEqual({ code: 0, stderr: "" });
    const ps = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
    expect(ps.split("\n").filter((l) => l.includes(out))).toEqual([]);
  }, 180_000);
});
