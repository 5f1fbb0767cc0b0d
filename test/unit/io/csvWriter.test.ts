/**
 * The CSV writer writes exactly the text of the plain rule it replaced: each
 * number as String(x), each string quoted when it holds a comma, quote or line
 * break, cells joined by commas, whether a row comes as an array or cell by
 * cell. That rule (below, three lines, not the code
 * under test) is the oracle, on awkward numbers, on random doubles and
 * strings, and on every file of a real run.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { SimulationError } from "../../../src/core/errors.ts";
import { CsvWriter } from "../../../src/io/csvWriter.ts";
import { runScenario } from "../../../src/run/runScenario.ts";
import { writeTraceSlice } from "../../helpers/traceSlice.ts";

const dir = mkdtempSync(join(tmpdir(), "impactsim-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oracleCell = (c: string | number): string => (typeof c === "number" ? String(c) : /[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
const oracle = (header: readonly string[], rows: readonly (readonly (string | number)[])[]): string => [header.join(","), ...rows.map((r) => r.map(oracleCell).join(","))].map((l) => l + "\n").join("");

function written(header: string[], rows: (string | number)[][], chunk?: number): string {
  const path = join(dir, `w${Math.random().toString(36).slice(2)}.csv`);
  const w = new CsvWriter(path, header, chunk);
  for (const r of rows) w.row(r);
  w.close();
  return readFileSync(path, "utf8");
}

const AWKWARD = [
  0, -0, 1, -1, 7, 10, 100, 123456789, -987654321, 2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 53 + 2, 2 ** 60, 1e15, 1e16, 1e20, 99999999999999999999, 1e21, 1.5e21, -1e21, 1e22, 1e300,
  Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 5e-324, 2.2250738585072014e-308, 1e-7, 1e-6, 1.5e-7, 0.000001, 0.0000012345, 1e-5, 0.1, 0.2, 0.1 + 0.2, 1 / 3, -2 / 3, 251.25, 7783222.5, 12141827.1,
  1.454518764454501, 6.438048874273711e-8, -0.000012089005370441675, 123.456, 0.5, -0.5, 4.35, 1.7976931348623157e308, Number.EPSILON, 1 - Number.EPSILON, 9007199254740993, 0.30000000000000004,
];

describe("CsvWriter", () => {
  it("CsvWriter.row(awkward numbers: -0, 1e21, 1e-7, 2^53 +- 1, denormals, MAX_VALUE, ...) writes String(x) of each", () => {
    const rows = AWKWARD.map((x, i) => [i, x, -x, x / 7]);
    expect(written(["i", "x", "minus", "seventh"], rows)).toBe(oracle(["i", "x", "minus", "seventh"], rows));
  });

  it("CsvWriter.row(random doubles, integers and strings, any bit pattern) writes the oracle's text byte for byte, whatever the chunk size", () => {
    const cell = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
      fc.maxSafeInteger(),
      fc.string(),
      fc.string({ unit: "grapheme" }),
      fc.constantFrom("a,b", 'say "hi"', "two\nlines", "cr\r", "é,ü", "", "完了"),
    );
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { maxLength: 40 }), fc.constantFrom(64, 1 << 20), (rows, chunk) => {
        expect(written(["a", "b", "c"], rows, chunk)).toBe(oracle(["a", "b", "c"], rows));
      }),
      { numRuns: 300 },
    );
  });

  it("CsvWriter.row(a line longer than its buffer) grows the buffer and writes it whole", () => {
    const rows = [["x".repeat(5000), 1.25], ["é".repeat(3000), 2]];
    expect(written(["s", "n"], rows, 64)).toBe(oracle(["s", "n"], rows));
  });

  it("CsvWriter.row(NaN or Infinity) throws SimulationError naming file, row and column, and writes nothing of the row", () => {
    const path = join(dir, "bad.csv");
    const w = new CsvWriter(path, ["a", "b"]);
    w.row([1, 2]);
    expect(() => w.row([3, Number.NaN])).toThrow(SimulationError);
    expect(() => w.row([Infinity, 3])).toThrow(/bad\.csv: row 2, column a: expected a finite number, got Infinity/);
    w.close();
    expect(readFileSync(path, "utf8")).toBe("a,b\n1,2\n");
    expect(w.rows).toBe(1);
  });

  it("CsvWriter.number/text/end (a row cell by cell, no array) writes what row() writes, across buffer flushes", () => {
    const rows: (string | number)[][] = [];
    for (let i = 0; i < 200; i++) rows.push([i, i / 7, `s${i}`, "a,b", -1e-7 * i, "é"]);
    const path = join(dir, "cells.csv");
    const w = new CsvWriter(path, ["a", "b", "c", "d", "e", "f"], 64);
    for (const r of rows) {
      for (const c of r) if (typeof c === "number") w.number(c);
      else w.text(c);
      w.end();
    }
    w.close();
    expect(readFileSync(path, "utf8")).toBe(oracle(["a", "b", "c", "d", "e", "f"], rows));
    expect(w.rows).toBe(200);
  });

  it("CsvWriter.numbers(values, from, to) writes each of values[from..to) as number() does, between text cells, across buffer flushes; a NaN among them is refused naming its column", () => {
    const rows: (string | number)[][] = [];
    const values = new Float64Array(4);
    const path = join(dir, "numbers.csv");
    const w = new CsvWriter(path, ["a", "b", "c", "d", "e"], 48);
    for (let i = 0; i < 100; i++) {
      values.set([i, i / 3, -(2 ** 40) - i, 1e-9 * i]);
      rows.push([i / 3, -(2 ** 40) - i, `t${i}`, 1e-9 * i, i]);
      w.numbers(values, 1, 3).text(`t${i}`).numbers(values, 3, 4).numbers(values, 0, 1).numbers(values, 2, 2).end();
    }
    values[1] = Number.NaN;
    w.number(1);
    expect(() => w.numbers(values, 0, 2)).toThrow(/numbers\.csv: row 101, column c: expected a finite number, got NaN/);
    w.close();
    expect(readFileSync(path, "utf8")).toBe(oracle(["a", "b", "c", "d", "e"], rows));
    expect(w.rows).toBe(100);
  });

  it("CsvWriter.number(NaN) part-way through a row longer than the buffer refuses it naming its column, and nothing of that row reaches the file", () => {
    const path = join(dir, "cut.csv");
    const w = new CsvWriter(path, ["a", "b", "c", "d"], 32);
    w.number(1).number(2).number(3).number(4).end();
    w.text("x".repeat(40)).number(0.1);
    expect(() => w.number(Number.NaN)).toThrow(/cut\.csv: row 2, column c: expected a finite number, got NaN/);
    w.number(5).number(6).number(7).number(8).end();
    w.close();
    expect(readFileSync(path, "utf8")).toBe("a,b,c,d\n1,2,3,4\n5,6,7,8\n");
    expect(w.rows).toBe(2);
  });

  it("a real run (500 jobs of the default trace): every CSV file is the oracle's text of the cells given to the writer", async () => {
    // The cells as the writer receives them, row() or cell by cell (every row goes through number, text and end).
    const rowsByFile = new Map<string, (string | number)[][]>();
    const headers = new Map<string, readonly string[]>();
    const current = new Map<string, (string | number)[]>();
    const record = (w: CsvWriter, cell: string | number) => {
      const name = w.name.split("/").pop()!;
      if (!current.has(name)) current.set(name, []);
      current.get(name)!.push(cell);
    };
    const { number, numbers, text, end } = CsvWriter.prototype;
    const spies = [
      vi.spyOn(CsvWriter.prototype, "number").mockImplementation(function (this: CsvWriter, x: number) {
        record(this, x);
        return number.call(this, x);
      }),
      vi.spyOn(CsvWriter.prototype, "numbers").mockImplementation(function (this: CsvWriter, values: Float64Array, from: number, to: number) {
        for (let i = from; i < to; i++) record(this, values[i]);
        return numbers.call(this, values, from, to);
      }),
      vi.spyOn(CsvWriter.prototype, "text").mockImplementation(function (this: CsvWriter, x: string) {
        record(this, x);
        return text.call(this, x);
      }),
      vi.spyOn(CsvWriter.prototype, "end").mockImplementation(function (this: CsvWriter) {
        const name = this.name.split("/").pop()!;
        if (!rowsByFile.has(name)) {
          rowsByFile.set(name, []);
          headers.set(name, (this as unknown as { header: readonly string[] }).header);
        }
        rowsByFile.get(name)!.push(current.get(name) ?? []);
        current.delete(name);
        end.call(this);
      }),
    ];
    try {
      const out = join(dir, "run");
      const run = await runScenario({ overrides: { workload: writeTraceSlice(dir, 500), out, predict: true } });
      expect([...rowsByFile.keys()].sort()).toEqual(["jobs.csv", "nodes.csv", "predictions.csv", "sites.csv"]);
      for (const [name, rows] of rowsByFile) expect(readFileSync(join(out, name), "utf8")).toBe(oracle(headers.get(name)!, rows));
      expect(rowsByFile.get("jobs.csv")!.length).toBe(run.summary.jobs);
      expect(rowsByFile.get("jobs.csv")![0].length).toBe(headers.get("jobs.csv")!.length);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
