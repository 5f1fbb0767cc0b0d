/**
 * The threaded CSV writer writes exactly the text of the plain rule (each
 * number as String(x), strings quoted when they hold a comma, quote or line
 * break, cells joined by commas; the oracle below, not the code under test),
 * whether the worker takes over at the first row, part-way or never, and the
 * SHA-256, bytes and rows it reports are those of the file on disk (hashed
 * here with node:crypto). A number that is not finite is refused at the row
 * that holds it, as CsvWriter refuses it, and nothing of that row is written.
 * Several files share one thread: each gets the oracle's bytes whatever the
 * interleaving, refusals name their own file, and a failure there fails them
 * all, as this thread's error.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { SimulationError } from "../../../src/core/errors.ts";
import { CsvThread, ThreadedCsvWriter } from "../../../src/io/csvThread.ts";
import { runScenario } from "../../../src/run/runScenario.ts";
import { writeTraceSlice } from "../../helpers/traceSlice.ts";

const dir = mkdtempSync(join(tmpdir(), "impactsim-csvthread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oracleCell = (c: string | number): string => (typeof c === "number" ? String(c) : /[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
const oracle = (header: readonly string[], rows: readonly (readonly (string | number)[])[]): string => [header.join(","), ...rows.map((r) => r.map(oracleCell).join(","))].map((l) => l + "\n").join("");
const fresh = (name: string) => join(dir, `${name}-${Math.random().toString(36).slice(2)}.csv`);

/** Writes rows as runScenario writes jobs.csv's (numbers in runs, texts between) and checks the file and what the writer says of it. */
async function writeAndCheck(header: string[], rows: (string | number)[][], after: number): Promise<ThreadedCsvWriter> {
  const path = fresh("rows");
  const w = await ThreadedCsvWriter.open(path, header, after);
  const run = new Float64Array(64);
  for (const r of rows) {
    let n = 0;
    for (const c of r) {
      if (typeof c === "number") run[n++] = c;
      else {
        w.numbers(run, 0, n);
        n = 0;
        w.text(c);
      }
    }
    w.numbers(run, 0, n).end();
  }
  w.close();
  const text = readFileSync(path);
  expect(text.toString("utf8")).toBe(oracle(header, rows));
  expect(w.sha256).toBe(createHash("sha256").update(text).digest("hex"));
  expect(w.bytes).toBe(text.length);
  expect(w.lines).toBe(rows.length);
  expect(w.rows).toBe(rows.length);
  return w;
}

/** jobs.csv-like rows: ids and times, awkward doubles, short texts, one with a comma and one not ASCII. */
function jobLike(n: number): (string | number)[][] {
  let s = 7;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows: (string | number)[][] = [];
  for (let i = 0; i < n; i++) {
    const row: (string | number)[] = [i + 1, i * 37, i * 37 + 5, "completed", i % 7 === 0 ? "site, north" : "site", "node"];
    for (let k = 0; k < 20; k++) row.push(rand() * 10 ** (Math.floor(rand() * 30) - 15) * (rand() < 0.1 ? -1 : 1));
    row.push(i % 11 === 0 ? "g\u00e9\"1\"" : "g1", -0, 2 ** 53 + 2, 1e21, 5e-324);
    rows.push(row);
  }
  return rows;
}

describe("ThreadedCsvWriter", () => {
  it("writes the oracle's bytes when the worker takes over after 1 or 1,000 rows, or never (a file of exactly `after` rows starts none; 5,000 jobs.csv-like rows, several blocks)", async () => {
    const header = Array.from({ length: 31 }, (_, i) => `c${i}`);
    const rows = jobLike(5000);
    expect((await writeAndCheck(header, rows, 1)).threaded).toBe(true);
    expect((await writeAndCheck(header, rows, 1000)).threaded).toBe(true);
    expect((await writeAndCheck(header, rows, 5000)).threaded).toBe(false);
  });

  it("writes the header alone, and rows longer than a block (100,000 cells), as the oracle does", async () => {
    await writeAndCheck(["a", "b"], [], 1);
    const long = Array.from({ length: 100_000 }, (_, i) => (i % 3 === 0 ? `t${i}` : i / 7));
    await writeAndCheck(["x"], [[1, "a"], long, [2, "b"], long], 1);
  });

  it("property: any rows of finite doubles and strings, taken over at any row, read back as the oracle's text", async () => {
    const cell = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 6 }), fc.integer());
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 1, maxLength: 8 }), { maxLength: 40 }), fc.integer({ min: 1, max: 41 }), async (rows, after) => {
        await writeAndCheck(["h"], rows, after);
      }),
      { numRuns: 25 },
    );
  });

  it("refuses NaN or Infinity at the row and column that hold it, writing nothing of that row, before and after the worker takes over", async () => {
    const path = fresh("bad");
    const w = await ThreadedCsvWriter.open(path, ["a", "b", "c"], 2);
    w.name = "bad.csv";
    w.row([1, "x", 2]);
    expect(() => w.row([3, "y", Number.NaN])).toThrow(/bad\.csv: row 2, column c: expected a finite number, got NaN/);
    w.row([4, "z", 5]);
    expect(w.threaded).toBe(false);
    const cells = new Float64Array([6, Infinity]);
    w.text("q");
    expect(w.threaded).toBe(true);
    expect(() => w.numbers(cells, 0, 2)).toThrow(SimulationError);
    expect(() => w.numbers(cells, 0, 2)).not.toThrow(/column a/);
    w.text("r").numbers(cells, 0, 1).number(7).end();
    expect(() => w.number(Infinity)).toThrow(/bad\.csv: row 4, column a: expected a finite number, got Infinity/);
    w.close();
    expect(readFileSync(path, "utf8")).toBe("a,b,c\n1,x,2\n4,z,5\nr,6,7\n");
    expect(w.lines).toBe(3);
  });

  it("a file the worker cannot take over (removed before it does) fails at close with the worker's reason, not a hang", async () => {
    const path = fresh("removed");
    const w = await ThreadedCsvWriter.open(path, ["a"], 1);
    w.row([1]);
    rmSync(path);
    w.row([2]);
    expect(w.threaded).toBe(true);
    expect(() => w.close()).toThrow(/removed-.*\.csv: ends at byte 0, before the 4 bytes written to it/);
  });

  it("a run whose jobs.csv goes to the thread after its first row writes the same files, byte for byte, and the same summary (run id included) as one that writes it itself", async () => {
    const trace = writeTraceSlice(dir, 400);
    const files = ["jobs.csv", "sites.csv", "nodes.csv", "summary.json"];
    const plain = await runScenario({ overrides: { workload: trace, out: join(dir, "plain") } });
    const threaded = await runScenario({ overrides: { workload: trace, out: join(dir, "threaded") }, outputThread: 1 });
    for (const f of files) expect(readFileSync(join(dir, "threaded", f)).equals(readFileSync(join(dir, "plain", f))), f).toBe(true);
    expect(threaded.summary).toEqual(plain.summary);
    expect(plain.summary.jobs).toBeGreaterThan(100);
  });

  it("several files on one thread: the first past `after` starts it, the others join at their next row; rows interleaved, closed in any order, each the oracle's bytes", async () => {
    const thread = await CsvThread.open();
    const header = ["id", "what", "x"];
    const paths = [fresh("a"), fresh("b"), fresh("c")];
    const writers = await Promise.all(paths.map((p, i) => ThreadedCsvWriter.open(p, header, [50, 1_000_000, 1_000_000][i], thread)));
    const rows: (string | number)[][][] = [[], [], []];
    const run = new Float64Array(2);
    for (let r = 0; r < 3000; r++) {
      for (let f = 0; f < 3; f++) {
        // File c starts only at row 2,000, well after the thread: its first row goes there.
        if (f === 2 && r < 2000) continue;
        const row = [r, `${"abc"[f]}${r % 13}`, (r * (f + 1)) / 7];
        rows[f].push(row);
        run[0] = row[2] as number;
        writers[f].number(r).text(row[1] as string).numbers(run, 0, 1).end();
      }
      if (r === 49) expect(writers.map((w) => w.threaded)).toEqual([false, false, false]);
      if (r === 50) expect(writers.map((w) => w.threaded)).toEqual([true, true, false]);
    }
    expect(writers.map((w) => w.threaded)).toEqual([true, true, true]);
    for (const f of [1, 2, 0]) {
      writers[f].close();
      const text = readFileSync(paths[f]);
      expect(text.toString("utf8")).toBe(oracle(header, rows[f]));
      expect(writers[f].sha256).toBe(createHash("sha256").update(text).digest("hex"));
      expect([writers[f].bytes, writers[f].lines]).toEqual([text.length, rows[f].length]);
    }
    expect(thread.started).toBe(1);
    expect(thread.running).toBe(false);
    // With every file closed the worker is gone; a later file past `after` starts another.
    const later = await writeAndCheckOn(thread, [[1, "x"], [2, "y"]], 1);
    expect(later.threaded).toBe(true);
    expect(thread.started).toBe(2);
  });

  it("texts past the listed ones (over 16,384 distinct, longer than 64 characters) and texts first seen in a refused row are written as the oracle's", async () => {
    const rows: (string | number)[][] = [];
    for (let i = 0; i < 20_000; i++) rows.push([i, `t${i}`, i % 3 === 0 ? "x".repeat(65 + (i % 5)) : "same", `t${i >> 1}`]);
    await writeAndCheck(["i", "a", "b", "c"], rows, 1);
    const path = fresh("refused-texts");
    const w = await ThreadedCsvWriter.open(path, ["a", "b"], 1);
    w.row(["first", 1]);
    expect(() => w.text("new-in-refused").number(Number.NaN)).toThrow(/row 2, column b/);
    w.row(["new-in-refused", 2]);
    w.row(["new-in-refused", 3]);
    w.close();
    expect(readFileSync(path, "utf8")).toBe("a,b\nfirst,1\nnew-in-refused,2\nnew-in-refused,3\n");
  });

  it("refuses a non-finite number in each file sharing the thread naming that file, its row and column, and goes on with the others", async () => {
    const thread = await CsvThread.open();
    const a = await ThreadedCsvWriter.open(fresh("na"), ["a1", "a2"], 1, thread);
    const b = await ThreadedCsvWriter.open(fresh("nb"), ["b1", "b2", "b3"], 1, thread);
    a.name = "a.csv";
    b.name = "b.csv";
    a.row([1, 2]);
    a.row([3, 4]);
    b.row(["x", 1, 2]);
    expect([a.threaded, b.threaded]).toEqual([true, true]);
    expect(() => a.row([5, Infinity])).toThrow(/^a\.csv: row 3, column a2: expected a finite number, got Infinity/);
    expect(() => b.row(["y", -Infinity, 1])).toThrow(/^b\.csv: row 2, column b2: expected a finite number, got -Infinity/);
    a.row([6, 7]);
    b.row(["z", 8, 9]);
    a.close();
    b.close();
    expect(readFileSync(a.path, "utf8")).toBe("a1,a2\n1,2\n3,4\n6,7\n");
    expect(readFileSync(b.path, "utf8")).toBe("b1,b2,b3\nx,1,2\nz,8,9\n");
  });

  it("a failure on the thread (a file removed before it is taken over) fails every file on it with that error, as this thread's, not a hang", async () => {
    const thread = await CsvThread.open();
    const good = await ThreadedCsvWriter.open(fresh("good"), ["a"], 1, thread);
    const gone = await ThreadedCsvWriter.open(fresh("gone"), ["a"], 1_000_000, thread);
    good.row([1]);
    gone.row([1]);
    rmSync(gone.path);
    good.row([2]);
    expect(good.threaded).toBe(true);
    gone.row([2]);
    expect(gone.threaded).toBe(true);
    const reason = /gone-.*\.csv: ends at byte 0, before the 4 bytes written to it/;
    expect(() => gone.close()).toThrow(reason);
    expect(() => good.close()).toThrow(reason);
    expect(() => good.row([3])).not.toThrow();
    expect(() => good.close()).toThrow(reason);
  });
});

/** writeAndCheck on a given thread. */
async function writeAndCheckOn(thread: CsvThread, rows: (string | number)[][], after: number): Promise<ThreadedCsvWriter> {
  const path = fresh("on");
  const w = await ThreadedCsvWriter.open(path, ["h1", "h2"], after, thread);
  for (const r of rows) w.row(r);
  w.close();
  const text = readFileSync(path);
  expect(text.toString("utf8")).toBe(oracle(["h1", "h2"], rows));
  expect(w.sha256).toBe(createHash("sha256").update(text).digest("hex"));
  return w;
}
