/**
 * Standard Workload Format (SWF) reader. An SWF file is a header of ";" comment
 * lines ("; Key: value" directives) followed by one job per line with 18
 * whitespace-separated numeric fields, -1 meaning unknown
 * (https://www.cs.huji.ac.il/labs/parallel/workload/swf.html).
 *
 * Files are streamed (plain or gzip, detected by magic bytes), split into lines
 * and tokenised byte by byte: memory does not grow with the trace, except for
 * one bit per job number used to detect duplicates.
 *
 * Strict mode throws an InputError at the first bad line. Lenient mode skips or
 * repairs that line and records one Issue per adjustment in an AdjustmentLog.
 */
import { open } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { pipeline, type Readable } from "node:stream";
import { AdjustmentLog, InputError, type Issue, type IssueCode } from "../core/index.js";
import type { JobSpec, SwfHeader } from "./spec.js";
import { describeFsError } from "./readText.js";
import { MAX_JOB_SECONDS, MAX_SUBMIT_S } from "../core/index.js";

export interface SwfReadOptions {
  mode: "strict" | "lenient";
  /** Machine size in processors; jobs asking for more are too_many_processors. Defaults to the header's MaxProcs (else MaxNodes, else unlimited). */
  maxProcs?: number;
  /** Where lenient-mode adjustments are counted (required in lenient mode). */
  log?: AdjustmentLog;
  /** Name used in messages; defaults to the path as given. */
  label?: string;
}

export interface SwfReader {
  readonly header: SwfHeader;
  /** Jobs in file order, as a stream. */
  jobs(): AsyncIterable<JobSpec>;
  /**
   * Same stream in arrays of up to `size` jobs (fewer awaits on big traces).
   * Each call to jobs() or batches() reads the file again from its start and,
   * in lenient mode, records its adjustments again. Throws a RangeError unless
   * size is an integer >= 1 (default 4096).
   */
  batches(size?: number): AsyncIterable<JobSpec[]>;
}

/**
 * Codes for which lenient mode drops the record; every other code the reader
 * records is a repair (the job is kept, adjusted): submit_out_of_order (submit
 * time clamped), invalid_walltime (requested time <= 0 replaced by the run time)
 * and not_a_number on a header directive (directive left unset).
 * Records read = jobs + sum of the counts of these codes.
 */
export const swfSkipCodes: ReadonlySet<IssueCode> = new Set<IssueCode>([
  "wrong_field_count",
  "not_a_number",
  "invalid_value",
  "duplicate_id",
  "negative_runtime",
  "zero_runtime",
  "unknown_runtime",
  "invalid_processors",
  "too_many_processors",
  "implausible_value",
]);

/** SWF field names, in file order (field n is SWF_FIELDS[n - 1]). */
export const SWF_FIELDS = [
  "job_number", "submit_time", "wait_time", "run_time", "allocated_processors",
  "average_cpu_time", "used_memory", "requested_processors", "requested_time",
  "requested_memory", "status", "user_id", "group_id", "executable", "queue",
  "partition", "preceding_job", "think_time",
] as const;

const NFIELDS = 18;
const DEFAULT_BATCH = 4096;
const PLAIN_CHUNK = 1 << 18;
const GZIP_CHUNK = 1 << 18;
/** Job numbers below this are tracked in a bitset (at most 16 MiB), others in a Set. */
const BITSET_LIMIT = 1 << 27;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

const LF = 10, CR = 13, TAB = 9, SPACE = 32, SEMI = 59, PLUS = 43, MINUS = 45, DOT = 46;

/** Opens an SWF file (plain or .gz, detected by magic bytes), reads the header comment lines, and returns a reader. Throws InputError if the file cannot be read. */
export async function openSwf(path: string, options: SwfReadOptions): Promise<SwfReader> {
  checkOptions(options);
  const label = options.label ?? path;
  let gzip: boolean;
  try {
    const fh = await open(path, "r");
    try {
      const magic = Buffer.alloc(2);
      const { bytesRead } = await fh.read(magic, 0, 2, 0);
      gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw readError(label, undefined, "cannot read file", err);
  }

  const headerParser = new HeaderParser(label, options);
  for await (const lines of lineChunks(path, gzip, label, () => headerParser.lineNo)) {
    if (headerParser.feed(lines)) break;
  }
  const header = headerParser.finish();
  const maxProcs = machineSize(options, header);

  function batches(size = DEFAULT_BATCH): AsyncIterable<JobSpec[]> {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be an integer >= 1, got ${size}`);
    return readBatches(size);
  }

  /**
   * One pass over the file: fresh duplicate and submit-order state, adjustments
   * counted again. The parser stops at each batch's last job and resumes after
   * it, so batches are never copied out of a longer array.
   */
  async function* readBatches(size: number): AsyncGenerator<JobSpec[]> {
    const parser = new JobParser(label, options, maxProcs);
    let pending: JobSpec[] = [];
    for await (const lines of lineChunks(path, gzip, label, () => parser.lineNo)) {
      let pos = 0;
      while ((pos = parser.feed(lines, pos, pending, size)) < lines.length || pending.length === size) {
        yield pending;
        pending = [];
      }
    }
    if (pending.length > 0) yield pending;
  }

  async function* jobs(): AsyncGenerator<JobSpec> {
    for await (const batch of batches()) yield* batch;
  }

  return { header, jobs, batches };
}

/** Parses SWF text already in memory (tests, small inputs). */
export function parseSwfText(text: string, options: SwfReadOptions): { header: SwfHeader; jobs: JobSpec[] } {
  checkOptions(options);
  const label = options.label ?? "<text>";
  const buf = Buffer.from(text.endsWith("\n") ? text : text + "\n", "utf8");
  const headerParser = new HeaderParser(label, options);
  headerParser.feed(buf);
  const header = headerParser.finish();
  const parser = new JobParser(label, options, machineSize(options, header));
  const jobs: JobSpec[] = [];
  parser.feed(buf, 0, jobs, Infinity);
  return { header, jobs };
}

function checkOptions(options: SwfReadOptions): void {
  if (options.mode !== "strict" && options.mode !== "lenient") {
    throw new RangeError(`SwfReadOptions.mode must be "strict" or "lenient", got ${JSON.stringify(options.mode)}`);
  }
  if (options.mode === "lenient" && !(options.log instanceof AdjustmentLog)) {
    throw new TypeError("SwfReadOptions.log must be an AdjustmentLog in lenient mode");
  }
  if (options.maxProcs !== undefined && !(Number.isInteger(options.maxProcs) && options.maxProcs > 0)) {
    throw new RangeError(`SwfReadOptions.maxProcs must be an integer > 0, got ${options.maxProcs}`);
  }
}

function machineSize(options: SwfReadOptions, header: SwfHeader): number {
  if (options.maxProcs !== undefined) return options.maxProcs;
  if (header.maxProcs !== undefined && header.maxProcs > 0) return header.maxProcs;
  if (header.maxNodes !== undefined && header.maxNodes > 0) return header.maxNodes;
  return Infinity;
}

function readError(file: string, line: number | undefined, what: string, err: unknown): InputError {
  const detail = describeFsError(err);
  return new InputError([{ code: "io_error", file, line, message: `${what}: ${detail}`, value: detail }]);
}

/**
 * Streams the file as buffers of whole lines, each ending with "\n" (one is
 * added after a last line without it). `lineNo` gives the line reached, for
 * the message if reading fails.
 */
async function* lineChunks(path: string, gzip: boolean, label: string, lineNo: () => number): AsyncGenerator<Buffer> {
  // zlib loaded only for a compressed trace: commands that read none (estimate) start without it.
  const gunzip = gzip ? (await import("node:zlib")).createGunzip({ chunkSize: GZIP_CHUNK }) : undefined;
  const file = createReadStream(path, { highWaterMark: gzip ? GZIP_CHUNK : PLAIN_CHUNK });
  const stream: Readable = gunzip ? pipeline(file, gunzip, () => {}) : file;
  let rest: Buffer | null = null;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // The line cut at the previous chunk's end is joined alone, not the whole chunk copied after it.
      let from = 0;
      if (rest !== null) {
        const first = chunk.indexOf(LF);
        if (first < 0) {
          rest = Buffer.concat([rest, chunk]);
          continue;
        }
        from = first + 1;
        yield Buffer.concat([rest, chunk.subarray(0, from)]);
        rest = null;
      }
      const last = chunk.lastIndexOf(LF);
      if (last < from) {
        if (from < chunk.length) rest = chunk.subarray(from);
        continue;
      }
      if (last + 1 < chunk.length) rest = chunk.subarray(last + 1);
      yield chunk.subarray(from, last + 1);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw readError(label, lineNo() + 1, gzip ? "cannot read or decompress file" : "cannot read file", err);
  } finally {
    file.destroy();
    stream.destroy();
  }
  if (rest !== null && rest.length > 0) yield Buffer.concat([rest, Buffer.from([LF])]);
}

const DIRECTIVE = /^;\s*([A-Za-z][\w-]*):(?:\s+(.*?))?\s*$/;
const CONTINUATION = /^;\s\s+(\S.*?)\s*$/;
const NUMERIC_DIRECTIVES = { MaxProcs: "maxProcs", MaxNodes: "maxNodes", UnixStartTime: "unixStartTime" } as const;

/** Reads "; Key: value" lines up to the first job line. */
class HeaderParser {
  lineNo = 0;
  private done = false;
  private readonly directives = new Map<string, string>();
  private readonly directiveLines = new Map<string, number>();
  /** Key of the directive an indented comment line continues, if any. */
  private last: string | undefined;

  constructor(private readonly label: string, private readonly options: SwfReadOptions) {}

  /** Reads the whole lines in buf; returns true once a job line was reached. */
  feed(buf: Buffer): boolean {
    const end = buf.length;
    let pos = 0;
    while (pos < end && !this.done) {
      let nl = buf.indexOf(LF, pos);
      if (nl < 0 || nl >= end) nl = end;
      this.line(buf, pos, nl);
      pos = nl + 1;
    }
    return this.done;
  }

  private line(buf: Buffer, start: number, end: number): void {
    this.lineNo++;
    let i = start;
    while (i < end && isSpace(buf[i])) i++;
    if (i === end) return;
    if (buf[i] !== SEMI) {
      this.done = true;
      return;
    }
    const text = buf.toString("utf8", i, end);
    const m = DIRECTIVE.exec(text);
    if (m) {
      const key = m[1], value = m[2] ?? "";
      const prev = this.directives.get(key);
      this.directives.set(key, prev === undefined ? value : `${prev}\n${value}`);
      if (prev === undefined) this.directiveLines.set(key, this.lineNo);
      this.last = key;
      return;
    }
    const c = CONTINUATION.exec(text);
    if (c && this.last !== undefined) {
      this.directives.set(this.last, `${this.directives.get(this.last)}\n${c[1]}`);
    } else {
      this.last = undefined;
    }
  }

  finish(): SwfHeader {
    const header: { -readonly [K in keyof SwfHeader]: SwfHeader[K] } = {
      directives: Object.fromEntries(this.directives),
    };
    for (const [key, field] of Object.entries(NUMERIC_DIRECTIVES)) {
      const raw = this.directives.get(key);
      if (raw === undefined) continue;
      const first = raw.split("\n", 1)[0].trim();
      const value = first === "" ? NaN : Number(first);
      if (Number.isFinite(value)) {
        header[field] = value;
        continue;
      }
      const issue: Issue = {
        code: "not_a_number", file: this.label, line: this.directiveLines.get(key), path: key,
        message: `expected a number, got ${JSON.stringify(first)}`, value: first,
      };
      if (this.options.mode === "strict") throw new InputError([issue]);
      this.options.log!.record(issue);
    }
    const tz = this.directives.get("TimeZoneString");
    if (tz !== undefined) header.timeZoneString = tz;
    return header;
  }
}

/** Tracks job numbers seen: a growable bitset for small ones, a Set for the rest. */
class IdSet {
  private bits = new Uint8Array(1 << 12);
  private readonly big = new Set<number>();

  has(id: number): boolean {
    if (id >= BITSET_LIMIT) return this.big.has(id);
    const byte = id >>> 3;
    return byte < this.bits.length && (this.bits[byte] & (1 << (id & 7))) !== 0;
  }

  add(id: number): void {
    if (id >= BITSET_LIMIT) {
      this.big.add(id);
      return;
    }
    const byte = id >>> 3;
    if (byte >= this.bits.length) {
      let n = this.bits.length * 2;
      while (n <= byte) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte] |= 1 << (id & 7);
  }
}

/**
 * The field as V8 keeps it cheapest: a whole number within 32 bits as a small
 * integer, anything else (fractions, -0, large values) as it is. A value read
 * from the Float64Array of fields is a double, and stored as such in a job
 * each such field was a heap number of its own: eight per job, about 130
 * bytes and eight objects for the collector to trace while the job waits.
 */
function small(x: number): number {
  const i = x | 0;
  return i === x && (i !== 0 || 1 / x > 0) ? i : x;
}

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

/** Turns job lines into JobSpecs, checking each field; keeps state across chunks. */
class JobParser {
  lineNo = 0;
  private prevSubmit = -Infinity;
  private readonly ids = new IdSet();
  private readonly f = new Float64Array(NFIELDS);
  private readonly projects = new Map<number, string>();
  private readonly strict: boolean;
  private readonly log: AdjustmentLog | undefined;

  constructor(private readonly label: string, options: SwfReadOptions, private readonly maxProcs: number) {
    this.strict = options.mode === "strict";
    this.log = options.log;
  }

  /**
   * Parses the whole lines of buf from `pos` (a line's start) and appends the
   * accepted jobs to out, stopping after the line that brings out to `limit`
   * jobs; returns where it stopped (buf.length at the end). buf ends with
   * "\n" (lineChunks and parseSwfText make sure), so a line's end is found by
   * the scan itself, byte by byte, and every read stays within buf.
   */
  feed(buf: Buffer, pos: number, out: JobSpec[], limit: number): number {
    const f = this.f, end = buf.length;
    if (end > 0 && buf[end - 1] !== LF) throw new Error("JobParser.feed: the buffer must end with a line feed");
    let i = pos;
    while (i < end && out.length < limit) {
      this.lineNo++;
      let c = buf[i];
      while (c === SPACE || c === TAB || c === CR) c = buf[++i];
      if (c === LF) {
        i++;
        continue;
      }
      if (c === SEMI) {
        i = buf.indexOf(LF, i) + 1;
        continue;
      }

      // Tokenise: fields separated by spaces or tabs (a CR counts as one), each a decimal number.
      let n = 0, bad = -1, badStart = 0, badEnd = 0;
      for (;;) {
        while (c === SPACE || c === TAB || c === CR) c = buf[++i];
        if (c === LF) break;
        const ts = i;
        let neg = false;
        if (c === MINUS) { neg = true; c = buf[++i]; } else if (c === PLUS) c = buf[++i];
        // Most fields are short whole numbers (-1, ids, seconds): up to 9 digits summed as a small integer and stored.
        let d = c - 48;
        if (d >= 0 && d <= 9) {
          let m = d, k = 1;
          c = buf[++i];
          while ((d = c - 48) >= 0 && d <= 9 && k < 9) { m = m * 10 + d; k++; c = buf[++i]; }
          if (c === SPACE || c === LF || c === TAB || c === CR) {
            if (n < NFIELDS) f[n] = neg ? -m : m;
            n++;
            continue;
          }
          // Anything else (a fraction, an exponent, more digits, a bad character): read again the general way.
          i = ts;
          c = buf[i];
          if (c === MINUS || c === PLUS) c = buf[++i];
        }
        let mant = 0, digits = 0, scale = 0, slow = false, ok = true;
        while (c >= 48 && c <= 57) { mant = mant * 10 + (c - 48); digits++; c = buf[++i]; }
        if (c === DOT) {
          c = buf[++i];
          while (c >= 48 && c <= 57) { mant = mant * 10 + (c - 48); digits++; scale++; c = buf[++i]; }
        }
        if (digits === 0) ok = false;
        if (ok && (c | 32) === 101 /* e or E */) {
          slow = true;
          c = buf[++i];
          if (c === MINUS || c === PLUS) c = buf[++i];
          const s = i;
          while (c >= 48 && c <= 57) c = buf[++i];
          if (i === s) ok = false;
        }
        if (c !== SPACE && c !== TAB && c !== CR && c !== LF) {
          ok = false;
          do c = buf[++i]; while (c !== SPACE && c !== TAB && c !== CR && c !== LF);
        }
        let v = NaN;
        if (ok) {
          if (slow || digits > 15) v = Number(buf.toString("latin1", ts, i));
          else v = neg ? -(mant / POW10[scale]) : mant / POW10[scale];
          if (!Number.isFinite(v)) ok = false;
        }
        if (!ok && bad < 0) { bad = n; badStart = ts; badEnd = i; }
        if (n < NFIELDS) f[n] = v;
        n++;
      }
      i++; // past the line feed
      if (n !== NFIELDS) {
        this.skip({ code: "wrong_field_count", file: this.label, line: this.lineNo, message: `expected ${NFIELDS} fields, got ${n}`, value: n });
        continue;
      }
      if (bad >= 0) {
        const raw = buf.toString("utf8", badStart, badEnd);
        this.skip(this.issue("not_a_number", bad, `expected a number, got ${JSON.stringify(raw)}`, raw));
        continue;
      }
      const job = this.check(f);
      if (job !== undefined) out.push(job);
    }
    return i;
  }

  /** Checks one parsed record in field order; returns the job, or undefined when skipped. */
  private check(f: Float64Array): JobSpec | undefined {
    const id = f[0];
    if (!(Number.isInteger(id) && id >= 0)) return this.skip(this.issue("invalid_value", 0, `expected an integer >= 0, got ${id}`, id));
    if (this.ids.has(id)) return this.skip(this.issue("duplicate_id", 0, `expected a job number not used before, got ${id}`, id));
    let submit = f[1];
    if (!(submit >= 0)) return this.skip(this.issue("invalid_value", 1, `expected seconds >= 0, got ${submit}`, submit));
    if (submit > MAX_SUBMIT_S) return this.skip(this.issue("implausible_value", 1, `expected seconds <= ${MAX_SUBMIT_S} (100 years after the trace's start; see core/limits.ts), got ${submit}`, submit));
    let outOfOrder: Issue | undefined;
    if (submit < this.prevSubmit) {
      outOfOrder = this.issue("submit_out_of_order", 1, `expected seconds >= ${this.prevSubmit} (previous job's submit time), got ${submit}`, submit);
      if (this.strict) throw new InputError([outOfOrder]);
    }
    const runtime = f[3];
    if (!(runtime > 0)) {
      const code: IssueCode = runtime === -1 ? "unknown_runtime" : runtime === 0 ? "zero_runtime" : "negative_runtime";
      return this.skip(this.issue(code, 3, `expected seconds > 0, got ${runtime}`, runtime));
    }
    if (runtime > MAX_JOB_SECONDS) return this.skip(this.issue("implausible_value", 3, `expected seconds <= ${MAX_JOB_SECONDS} (10 years; see core/limits.ts), got ${runtime}`, runtime));
    const procField = f[7] === -1 ? 4 : 7;
    const cores = f[procField];
    if (!(Number.isInteger(cores) && cores > 0)) {
      const expected = procField === 4 ? "an integer > 0 (field 8 is -1)" : "an integer > 0";
      return this.skip(this.issue("invalid_processors", procField, `expected ${expected}, got ${cores}`, cores));
    }
    if (cores > this.maxProcs) return this.skip(this.issue("too_many_processors", procField, `expected processors <= ${this.maxProcs} (machine size), got ${cores}`, cores));
    let walltime = f[8];
    let badWalltime: Issue | undefined;
    if (walltime > MAX_JOB_SECONDS) return this.skip(this.issue("implausible_value", 8, `expected seconds <= ${MAX_JOB_SECONDS} (10 years; see core/limits.ts) or -1 (unknown), got ${walltime}`, walltime));
    if (walltime === -1) {
      walltime = runtime;
    } else if (!(walltime > 0)) {
      badWalltime = this.issue("invalid_walltime", 8, `expected seconds > 0 or -1 (unknown), got ${walltime}`, walltime);
      if (this.strict) throw new InputError([badWalltime]);
      walltime = runtime;
    }

    // Accepted: apply and count repairs.
    this.ids.add(id);
    if (outOfOrder !== undefined) {
      this.log!.record(outOfOrder);
      submit = this.prevSubmit;
    }
    if (badWalltime !== undefined) this.log!.record(badWalltime);
    this.prevSubmit = submit;
    const group = f[12];
    let project = this.projects.get(group);
    if (project === undefined) {
      project = group >= 0 ? `g${group}` : "unknown";
      this.projects.set(group, project);
    }
    // One literal, the same keys in the same order for every record: one hidden class for all (see JobSpec.cpuUsage).
    return {
      id: small(id), submit: small(submit), runtime: small(runtime), walltime: small(walltime), cores: small(cores),
      user: small(f[11]), group: small(group), project, queue: small(f[14]), partition: small(f[15]), avgCpuTime: small(f[5]),
      // Field 6 / field 4; undefined when field 6 is unknown (-1). Not capped here: see JobSpec.cpuUsage.
      cpuUsage: f[5] >= 0 ? f[5] / runtime : undefined,
      line: this.lineNo,
    };
  }

  private issue(code: IssueCode, field: number, message: string, value: unknown): Issue {
    return { code, file: this.label, line: this.lineNo, path: `field ${field + 1} (${SWF_FIELDS[field]})`, message, value };
  }

  /** Strict: throws the issue; lenient: counts it and drops the record. */
  private skip(issue: Issue): undefined {
    if (this.strict) throw new InputError([issue]);
    this.log!.record(issue);
    return undefined;
  }
}
