// The series reader's hand-written timestamp parser (the common shapes) against
// the general one it replaced on the hot path (regex + Date), which still reads
// every other shape: equal on every timestamp of the shipped grid series, on
// generated ones (valid and out of range) and on awkward shapes; and goldens
// from Date.UTC, computed independently of both.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseCommonTimestamp, parseTimestamp, parseTimestampGeneral } from "../../../src/io/series.ts";

const gridDir = fileURLToPath(new URL("../../../traces/grid/", import.meta.url));
const pad = (x: number, n = 2): string => String(x).padStart(n, "0");

describe("parseTimestamp", () => {
  it("on every timestamp of the shipped grid series, takes the hand-written path and equals the general parser", () => {
    let seen = 0;
    for (const name of readdirSync(gridDir).filter((f) => f.endsWith(".csv"))) {
      const rows = readFileSync(gridDir + name, "utf8").split(/\r?\n/).slice(1).filter((l) => l !== "");
      for (const row of rows) {
        const text = row.split(",")[0].trim();
        if (!/^\d{4}-/.test(text)) continue; // a factor table, not a series
        const common = parseCommonTimestamp(text);
        expect(common, text).toBeDefined();
        expect(common).toEqual(parseTimestampGeneral(text));
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(60_000); // de, fr, CISO: 37,147 + 18,574 + 8,760 rows
  });

  it("gives wall times from Date.UTC and offsets in ms east of UTC (goldens)", () => {
    const cases: [string, number, number | undefined][] = [
      ["2020-03-29 02:30:00", Date.UTC(2020, 2, 29, 2, 30), undefined], // inside the Paris spring-forward gap: still a wall time here
      ["2020-10-25T02:30:00", Date.UTC(2020, 9, 25, 2, 30), undefined], // the repeated Paris hour
      ["2020-10-25T01:00:00+01:00", Date.UTC(2020, 9, 25, 1), 3_600_000],
      ["1999-12-31 23:59:59Z", Date.UTC(1999, 11, 31, 23, 59, 59), 0],
      ["2000-02-29 12:00:00-00:30", Date.UTC(2000, 1, 29, 12), -1_800_000],
      ["2024-02-29T00:00:00-09:30", Date.UTC(2024, 1, 29), -34_200_000],
      ["1969-07-20 20:17:40Z", Date.UTC(1969, 6, 20, 20, 17, 40), 0],
      ["0001-01-01 00:00:00", Date.UTC(2001, 0, 1) - 2000 * 365.2425 * 86_400_000, undefined], // 2000 Gregorian years = 730,485 days
      ["9999-12-31T23:59:59+14:00", Date.UTC(9999, 11, 31, 23, 59, 59), 50_400_000],
    ];
    for (const [text, wallMs, offsetMs] of cases) {
      expect(parseTimestamp(text), text).toEqual({ wallMs, offsetMs, text });
      expect(parseCommonTimestamp(text), text).toEqual({ wallMs, offsetMs, text });
    }
  });

  it("refuses dates and times that do not exist, on both paths", () => {
    for (const text of ["2021-02-29 00:00:00", "1900-02-29 00:00:00", "2021-02-30T00:00:00Z", "2020-04-31 00:00:00", "2020-13-01 00:00:00", "2020-00-10 00:00:00", "2020-01-00 00:00:00", "2020-01-01 24:00:00", "2020-01-01 00:60:00", "2020-01-01 00:00:60", "2020-01-01 00:00:00+01:60", "2020-01-01 00:00:00+0160", "2020-01-01x00:00:00", "2020-01-01 00:00:00Q", "20a0-01-01 00:00:00", "2020-01-01 00:00:00 +01:00:00"]) {
      expect(parseTimestamp(text), text).toBeUndefined();
      expect(parseTimestampGeneral(text), text).toBeUndefined();
    }
  });

  it("leaves the other shapes (fractions, lower case, no seconds, date only, short offsets, a space before the zone) to the general parser", () => {
    const cases: [string, number, number | undefined][] = [
      ["2020-01-01 00:00:00.5Z", Date.UTC(2020, 0, 1) + 500, 0],
      ["2020-01-01T00:00:00.123456789+02:00", Date.UTC(2020, 0, 1) + 0.123456789 * 1000, 7_200_000],
      ["2020-01-01t10:00:00z", Date.UTC(2020, 0, 1, 10), 0],
      ["2020-01-01 10:00", Date.UTC(2020, 0, 1, 10), undefined],
      ["2020-01-01", Date.UTC(2020, 0, 1), undefined],
      ["2020-01-01 10:00:00+0100", Date.UTC(2020, 0, 1, 10), 3_600_000],
      ["2020-01-01 10:00:00-01", Date.UTC(2020, 0, 1, 10), -3_600_000],
      ["2020-01-01 10:00:00 Z", Date.UTC(2020, 0, 1, 10), 0],
    ];
    for (const [text, wallMs, offsetMs] of cases) {
      expect(parseCommonTimestamp(text), text).toBeUndefined();
      expect(parseTimestamp(text), text).toEqual({ wallMs, offsetMs, text });
    }
  });

  it("property: on generated timestamps of the common shapes, valid or out of range, equals the general parser", () => {
    const stamp = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.constantFrom("T", " "),
        fc.oneof(fc.constant(""), fc.constant("Z"), fc.tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 60 })).map(([s, h, m]) => `${s}${pad(h)}:${pad(m)}`)),
      )
      .map(([y, mo, d, h, mi, s, sep, zone]) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}${sep}${pad(h)}:${pad(mi)}:${pad(s)}${zone}`);
    fc.assert(
      fc.property(stamp, (text) => {
        const general = parseTimestampGeneral(text);
        expect(parseTimestamp(text)).toEqual(general);
        if (general !== undefined) expect(Object.is(parseCommonTimestamp(text)!.offsetMs, general.offsetMs)).toBe(true); // -00:00 stays -0
      }),
      { numRuns: 5000 },
    );
  });
});
