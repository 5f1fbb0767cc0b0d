/**
 * CSV time-series reader: one time column and numeric value columns (grid
 * carbon intensity, generation mix, PUE, ...), repaired explicitly and counted.
 *
 * What the reader does, in this order, and how each step is reported:
 * 1. Parse every row strictly. A value that is not a decimal number is an
 *    error (`not_a_number`), as is a bad timestamp (`invalid_value`) or a row
 *    with the wrong number of fields (`wrong_field_count`); all of them are
 *    collected and thrown together in one InputError.
 * 2. Convert times to UTC epoch seconds. A timestamp with an offset ("Z",
 *    "+01:00") uses it. A naive timestamp is read in `options.timezone`: "UTC",
 *    or an IANA zone whose offsets come from Intl.DateTimeFormat. In the autumn
 *    fall-back hour a repeated local time maps, in file order, first to the
 *    earlier instant (summer offset), then to the later one (winter offset):
 *    `dst_ambiguous`, one per row in the repeated hour. A local time inside the
 *    spring-forward gap does not exist; it is shifted forward by the gap
 *    (02:30 becomes 03:30 local): `dst_gap`, one per row.
 * 3. Sort rows by time (stable): `unsorted_rows`, once per file, counting the
 *    rows moved (rows minus the longest run already in order).
 * 4. Drop rows whose UTC time equals an earlier row's, keeping the first:
 *    `duplicate_timestamp`, one per dropped row.
 * 5. Fill empty cells per `options.gaps` ("hold" the previous value,
 *    "interpolate" linearly in time, or "error"): `missing_value`, one per run
 *    of consecutive rows with empty cells, with its time span.
 * 6. Take the nominal step as the median spacing (the lower middle value, so
 *    it is a spacing that occurs). A spacing over 1.5 steps is a gap: rows are
 *    inserted every step per `options.gaps`: `gap_filled`, one per gap, with
 *    its length. The last row lasts one step.
 *
 * In "error" mode empty cells and gaps are thrown (codes `missing_value` and
 * `gap_filled`) together with any other issue.
 */
import { utf8Text } from "./readText.js";
import { cachedParseFile, type Cached } from "./parseCache.js";
import { parse } from "csv-parse/sync";
import { type AdjustmentLog, type Issue, InputError } from "../core/index.js";

export interface SeriesReadOptions {
  timeColumn: string;
  valueColumns: readonly string[];
  /** "UTC"; or an IANA zone name meaning timestamps are naive local times in that zone; timestamps that carry an offset (e.g. "+00:00", "Z") use it whatever this says. */
  timezone: string;
  /** Missing rows or empty cells: "hold" the previous value, "interpolate" linearly, or "error". */
  gaps: "hold" | "interpolate" | "error";
  log: AdjustmentLog;
  label?: string; // file name in messages
}

export interface RawSeries {
  readonly file: string;
  /** Row times as Unix epoch seconds (UTC), strictly increasing after repair. */
  readonly times: Float64Array;
  /** Nominal step (median spacing), seconds; the last row lasts one step. */
  readonly step: number;
  readonly columns: readonly string[];
  /** times.length * columns.length values, row-major. */
  readonly values: Float64Array;
}

/**
 * Reads a CSV time series from a file; see parseSeriesCsv. The parse is kept
 * in a disk cache keyed by the file's bytes and the options (parseCache.ts),
 * so later processes read it back, adjustments included, instead of parsing.
 * @param path file to read (UTF-8, optional BOM); also the label in messages unless options.label is set
 * @throws InputError listing every problem found (see the module comment); io_error when the file cannot be read
 */
export async function readSeriesCsv(path: string, options: SeriesReadOptions): Promise<RawSeries> {
  const label = options.label ?? path;
  const { timeColumn, valueColumns, timezone, gaps } = options;
  const { series, adjustments } = await cachedParseFile(
    "series",
    path,
    label,
    { label, timeColumn, valueColumns, timezone, gaps },
    // As readFile(path, "utf8") decodes it.
    (bytes) => parseSeries(utf8Text(bytes), { ...options, label }),
    ({ series: s, adjustments: adj }): Cached<SeriesHead> => ({ head: { file: s.file, step: s.step, columns: s.columns, adjustments: adj }, arrays: [s.times, s.values] }),
    ({ head, arrays: [times, values] }) => ({ series: { file: head.file, times, step: head.step, columns: head.columns, values }, adjustments: head.adjustments }),
  );
  for (const x of adjustments) options.log.record(x);
  return series;
}

/** What the parse cache keeps of a series beside its times and values. */
interface SeriesHead {
  readonly file: string;
  readonly step: number;
  readonly columns: readonly string[];
  readonly adjustments: Issue[];
}

/**
 * Parses CSV text into a repaired, sorted series in UTC epoch seconds, recording
 * every adjustment in options.log.
 * @throws InputError listing every problem found; RangeError on bad options
 */
export function parseSeriesCsv(text: string, options: SeriesReadOptions): RawSeries {
  const { series, adjustments } = parseSeries(text, options);
  for (const x of adjustments) options.log.record(x);
  return series;
}

/** parseSeriesCsv, with the adjustments returned in order instead of recorded. */
function parseSeries(text: string, options: SeriesReadOptions): { series: RawSeries; adjustments: Issue[] } {
  const file = options.label ?? "<csv>";
  const { timeColumn, valueColumns, gaps } = options;
  checkOptions(options);
  // Adjustments are held back and reach options.log only when the whole file has been read.
  const pending: Issue[] = [];
  const log: Recorder = { record: (x) => void pending.push(x) };
  const toUtc = utcConverter(file, options.timezone, timeColumn, log.record);
  const nCols = valueColumns.length;

  let records: Records;
  try {
    records = recordsOf(text);
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    throw new InputError([{ code: "parse_error", file, line: err.lines, message: `expected valid CSV, got: ${err.message ?? String(e)}` }]);
  }

  // Rows are read one at a time as the text is split (none is kept), so what a
  // row allocates dies young: holding every row's fields at once made the
  // garbage collector copy them again and again on a year of 15-min data.
  const issues: Issue[] = [];
  const emptyMode: Issue[] = [];
  const maxRows = Math.max(0, records.count - 1);
  const lineBuf = new Int32Array(maxRows);
  const timeBuf = new Float64Array(maxRows);
  const valueBuf = new Float64Array(maxRows * nCols);
  let header: string[] | undefined;
  let headerLine = 0;
  let timeIdx = -1;
  let valueIdx: number[] = [];
  let row = -1; // index of the data row being read
  records.each((record, line) => {
    if (header === undefined) {
      // Header: locate the columns.
      const names = record.map((h) => h.trim());
      header = names;
      headerLine = line;
      const indexOf = (name: string): number => {
        const first = names.indexOf(name);
        if (first < 0) {
          issues.push({ code: "missing_field", file, line: headerLine, message: `expected a column "${name}", got columns ${names.map((h) => JSON.stringify(h)).join(", ")}` });
        } else if (names.indexOf(name, first + 1) >= 0) {
          issues.push({ code: "duplicate_id", file, line: headerLine, path: name, message: `expected one column with this name, got ${names.filter((h) => h === name).length}` });
        }
        return first;
      };
      timeIdx = indexOf(timeColumn);
      valueIdx = valueColumns.map(indexOf);
      return issues.length === 0;
    }
    // Rows: parse strictly, collect every problem. Empty cells are NaN for now.
    row++;
    lineBuf[row] = line;
    if (record.length !== header.length) {
      issues.push({ code: "wrong_field_count", file, line, message: `expected ${header.length} fields as in the header, got ${record.length}`, value: record.length });
      return true;
    }
    for (let c = 0; c < nCols; c++) {
      const cell = record[valueIdx[c]].trim();
      if (cell === "") {
        valueBuf[row * nCols + c] = Number.NaN;
        if (gaps === "error") emptyMode.push({ code: "missing_value", file, line, path: valueColumns[c], message: 'expected a number, got an empty cell (gaps: "error")' });
        continue;
      }
      const x = DECIMAL.test(cell) ? Number(cell) : Number.NaN;
      if (!Number.isFinite(x)) {
        issues.push({ code: "not_a_number", file, line, path: valueColumns[c], message: `expected a number, got ${JSON.stringify(cell)}`, value: cell });
        valueBuf[row * nCols + c] = 0;
      } else {
        valueBuf[row * nCols + c] = x;
      }
    }
    const stamp = parseTimestamp(record[timeIdx].trim());
    if (stamp === undefined) {
      issues.push({ code: "invalid_value", file, line, path: timeColumn, message: `expected a timestamp like "2020-01-31 23:30:00" (optionally with "Z" or "+01:00"), got ${JSON.stringify(record[timeIdx])}`, value: record[timeIdx] });
      return true;
    }
    timeBuf[row] = toUtc(stamp, line);
    return true;
  });
  if (header === undefined) throw new InputError([{ code: "missing_field", file, message: "expected a header row, got an empty file" }]);
  if (row < 0 && issues.length > 0) throw new InputError(issues); // the header's
  const nRows = row + 1;
  if (nRows < 2) throw new InputError([{ code: "missing_field", file, message: `expected at least 2 data rows to find the time step, got ${nRows}` }]);
  const lines = lineBuf.subarray(0, nRows);
  const times = timeBuf.subarray(0, nRows);
  const values = valueBuf.subarray(0, nRows * nCols);
  issues.push(...emptyMode);
  if (issues.length > 0) throw new InputError(sortIssues(issues));

  // Sort (stable) by UTC time.
  let order = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) order[i] = i;
  let firstUnsorted = -1;
  for (let r = 1; r < nRows; r++) {
    if (times[r] < times[r - 1]) {
      firstUnsorted = r;
      break;
    }
  }
  if (firstUnsorted >= 0) {
    order.sort((a, b) => times[a] - times[b] || a - b);
    const moved = nRows - longestNonDecreasing(times);
    log.record({
      code: "unsorted_rows",
      file,
      line: lines[firstUnsorted],
      path: timeColumn,
      message: `expected rows in time order, got ${moved} of ${nRows} row(s) out of order (first at this line); sorted them by time`,
      value: moved,
    });
  }

  // Drop exact duplicate times, keeping the first row in file order.
  const kept = new Int32Array(nRows);
  let nKept = 0;
  for (const r of order) {
    const prev = nKept > 0 ? kept[nKept - 1] : -1;
    if (prev >= 0 && times[r] === times[prev]) {
      let same = true;
      for (let c = 0; c < nCols; c++) if (!Object.is(values[r * nCols + c], values[prev * nCols + c])) same = false;
      log.record({
        code: "duplicate_timestamp",
        file,
        line: lines[r],
        path: timeColumn,
        message: `expected one row per time, got ${isoUtc(times[r])} again (first at line ${lines[prev]}, values ${same ? "identical" : "different"}); kept the first`,
        value: isoUtc(times[r]),
      });
      continue;
    }
    kept[nKept++] = r;
  }
  order = kept.subarray(0, nKept);
  const n = nKept;
  if (n < 2) throw new InputError([{ code: "missing_field", file, message: `expected at least 2 distinct times to find the time step, got ${n}` }]);
  const t = new Float64Array(n);
  const v = new Float64Array(n * nCols);
  const rowLine = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = order[i];
    t[i] = times[r];
    rowLine[i] = lines[r];
    for (let c = 0; c < nCols; c++) v[i * nCols + c] = values[r * nCols + c];
  }

  // Nominal step: the lower median spacing.
  const spacings = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) spacings[i - 1] = t[i] - t[i - 1];
  spacings.sort();
  const step = spacings[Math.floor((spacings.length - 1) / 2)];

  fillEmptyCells(file, t, v, rowLine, step, valueColumns, gaps, log);
  const series = fillTimeGaps(file, t, v, rowLine, step, valueColumns, timeColumn, gaps, log);
  return { series, adjustments: pending };
}

/** Where adjustments go (an AdjustmentLog, or a buffer in front of one). */
interface Recorder {
  record(issue: Issue): void;
}

/** A decimal number: optional sign, digits with an optional point, optional exponent. No hex, no "Infinity", no "NaN". */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function checkOptions(o: SeriesReadOptions): void {
  if (o.valueColumns.length === 0) throw new RangeError("parseSeriesCsv: expected at least one value column, got none");
  const seen = new Set<string>();
  for (const c of o.valueColumns) {
    if (c === o.timeColumn) throw new RangeError(`parseSeriesCsv: value column ${JSON.stringify(c)} is also the time column`);
    if (seen.has(c)) throw new RangeError(`parseSeriesCsv: value column ${JSON.stringify(c)} is listed twice`);
    seen.add(c);
  }
  if (o.gaps !== "hold" && o.gaps !== "interpolate" && o.gaps !== "error") {
    throw new RangeError(`parseSeriesCsv: expected gaps "hold", "interpolate" or "error", got ${JSON.stringify(o.gaps)}`);
  }
}

function sortIssues(issues: Issue[]): Issue[] {
  return issues.map((x, i) => [x, i] as const).sort(([a, i], [b, j]) => (a.line ?? 0) - (b.line ?? 0) || i - j).map(([x]) => x);
}

// ---------------------------------------------------------------- timestamps

/** A parsed timestamp: wall-clock fields as if UTC (ms), and the offset it carries (ms east of UTC), if any. */
export interface Stamp {
  readonly wallMs: number;
  readonly offsetMs: number | undefined;
  readonly text: string;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The records of a CSV text: at most `count` of them, handed to a visitor with the line each ends on until it returns false. */
interface Records {
  readonly count: number;
  each(visit: (record: string[], line: number) => boolean): void;
}

const CSV_OPTIONS = { bom: true, skip_empty_lines: true, relax_column_count: true } as const;

/**
 * Grid series run to tens of thousands of rows and csv-parse took most of an
 * estimate's start-up on them, so a text without any quote, where RFC 4180
 * makes every line a record split at commas, is split here as it is visited
 * (blank lines skipped as csv-parse's skip_empty_lines does); any quote, or
 * mixed line endings, send the whole text to csv-parse, which throws here on
 * bad CSV. A property test holds the two paths equal (parseWithLines).
 */
function recordsOf(text: string): Records {
  if (text.includes('"') || !oneLineEnding(text)) {
    const parsed = parse(text, { ...CSV_OPTIONS, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return {
      count: parsed.length,
      each(visit) {
        for (const { record, info } of parsed) if (!visit(record, info.lines)) return;
      },
    };
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let count = 1;
  for (let i = body.indexOf("\n"); i >= 0; i = body.indexOf("\n", i + 1)) count++;
  return {
    count,
    each(visit) {
      let line = 1;
      let from = 0;
      while (from <= body.length) {
        let to = body.indexOf("\n", from);
        if (to < 0) to = body.length;
        const end = to > from && body.charCodeAt(to - 1) === 13 ? to - 1 : to;
        if (end > from && !visit(body.slice(from, end).split(","), line)) return;
        line++;
        from = to + 1;
      }
    },
  };
}

/** Every record with the line it ends on, as the series reader sees them (for tests: the same as csv-parse's). */
export function parseWithLines(text: string): { record: string[]; info: { lines: number } }[] {
  const out: { record: string[]; info: { lines: number } }[] = [];
  recordsOf(text).each((record, lines) => out.push({ record, info: { lines } }) > 0);
  return out;
}

/** True when lines end all in LF or all in CRLF (csv-parse picks the first ending it meets as the record delimiter). */
function oneLineEnding(text: string): boolean {
  if (!text.includes("\r")) return true;
  let cr = 0;
  let crlf = 0;
  let lf = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      cr++;
      if (text.charCodeAt(i + 1) === 10) crlf++;
    } else if (c === 10) lf++;
  }
  return cr === crlf && lf === crlf;
}

/**
 * A timestamp as the series reader reads it: the common shapes by hand (a
 * grid series has tens of thousands of rows and the general parser below took
 * most of an estimate's start-up), anything else by the general parser. A
 * test holds the two equal on the shipped series and on awkward timestamps.
 */
export function parseTimestamp(text: string): Stamp | undefined {
  return parseCommonTimestamp(text) ?? parseTimestampGeneral(text);
}

/** Value of the two decimal digits at i (and i + 1), or -1 when either is not a digit. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), as Date counts them. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * "YYYY-MM-DD HH:MM:SS" (or with "T"), optionally followed at once by "Z" or
 * "+HH:MM"/"-HH:MM"; undefined for any other text (then the general parser
 * decides, which also refuses what is out of range here).
 */
export function parseCommonTimestamp(text: string): Stamp | undefined {
  const n = text.length;
  if (n !== 19 && n !== 20 && n !== 25) return undefined;
  const c10 = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (c10 !== 32 && c10 !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const yHi = twoDigits(text, 0);
  const yLo = twoDigits(text, 2);
  const mo = twoDigits(text, 5);
  const d = twoDigits(text, 8);
  const h = twoDigits(text, 11);
  const mi = twoDigits(text, 14);
  const s = twoDigits(text, 17);
  if (yHi < 0 || yLo < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  const y = yHi * 100 + yLo;
  if (d > daysInMonth(y, mo)) return undefined;
  let offsetMs: number | undefined;
  if (n === 20) {
    if (text.charCodeAt(19) !== 90) return undefined;
    offsetMs = 0;
  } else if (n === 25) {
    const sign = text.charCodeAt(19);
    const oh = twoDigits(text, 20);
    const om = twoDigits(text, 23);
    if ((sign !== 43 && sign !== 45) || text.charCodeAt(22) !== 58 || oh < 0 || om < 0 || om > 59) return undefined;
    offsetMs = (sign === 45 ? -1 : 1) * (oh * 3600 + om * 60) * 1000;
  }
  const wallMs = daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + s) * 1000;
  return { wallMs, offsetMs, text };
}

/** Every shape TIMESTAMP allows (date only, minutes only, fractions, lower-case, space before the offset, "+0100", "+01"), through Date. */
export function parseTimestampGeneral(text: string): Stamp | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCDate() !== d) return undefined; // e.g. 2021-02-30
  date.setUTCHours(h, mi, s, 0);
  const wallMs = date.getTime() + (m[7] ? Number(m[7]) * 1000 : 0);
  let offsetMs: number | undefined;
  const z = m[8];
  if (z !== undefined) {
    if (z.toUpperCase() === "Z") offsetMs = 0;
    else {
      const sign = z[0] === "-" ? -1 : 1;
      const digits = z.slice(1).replace(":", "");
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
      if (om > 59) return undefined;
      offsetMs = sign * (oh * 3600 + om * 60) * 1000;
    }
  }
  return { wallMs, offsetMs, text };
}

/** ISO 8601 UTC without milliseconds unless needed: "2020-10-25T00:30:00Z". */
function isoUtc(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}

function formatOffset(ms: number): string {
  const sign = ms < 0 ? "-" : "+";
  const a = Math.abs(ms) / 60_000;
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

/**
 * Returns a function mapping a parsed timestamp (and its line, for messages) to
 * UTC epoch seconds, resolving naive local times in `timezone` and recording
 * DST adjustments.
 */
function utcConverter(file: string, timezone: string, timeColumn: string, record: (issue: Issue) => void): (s: Stamp, line: number) => number {
  if (timezone === "UTC") {
    return (s) => (s.wallMs - (s.offsetMs ?? 0)) / 1000;
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    throw new InputError([{ code: "invalid_value", file, path: "timezone", message: `expected "UTC" or an IANA time zone name such as "Europe/Paris", got ${JSON.stringify(timezone)}`, value: timezone }]);
  }
  /** Offset of the zone at a UTC instant, ms east of UTC. */
  const offsetAt = (utcMs: number): number => {
    const whole = Math.floor(utcMs / 1000) * 1000;
    const f: Record<string, number> = {};
    for (const p of fmt.formatToParts(new Date(whole))) if (p.type !== "literal") f[p.type] = Number(p.value);
    const local = new Date(0);
    local.setUTCFullYear(f.year, f.month - 1, f.day);
    local.setUTCHours(f.hour === 24 ? 0 : f.hour, f.minute, f.second, 0);
    return local.getTime() - whole;
  };
  const HOUR = 3600 * 1000;
  const HALF_DAY = 12 * HOUR;
  const seen = new Map<number, number>(); // ambiguous wall time -> occurrences so far (file order)
  // Wall-clock hour -> the zone's offset when no transition lies within 12 h of that hour, else NaN.
  const steady = new Map<number, number>();
  return (s, line) => {
    if (s.offsetMs !== undefined) return (s.wallMs - s.offsetMs) / 1000;
    const L = s.wallMs;
    const hour = Math.floor(L / HOUR) * HOUR;
    let known = steady.get(hour);
    if (known === undefined) {
      const b = offsetAt(hour - HALF_DAY);
      known = b === offsetAt(hour + HOUR + HALF_DAY) ? b : Number.NaN;
      steady.set(hour, known);
    }
    if (!Number.isNaN(known)) return (L - known) / 1000;
    // Offsets before and after the transition near L (real zones change at most once a day).
    const before = offsetAt(L - HALF_DAY);
    const after = offsetAt(L + HALF_DAY);
    if (before === after) return (L - before) / 1000;
    const validBefore = offsetAt(L - before) === before;
    const validAfter = offsetAt(L - after) === after;
    if (validBefore && validAfter) {
      const k = seen.get(L) ?? 0;
      seen.set(L, k + 1);
      const offset = k === 0 ? Math.max(before, after) : Math.min(before, after);
      const utc = (L - offset) / 1000;
      record({
        code: "dst_ambiguous",
        file,
        line,
        path: timeColumn,
        message: `local time ${JSON.stringify(s.text)} occurs twice in ${timezone}; took this ${k === 0 ? "first" : "repeated"} occurrence as ${formatOffset(offset)}, ${isoUtc(utc)}`,
        value: s.text,
      });
      return utc;
    }
    if (validBefore || validAfter) return (L - (validBefore ? before : after)) / 1000;
    // Spring-forward gap: the wall time does not exist; shift it forward by the gap.
    const utc = (L - before) / 1000;
    record({
      code: "dst_gap",
      file,
      line,
      path: timeColumn,
      message: `local time ${JSON.stringify(s.text)} does not exist in ${timezone} (clocks skip ${(after - before) / 1000} s); shifted it forward by the gap to ${isoUtc(utc)}`,
      value: s.text,
    });
    return utc;
  };
}

/** Length of the longest non-decreasing subsequence (patience sorting, O(n log n)). */
function longestNonDecreasing(a: Float64Array): number {
  const tails: number[] = [];
  for (const x of a) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = x;
  }
  return tails.length;
}

// ---------------------------------------------------------------- repairs

/** Fills empty cells (NaN) per column, recording one missing_value per run of rows with empty cells. */
function fillEmptyCells(
  file: string,
  t: Float64Array,
  v: Float64Array,
  rowLine: Int32Array,
  step: number,
  columns: readonly string[],
  gaps: "hold" | "interpolate" | "error",
  log: Recorder,
): void {
  const n = t.length;
  const nCols = columns.length;
  const backFilled = new Uint8Array(n); // rows where some column had no earlier value
  const emptyCols: (string[] | undefined)[] = new Array(n); // only rows with empty cells get a list (most rows have none)
  const none: readonly string[] = [];
  const emptyAt = (k: number): readonly string[] => emptyCols[k] ?? none;
  const fatal: Issue[] = [];
  for (let c = 0; c < nCols; c++) {
    let i = 0;
    while (i < n) {
      if (!Number.isNaN(v[i * nCols + c])) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < n && Number.isNaN(v[(j + 1) * nCols + c])) j++;
      const prev = i - 1;
      const next = j + 1 < n ? j + 1 : -1;
      if (prev < 0 && next < 0) {
        fatal.push({ code: "missing_value", file, path: columns[c], message: "expected at least one number in this column, got only empty cells" });
        break;
      }
      for (let k = i; k <= j; k++) {
        (emptyCols[k] ??= []).push(columns[c]);
        let x: number;
        if (prev < 0) {
          x = v[next * nCols + c];
          backFilled[k] = 1;
        } else if (gaps === "hold" || next < 0) {
          x = v[prev * nCols + c];
        } else {
          const a = v[prev * nCols + c];
          const b = v[next * nCols + c];
          x = a + ((b - a) * (t[k] - t[prev])) / (t[next] - t[prev]);
        }
        v[k * nCols + c] = x;
      }
      i = j + 1;
    }
  }
  if (fatal.length > 0) throw new InputError(fatal);
  const how = gaps === "hold" ? "holding the previous value" : "interpolating linearly in time";
  let i = 0;
  while (i < n) {
    if (emptyAt(i).length === 0) {
      i++;
      continue;
    }
    let j = i;
    let cells = emptyAt(i).length;
    let back = backFilled[i] === 1;
    const cols = new Set(emptyAt(i));
    while (j + 1 < n && emptyAt(j + 1).length > 0) {
      j++;
      cells += emptyAt(j).length;
      back ||= backFilled[j] === 1;
      for (const c of emptyAt(j)) cols.add(c);
    }
    const end = j + 1 < n ? t[j + 1] : t[j] + step;
    const rows = j - i + 1;
    log.record({
      code: "missing_value",
      file,
      line: rowLine[i],
      path: columns.filter((c) => cols.has(c)).join(", "),
      message:
        `expected numbers, got ${cells} empty cell(s) in ${rows} row(s) covering ${end - t[i]} s from ${isoUtc(t[i])}; filled by ${how}` +
        (back ? " (no earlier value: took the next one)" : ""),
      value: end - t[i],
    });
    i = j + 1;
  }
}

/** Inserts rows every step into spacings over 1.5 steps, recording one gap_filled per gap (or throwing in "error" mode). */
function fillTimeGaps(
  file: string,
  t: Float64Array,
  v: Float64Array,
  rowLine: Int32Array,
  step: number,
  columns: readonly string[],
  timeColumn: string,
  gaps: "hold" | "interpolate" | "error",
  log: Recorder,
): RawSeries {
  const n = t.length;
  const nCols = columns.length;
  const inserts = new Int32Array(n); // rows to insert after row i
  let total = 0;
  const fatal: Issue[] = [];
  for (let i = 0; i + 1 < n; i++) {
    const d = t[i + 1] - t[i];
    if (d <= 1.5 * step) continue;
    const m = Math.round(d / step) - 1;
    const where = `between ${isoUtc(t[i])} and ${isoUtc(t[i + 1])}`;
    if (gaps === "error") {
      fatal.push({ code: "gap_filled", file, line: rowLine[i + 1], path: timeColumn, message: `expected a row every ${step} s, got a ${d} s gap ${where} (gaps: "error")`, value: d });
      continue;
    }
    inserts[i] = m;
    total += m;
    const how = gaps === "hold" ? "holding the previous value" : "interpolating linearly in time";
    log.record({
      code: "gap_filled",
      file,
      line: rowLine[i + 1],
      path: timeColumn,
      message: `expected a row every ${step} s, got a ${d} s gap ${where}; inserted ${m} row(s) by ${how}`,
      value: d,
    });
  }
  if (fatal.length > 0) throw new InputError(fatal);
  if (total === 0) return { file, times: t, step, columns: [...columns], values: v };
  const times = new Float64Array(n + total);
  const values = new Float64Array((n + total) * nCols);
  let o = 0;
  for (let i = 0; i < n; i++) {
    times[o] = t[i];
    for (let c = 0; c < nCols; c++) values[o * nCols + c] = v[i * nCols + c];
    o++;
    for (let k = 1; k <= inserts[i]; k++) {
      const tk = t[i] + k * step;
      times[o] = tk;
      for (let c = 0; c < nCols; c++) {
        const a = v[i * nCols + c];
        const b = v[(i + 1) * nCols + c];
        values[o * nCols + c] = gaps === "hold" ? a : a + ((b - a) * (tk - t[i])) / (t[i + 1] - t[i]);
      }
      o++;
    }
  }
  return { file, times, step, columns: [...columns], values };
}
