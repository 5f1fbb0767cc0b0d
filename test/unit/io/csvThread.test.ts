/**
 * The threaded CSV writer writes exactly the text of the plain rule (each
 * number as String(x), strings quoted when they hold a comma, quote or line
 * break, cells joined by commas; the oracle below, not the code under test),
 * whether the worker takes over at the first row, part-way or never, and the
 * SHA-256, bytes and rows it reports are those of the file on disk (hashed
 * here with node:crypto). A number that is not finite is refused at the row
 * that holds it, as CsvWriter refuses it, and nothing of that row is written.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { SimulationError } from "../../../src/core/errors.ts";
import { ThreadedCsvWriter } from "../../../src/io/csvThread.ts";
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
});
