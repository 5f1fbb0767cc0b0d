import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AdjustmentLog, InputError } from "../../../src/core/errors.ts";
import { parseSeriesCsv, parseWithLines, readSeriesCsv, type SeriesReadOptions } from "../../../src/io/series.ts";
import { parse } from "csv-parse/sync";
import fc from "fast-check";

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/grid/${name}`, import.meta.url));
const repoFile = (rel: string): string => fileURLToPath(new URL(`../../../${rel}`, import.meta.url));
/** Epoch seconds of a UTC wall time (month 1-based), computed independently of the reader. */
const utc = (y: number, mo: number, d: number, h = 0, mi = 0): number => Date.UTC(y, mo - 1, d, h, mi) / 1000;

const ci = (log: AdjustmentLog, over: Partial<SeriesReadOptions> = {}): SeriesReadOptions => ({
  timeColumn: "Time",
  valueColumns: ["Carbon Intensity"],
  timezone: "UTC",
  gaps: "hold",
  log,
  ...over,
});

/** Runs f, expecting an InputError, and returns its message. */
function inputErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("expected an InputError, got none");
}

describe("parseSeriesCsv", () => {
  it("parseSeriesCsv(text, options) returns UTC epoch seconds, the median step, the columns and row-major values, and logs nothing for a clean file", () => {
    const log = new AdjustmentLog();
    const text = "t,a,b\n2021-01-01 00:00:00,1,10\n2021-01-01 01:00:00,2,20\n2021-01-01 02:00:00,3,30\n";
    const s = parseSeriesCsv(text, { timeColumn: "t", valueColumns: ["b", "a"], timezone: "UTC", gaps: "error", log, label: "x.csv" });
    expect(s.file).toBe("x.csv");
    expect([...s.times]).toEqual([utc(2021, 1, 1, 0), utc(2021, 1, 1, 1), utc(2021, 1, 1, 2)]);
    expect(s.step).toBe(3600); // rows one hour apart
    expect(s.columns).toEqual(["b", "a"]);
    expect([...s.values]).toEqual([10, 1, 20, 2, 30, 3]); // row-major, in valueColumns order
    expect(log.total).toBe(0);
  });

  it("parseSeriesCsv(text, {timezone: 'Europe/Paris'}) maps a repeated fall-back hour first to summer time (UTC+2), then to winter time (UTC+1)", () => {
    const log = new AdjustmentLog();
    const s = parseSeriesCsv(readFileSync(fixture("paris_fall_back.csv"), "utf8"), ci(log, { timezone: "Europe/Paris", label: "paris_fall_back.csv" }));
    // Clocks go back at 03:00 CEST = 01:00 UTC on 2020-10-25, so 02:00-02:59 local happens twice.
    expect([...s.times]).toEqual([
      utc(2020, 10, 24, 23, 30), // 01:30 CEST (UTC+2)
      utc(2020, 10, 25, 0, 0), // 02:00, first: CEST
      utc(2020, 10, 25, 0, 30), // 02:30, first: CEST
      utc(2020, 10, 25, 1, 0), // 02:00, second: CET (UTC+1)
      utc(2020, 10, 25, 1, 30), // 02:30, second: CET
      utc(2020, 10, 25, 2, 0), // 03:00 CET
    ]);
    expect([...s.values]).toEqual([10, 20, 30, 40, 50, 60]);
    expect(s.step).toBe(1800);
    expect(log.toJSON()).toEqual({ dst_ambiguous: 4 });
    expect(log.examples.map((x) => x.line)).toEqual([3, 4, 5, 6]);
    expect(log.examples[0].message).toMatchInlineSnapshot(`"local time "2020-10-25 02:00:00" occurs twice in Europe/Paris; took this first occurrence as UTC+02:00, 2020-10-25T00:00:00Z"`);
    expect(log.examples[2].message).toMatchInlineSnapshot(`"local time "2020-10-25 02:00:00" occurs twice in Europe/Paris; took this repeated occurrence as UTC+01:00, 2020-10-25T01:00:00Z"`);
  });

  it("parseSeriesCsv(text, {timezone: 'Europe/Paris'}) shifts a local time inside the spring-forward gap forward by the gap", () => {
    const log = new AdjustmentLog();
    const s = parseSeriesCsv(readFileSync(fixture("paris_spring_gap.csv"), "utf8"), ci(log, { timezone: "Europe/Paris", label: "paris_spring_gap.csv" }));
    // Clocks jump from 02:00 CET to 03:00 CEST (01:00 UTC) on 2020-03-29: 02:00 local does not exist
    // and becomes 03:00 CEST = 01:00 UTC; 03:30 CEST = 01:30 UTC.
    expect([...s.times]).toEqual([utc(2020, 3, 29, 0, 0), utc(2020, 3, 29, 0, 30), utc(2020, 3, 29, 1, 0), utc(2020, 3, 29, 1, 30), utc(2020, 3, 29, 2, 0)]);
    expect(log.toJSON()).toEqual({ dst_gap: 1 });
    expect(log.examples[0].line).toBe(4);
    expect(log.examples[0].message).toMatchInlineSnapshot(`"local time "2020-03-29 02:00:00" does not exist in Europe/Paris (clocks skip 3600 s); shifted it forward by the gap to 2020-03-29T01:00:00Z"`);
  });

  it("parseSeriesCsv(text, options) uses an offset a timestamp carries whatever options.timezone says", () => {
    const log = new AdjustmentLog();
    const text = "Time,Carbon Intensity\n2020-10-25T02:30:00+02:00,1\n2020-10-25 02:30:00+0100,2\n2020-10-25T02:30Z,3\n";
    const s = parseSeriesCsv(text, ci(log, { timezone: "Europe/Paris" }));
    // 02:30+02 = 00:30Z, 02:30+01 = 01:30Z, 02:30Z; no DST question is asked.
    expect([...s.times]).toEqual([utc(2020, 10, 25, 0, 30), utc(2020, 10, 25, 1, 30), utc(2020, 10, 25, 2, 30)]);
    expect(log.total).toBe(0);
  });

  it("parseSeriesCsv(text, options) sorts unsorted rows (stable), counts them once, and keeps the first of duplicate times", () => {
    const log = new AdjustmentLog();
    const s = parseSeriesCsv(readFileSync(fixture("unsorted_duplicate.csv"), "utf8"), {
      timeColumn: "time",
      valueColumns: ["ci", "mw"],
      timezone: "UTC",
      gaps: "error",
      log,
      label: "unsorted_duplicate.csv",
    });
    // File order 00:30, 00:00, 00:15, 00:45, 00:15: the longest run already in order has 3 rows, so 5 - 3 = 2 moved.
    // The second 00:15 (line 6, values 99, 9) is a duplicate of line 4 and is dropped.
    expect([...s.times]).toEqual([utc(2021, 1, 1, 0, 0), utc(2021, 1, 1, 0, 15), utc(2021, 1, 1, 0, 30), utc(2021, 1, 1, 0, 45)]);
    expect([...s.values]).toEqual([10, 1, 20, 2, 30, 3, 40, 4]);
    expect(log.toJSON()).toEqual({ duplicate_timestamp: 1, unsorted_rows: 1 });
    const unsorted = log.examples.find((x) => x.code === "unsorted_rows")!;
    expect(unsorted.value).toBe(2);
    expect(unsorted.line).toBe(3);
    expect(log.examples.map((x) => `${x.file}:${x.line}: ${x.message}`)).toMatchInlineSnapshot(`
      [
        "unsorted_duplicate.csv:3: expected rows in time order, got 2 of 5 row(s) out of order (first at this line); sorted them by time",
        "unsorted_duplicate.csv:6: expected one row per time, got 2021-01-01T00:15:00Z again (first at line 4, values different); kept the first",
      ]
    `);
  });

  it("parseSeriesCsv(text, {gaps: 'hold'}) fills a missing stretch and an empty cell with the previous value", () => {
    const log = new AdjustmentLog();
    const s = parseSeriesCsv(readFileSync(fixture("gap_and_empty.csv"), "utf8"), { timeColumn: "time", valueColumns: ["ci"], timezone: "UTC", gaps: "hold", log, label: "gap_and_empty.csv" });
    // Spacings 900, 2700, 900, 900 s: step 900 s; the 2700 s gap after 00:15 gets rows at 00:30 and 00:45.
    const t0 = utc(2021, 1, 1);
    expect([...s.times].map((t) => (t - t0) / 900)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s.step).toBe(900);
    // 00:30 and 00:45 hold 200; the empty cell at 01:15 holds 500.
    expect([...s.values]).toEqual([100, 200, 200, 200, 500, 500, 700]);
    expect(log.toJSON()).toEqual({ gap_filled: 1, missing_value: 1 });
    expect(log.examples.map((x) => `${x.file}:${x.line}: ${x.path}: ${x.message}`)).toMatchInlineSnapshot(`
      [
        "gap_and_empty.csv:5: ci: expected numbers, got 1 empty cell(s) in 1 row(s) covering 900 s from 2021-01-01T01:15:00Z; filled by holding the previous value",
        "gap_and_empty.csv:4: time: expected a row every 900 s, got a 2700 s gap between 2021-01-01T00:15:00Z and 2021-01-01T01:00:00Z; inserted 2 row(s) by holding the previous value",
      ]
    `);
  });

  it("parseSeriesCsv(text, {gaps: 'interpolate'}) fills a missing stretch and an empty cell linearly in time", () => {
    const log = new AdjustmentLog();
    const s = parseSeriesCsv(readFileSync(fixture("gap_and_empty.csv"), "utf8"), { timeColumn: "time", valueColumns: ["ci"], timezone: "UTC", gaps: "interpolate", log });
    // 200 -> 500 over 2700 s: +100 every 900 s, so 300 and 400; 500 -> 700 over 1800 s: 600 at 01:15.
    expect([...s.values]).toEqual([100, 200, 300, 400, 500, 600, 700]);
    expect(log.toJSON()).toEqual({ gap_filled: 1, missing_value: 1 });
  });

  it("parseSeriesCsv(text, {gaps: 'error'}) throws for an empty cell and for a gap, naming file, line and column", () => {
    const text = readFileSync(fixture("gap_and_empty.csv"), "utf8");
    const opts = (log: AdjustmentLog): SeriesReadOptions => ({ timeColumn: "time", valueColumns: ["ci"], timezone: "UTC", gaps: "error", log, label: "traces/grid/g.csv" });
    const log = new AdjustmentLog();
    expect(inputErrorOf(() => parseSeriesCsv(text, opts(log)))).toMatchInlineSnapshot(`"traces/grid/g.csv:5: ci: expected a number, got an empty cell (gaps: "error")"`);
    const noEmpty = text.replace("01:15:00+00:00,\n", "01:15:00+00:00,600\n");
    expect(inputErrorOf(() => parseSeriesCsv(noEmpty, opts(log)))).toMatchInlineSnapshot(`"traces/grid/g.csv:4: time: expected a row every 900 s, got a 2700 s gap between 2021-01-01T00:15:00Z and 2021-01-01T01:00:00Z (gaps: "error")"`);
    expect(log.total).toBe(0); // a file that fails records no adjustments
  });

  it("parseSeriesCsv(text, options) rejects non-numeric values, bad timestamps and ragged rows all at once, with file, line and column", () => {
    const text = readFileSync(fixture("bad_values.csv"), "utf8");
    expect(inputErrorOf(() => parseSeriesCsv(text, ci(new AdjustmentLog(), { label: "traces/grid/x.csv" })))).toMatchInlineSnapshot(`
      "traces/grid/x.csv:3: Carbon Intensity: expected a number, got "abc"
      traces/grid/x.csv:4: Carbon Intensity: expected a number, got "0x10"
      traces/grid/x.csv:5: expected 2 fields as in the header, got 1
      traces/grid/x.csv:6: Time: expected a timestamp like "2020-01-31 23:30:00" (optionally with "Z" or "+01:00"), got "2020-31-01 02:00:00""
    `);
  });

  it("parseSeriesCsv(text, options) names a missing column and an unknown time zone", () => {
    const text = "Time,CI\n2020-01-01 00:00:00,1\n2020-01-01 00:30:00,2\n";
    expect(inputErrorOf(() => parseSeriesCsv(text, ci(new AdjustmentLog(), { label: "a.csv" })))).toMatchInlineSnapshot(`"a.csv:1: expected a column "Carbon Intensity", got columns "Time", "CI""`);
    expect(inputErrorOf(() => parseSeriesCsv(text, ci(new AdjustmentLog(), { label: "a.csv", valueColumns: ["CI"], timezone: "Europe/Pariss" })))).toMatchInlineSnapshot(
      `"a.csv: timezone: expected "UTC" or an IANA time zone name such as "Europe/Paris", got "Europe/Pariss""`,
    );
  });

  it("parseSeriesCsv(text, options) throws RangeError for options that cannot work", () => {
    const text = "Time,CI\n2020-01-01 00:00:00,1\n2020-01-01 00:30:00,2\n";
    expect(() => parseSeriesCsv(text, ci(new AdjustmentLog(), { valueColumns: [] }))).toThrow(RangeError);
    expect(() => parseSeriesCsv(text, ci(new AdjustmentLog(), { valueColumns: ["CI", "CI"] }))).toThrow(RangeError);
    expect(() => parseSeriesCsv(text, ci(new AdjustmentLog(), { valueColumns: ["Time"] }))).toThrow(RangeError);
  });
});

describe("readSeriesCsv on the shipped traces", () => {
  it("readSeriesCsv('traces/grid/fr_ci_2020.csv', UTC) reads 18,574 half-hourly rows from 2019-12-20 with no adjustment", async () => {
    const log = new AdjustmentLog();
    const s = await readSeriesCsv(repoFile("traces/grid/fr_ci_2020.csv"), ci(log, { gaps: "error", label: "traces/grid/fr_ci_2020.csv" }));
    expect(s.times.length).toBe(18574);
    expect(s.step).toBe(1800);
    expect(s.times[0]).toBe(utc(2019, 12, 20));
    expect(s.times[s.times.length - 1]).toBe(utc(2021, 1, 9, 22, 30));
    expect(log.toJSON()).toEqual({});
  });

  it("readSeriesCsv('traces/grid/de_ci_2020.csv', UTC) fills the two missing quarter-hours of 2020-12-19 and reports them", async () => {
    const log = new AdjustmentLog();
    const s = await readSeriesCsv(repoFile("traces/grid/de_ci_2020.csv"), ci(log, { label: "traces/grid/de_ci_2020.csv" }));
    expect(s.step).toBe(900);
    expect(s.times.length).toBe(37147 + 2);
    expect(log.toJSON()).toEqual({ gap_filled: 2 });
    expect(log.examples.map((x) => x.line)).toEqual([35135, 35136]);
  });

  it("readSeriesCsv('traces/grid/fr_ci_2020.csv', Europe/Paris) would count DST repairs, which is how we know the file is not local time", async () => {
    const log = new AdjustmentLog();
    await readSeriesCsv(repoFile("traces/grid/fr_ci_2020.csv"), ci(log, { timezone: "Europe/Paris" }));
    // March: local 02:00 and 02:30 do not exist (2 dst_gap) and land on 03:00/03:30 (2 duplicates, 1 row out of order).
    // October: 02:00 and 02:30 appear once (2 dst_ambiguous, taken as summer time), leaving 00:30Z..02:00Z as one gap.
    expect(log.toJSON()).toEqual({ dst_ambiguous: 2, dst_gap: 2, duplicate_timestamp: 2, gap_filled: 1, unsorted_rows: 1 });
  });
});

describe("parseWithLines", () => {
  it("property: the records and their lines equal csv-parse's own line info (blank lines, CRLF, BOM, quotes)", () => {
    const cell = fc.oneof(fc.constantFrom("", " ", "1.5", "2020-01-01 00:00:00", "x"), fc.constantFrom('"a,b"', '"two\nlines"'));
    const row = fc.array(cell, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(","));
    const text = fc.tuple(fc.array(fc.oneof(row, fc.constant("")), { minLength: 1, maxLength: 12 }), fc.constantFrom("\n", "\r\n", "\r", "mixed"), fc.boolean()).map(([rows, eol, bom]) => (bom ? "\uFEFF" : "") + (eol === "mixed" ? rows.map((r, i) => r + (i % 2 ? "\n" : "\r\n")).join("") : rows.join(eol)));
    fc.assert(
      fc.property(text, (t) => {
        let expected: unknown;
        try {
          expected = (parse(t, { info: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as unknown as { record: string[]; info: { lines: number } }[]).map((r) => [r.record, r.info.lines]);
        } catch {
          expect(() => parseWithLines(t)).toThrow();
          return;
        }
        expect(parseWithLines(t).map((r) => [r.record, r.info.lines])).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
