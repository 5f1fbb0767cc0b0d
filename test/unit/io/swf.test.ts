import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { AdjustmentLog, InputError, formatIssue, type IssueCode } from "../../../src/core/index.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { openSwf, parseSwfText, swfSkipCodes, type SwfReader } from "../../../src/io/swf.js";

const FIXTURES = "test/fixtures/swf";
const GOOD = `${FIXTURES}/good.swf`;
const LENIENT = `${FIXTURES}/lenient.swf`;
const HPC2N = "traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz";
const KTH = "traces/KTH-SP2-1996-2.1-cln.swf.gz";

const FIELDS = [
  "job_number", "submit_time", "wait_time", "run_time", "allocated_processors",
  "average_cpu_time", "used_memory", "requested_processors", "requested_time",
  "requested_memory", "status", "user_id", "group_id", "executable", "queue",
  "partition", "preceding_job", "think_time",
] as const;
type Field = (typeof FIELDS)[number];

/** One SWF job line: a valid 4-processor, 100-second job unless fields are overridden. */
function swfLine(fields: Partial<Record<Field, number | string>> = {}): string {
  const defaults: Record<Field, number> = {
    job_number: 1, submit_time: 0, wait_time: 0, run_time: 100, allocated_processors: 4,
    average_cpu_time: 90, used_memory: -1, requested_processors: 4, requested_time: 200,
    requested_memory: -1, status: 1, user_id: 1, group_id: 1, executable: -1, queue: 1,
    partition: 1, preceding_job: -1, think_time: -1,
  };
  return FIELDS.map((f) => String(fields[f] ?? defaults[f])).join(" ");
}

async function collect(reader: SwfReader): Promise<JobSpec[]> {
  const jobs: JobSpec[] = [];
  for await (const job of reader.jobs()) jobs.push(job);
  return jobs;
}

/** Data records of an SWF file, counted without the reader: non-blank lines not starting with ";". */
function countRecords(path: string): number {
  const raw = readFileSync(path);
  const text = (path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  return text.split("\n").filter((l) => l.trim() !== "" && !l.trimStart().startsWith(";")).length;
}

function skipped(log: AdjustmentLog): number {
  let n = 0;
  for (const [code, count] of log.counts) if (swfSkipCodes.has(code)) n += count;
  return n;
}

/** The InputError thrown by a strict parse of `text`. */
function strictError(text: string): InputError {
  try {
    parseSwfText(text, { mode: "strict", label: "t.swf" });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected parseSwfText to throw");
}

describe("openSwf", () => {
  test("openSwf(path, {mode}) defaults label to the path, maxProcs to the header's MaxProcs and batches to 4096 jobs", async () => {
    const header = "; MaxProcs: 4\n; MaxNodes: 2\n";
    const many = Array.from({ length: 5000 }, (_, i) => swfLine({ job_number: i + 1, allocated_processors: 1, requested_processors: 1 }));
    const dir = mkdtempSync(join(tmpdir(), "impactsim-swf-"));
    const path = join(dir, "many.swf");
    writeFileSync(path, header + [...many, swfLine({ job_number: 9999, requested_processors: 5 })].join("\n"));

    const log = new AdjustmentLog();
    const reader = await openSwf(path, { mode: "lenient", log });
    const sizes: number[] = [];
    for await (const batch of reader.batches()) sizes.push(batch.length);
    expect(sizes).toEqual([4096, 5000 - 4096]);
    // the 5001st job asks for 5 processors on a 4-processor machine (MaxProcs wins over MaxNodes)
    expect(log.examples.map(formatIssue)).toEqual([
      `${path}:${2 + 5001}: field 8 (requested_processors): expected processors <= 4 (machine size), got 5`,
    ]);
  });

  test("openSwf(path, {mode}) falls back to MaxNodes, then to no machine limit", () => {
    const big = swfLine({ requested_processors: 1_000_000 });
    expect(() => parseSwfText(`; MaxNodes: 8\n${big}`, { mode: "strict" })).toThrow("expected processors <= 8 (machine size), got 1000000");
    expect(parseSwfText(big, { mode: "strict" }).jobs.map((j) => j.cores)).toEqual([1_000_000]);
    expect(parseSwfText(`; MaxProcs: 8\n${swfLine({ requested_processors: 9 })}`, { mode: "strict", maxProcs: 9 }).jobs).toHaveLength(1);
  });

  test("openSwf(path, {mode}) parses every header directive", async () => {
    const reader = await openSwf(GOOD, { mode: "strict" });
    expect(reader.header).toEqual({
      maxProcs: 16,
      maxNodes: 8,
      unixStartTime: 1000000000,
      timeZoneString: "Europe/Stockholm",
      directives: {
        Version: "2.2",
        Computer: "Hand-written test cluster",
        Acknowledge: "impactsim tests",
        Information: "https://example.org/cluster\nhttps://example.org/more",
        UnixStartTime: "1000000000",
        TimeZoneString: "Europe/Stockholm",
        MaxNodes: "8",
        MaxProcs: "16",
        Note: "first note\ncontinued on an indented line\nsecond note",
      },
    });
  });

  test("openSwf(path, {mode}).jobs() reads every field, with the field 8 -> 5 and field 9 -> 4 fallbacks", async () => {
    const jobs = await collect(await openSwf(GOOD, { mode: "strict" }));
    expect(jobs).toEqual([
      // cpuUsage = field 6 / field 4: 90.5 / 100
      { id: 1, submit: 0, runtime: 100, walltime: 200, cores: 8, user: 3, group: 7, project: "g7", queue: 1, partition: 2, avgCpuTime: 90.5, cpuUsage: 0.905, line: 17 },
      // field 8 is -1: cores = field 5 (6); field 9 is -1: walltime = run time (50)
      { id: 2, submit: 10, runtime: 50, walltime: 50, cores: 6, user: 3, group: 7, project: "g7", queue: 1, partition: 2, avgCpuTime: 40, cpuUsage: 0.8, line: 19 },
      // runs 300 s, asked for 60 s: kept as is (the simulator kills it at walltime); field 6 unknown: no cpuUsage
      { id: 3, submit: 10, runtime: 300, walltime: 60, cores: 1, user: 4, group: -1, project: "unknown", queue: -1, partition: -1, avgCpuTime: -1, line: 21 },
      { id: 4, submit: 20, runtime: 1.5, walltime: 30, cores: 16, user: 4, group: 2, project: "g2", queue: 1, partition: 1, avgCpuTime: 1.25, cpuUsage: 1.25 / 1.5, line: 23 },
    ]);
  });

  test("openSwf(path.gz, {mode}) gives the same header and jobs as the plain file", async () => {
    const plain = await openSwf(GOOD, { mode: "strict" });
    const gz = await openSwf(`${GOOD}.gz`, { mode: "strict" });
    expect(gz.header).toEqual(plain.header);
    expect(await collect(gz)).toEqual(await collect(plain));
    expect(parseSwfText(readFileSync(GOOD, "utf8"), { mode: "strict" }).jobs).toEqual(await collect(plain));
    // detected by magic bytes, not by name
    const renamed = join(mkdtempSync(join(tmpdir(), "impactsim-swf-")), "good.swf");
    writeFileSync(renamed, readFileSync(`${GOOD}.gz`));
    expect(await collect(await openSwf(renamed, { mode: "strict" }))).toEqual(await collect(plain));
  });

  test("openSwf(path, {mode}).batches(size) yields the same jobs as jobs(), in arrays of up to size", async () => {
    const reader = await openSwf(GOOD, { mode: "strict" });
    const batches: JobSpec[][] = [];
    for await (const b of reader.batches(3)) batches.push(b);
    expect(batches.map((b) => b.length)).toEqual([3, 1]);
    expect(batches.flat()).toEqual(await collect(reader));
    expect(() => reader.batches(0)).toThrow("batch size must be an integer >= 1, got 0");
  });

  test("openSwf(path, {mode: 'lenient', log}) skips or repairs each bad record and counts it by code", async () => {
    const log = new AdjustmentLog();
    const jobs = await collect(await openSwf(LENIENT, { mode: "lenient", log }));
    expect(jobs.map((j) => [j.id, j.submit, j.walltime])).toEqual([
      [1, 0, 200],
      [13, 30, 100], // requested time 0: walltime = run time
      [12, 30, 200], // submitted at 25 after a job at 30: clamped to 30
      [14, 40, 200],
    ]);
    expect(log.toJSON()).toEqual({
      duplicate_id: 1,
      invalid_processors: 2,
      invalid_value: 1,
      invalid_walltime: 1,
      negative_runtime: 1,
      not_a_number: 1,
      submit_out_of_order: 1,
      too_many_processors: 1,
      unknown_runtime: 1,
      wrong_field_count: 2,
      zero_runtime: 2,
    });
    expect(jobs.length + skipped(log)).toBe(countRecords(LENIENT));
    expect(log.examples.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "test/fixtures/swf/lenient.swf:5: expected 18 fields, got 19",
        "test/fixtures/swf/lenient.swf:6: expected 18 fields, got 17",
        "test/fixtures/swf/lenient.swf:7: field 6 (average_cpu_time): expected a number, got "abc"",
        "test/fixtures/swf/lenient.swf:8: field 1 (job_number): expected a job number not used before, got 1",
        "test/fixtures/swf/lenient.swf:9: field 4 (run_time): expected seconds > 0, got -1",
        "test/fixtures/swf/lenient.swf:10: field 4 (run_time): expected seconds > 0, got 0",
        "test/fixtures/swf/lenient.swf:11: field 4 (run_time): expected seconds > 0, got 0",
        "test/fixtures/swf/lenient.swf:12: field 4 (run_time): expected seconds > 0, got -5",
        "test/fixtures/swf/lenient.swf:13: field 8 (requested_processors): expected an integer > 0, got 0",
        "test/fixtures/swf/lenient.swf:14: field 5 (allocated_processors): expected an integer > 0 (field 8 is -1), got -1",
        "test/fixtures/swf/lenient.swf:15: field 8 (requested_processors): expected processors <= 16 (machine size), got 32",
        "test/fixtures/swf/lenient.swf:16: field 9 (requested_time): expected seconds > 0 or -1 (unknown), got 0",
        "test/fixtures/swf/lenient.swf:17: field 2 (submit_time): expected seconds >= 30 (previous job's submit time), got 25",
        "test/fixtures/swf/lenient.swf:18: field 1 (job_number): expected an integer >= 0, got 1.5",
      ]
    `);
  });

  test("openSwf(path, {mode: 'strict'}).jobs() throws an InputError at the first bad line", async () => {
    const reader = await openSwf(LENIENT, { mode: "strict" });
    await expect(collect(reader)).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: test/fixtures/swf/lenient.swf:5: expected 18 fields, got 19]`);
  });

  test("openSwf(missing, {mode}) throws an InputError naming the file", async () => {
    await expect(openSwf(`${FIXTURES}/missing.swf`, { mode: "strict" })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: test/fixtures/swf/missing.swf: cannot read file: no such file]`);
  });

  test("openSwf(truncated.gz, {mode}).jobs() throws an InputError rather than ending early", async () => {
    const dir = mkdtempSync(join(tmpdir(), "impactsim-swf-"));
    const path = join(dir, "truncated.swf.gz");
    const gz = readFileSync(KTH);
    writeFileSync(path, gz.subarray(0, gz.length >> 1));
    const reader = await openSwf(path, { mode: "lenient", log: new AdjustmentLog(), label: "truncated.swf.gz" });
    const err = await collect(reader).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues[0].code).toBe("io_error");
    expect((err as InputError).message).toMatch(/^truncated\.swf\.gz:\d+: cannot read or decompress file: unexpected end of file$/);
  });

  test("openSwf(path, {mode}).jobs() reads lines longer than a read chunk", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "impactsim-swf-")), "long.swf");
    const long = `; ${"x".repeat(700_000)}`;
    writeFileSync(path, [swfLine({ job_number: 1 }), long, swfLine({ job_number: 2 }), long].join("\n"));
    expect((await collect(await openSwf(path, { mode: "strict" }))).map((j) => [j.id, j.line])).toEqual([[1, 1], [2, 3]]);
  });

  test("openSwf(HPC2N trace, {mode: 'lenient'}) accounts for all 3170 records, MaxProcs 240", async () => {
    const log = new AdjustmentLog();
    const reader = await openSwf(HPC2N, { mode: "lenient", log });
    const jobs = await collect(reader);
    const records = countRecords(HPC2N);
    expect(records).toBe(3170);
    expect(reader.header.maxProcs).toBe(240);
    expect(reader.header.directives.Acknowledge).toBe("Ake Sandgren");
    expect(log.toJSON()).toEqual({ unknown_runtime: 25 });
    expect(jobs.length + skipped(log)).toBe(records);
    expect(jobs.length).toBe(3170 - 25);
  });

  test("openSwf(KTH trace, {mode: 'lenient'}) accounts for all 28476 records, streamed in chunks like the in-memory parse", async () => {
    const log = new AdjustmentLog();
    const reader = await openSwf(KTH, { mode: "lenient", log });
    let jobs = 0;
    const ids: number[] = [];
    for await (const batch of reader.batches(1000)) {
      jobs += batch.length;
      for (const j of batch) ids.push(j.id);
    }
    expect(jobs + skipped(log)).toBe(28476);
    expect(countRecords(KTH)).toBe(28476);
    expect(log.toJSON()).toEqual({ invalid_processors: 1, zero_runtime: 8 });

    const inMemory = parseSwfText(gunzipSync(readFileSync(KTH)).toString("utf8"), { mode: "lenient", log: new AdjustmentLog() });
    expect(inMemory.header).toEqual(reader.header);
    expect(ids).toEqual(inMemory.jobs.map((j) => j.id));
  });
});

describe("parseSwfText", () => {
  test("parseSwfText(text, {mode}) ignores blank lines and comments after the header, accepts CRLF and no final newline", () => {
    const text = ["; MaxProcs: 8", "", swfLine({ job_number: 1 }), "; a comment", "   ", swfLine({ job_number: 2 })].join("\r\n");
    const { header, jobs } = parseSwfText(text, { mode: "strict" });
    expect(header.directives).toEqual({ MaxProcs: "8" });
    expect(jobs.map((j) => [j.id, j.line])).toEqual([[1, 3], [2, 6]]);
  });

  test("parseSwfText(text, {mode}) reads decimal, signed and exponent numbers", () => {
    const { jobs } = parseSwfText(swfLine({ run_time: "1.5e2", submit_time: "+7", average_cpu_time: "-0.25", requested_time: "86400.000000000001" }), { mode: "strict" });
    // More than 15 digits: read by Number(), not the fast path.
    expect(jobs[0]).toMatchObject({ runtime: 150, submit: 7, avgCpuTime: -0.25, walltime: 86400.000000000001 });
  });

  test("parseSwfText(text, {mode: 'strict'}) throws the first issue of each kind with file, line and field", () => {
    const line2 = (fields: Partial<Record<Field, number | string>>) => `; MaxProcs: 16\n${swfLine(fields)}`;
    const cases: [IssueCode, string][] = [
      ["unknown_runtime", line2({ run_time: -1 })],
      ["zero_runtime", line2({ run_time: 0 })],
      ["negative_runtime", line2({ run_time: -5 })],
      ["invalid_processors", line2({ requested_processors: 0 })],
      ["invalid_processors", line2({ requested_processors: -1, allocated_processors: -1 })],
      ["invalid_processors", line2({ requested_processors: 2.5 })],
      ["too_many_processors", line2({ requested_processors: 17 })],
      ["wrong_field_count", `; MaxProcs: 16\n${swfLine()} 5`],
      ["not_a_number", line2({ wait_time: "12s" })],
      ["not_a_number", line2({ used_memory: "NaN" })],
      ["duplicate_id", `${swfLine({ job_number: 7 })}\n${swfLine({ job_number: 7 })}`],
      ["submit_out_of_order", `${swfLine({ job_number: 1, submit_time: 100 })}\n${swfLine({ job_number: 2, submit_time: 99 })}`],
      ["invalid_walltime", line2({ requested_time: 0 })],
      ["invalid_value", line2({ job_number: -3 })],
      ["invalid_value", line2({ submit_time: -1 })],
      ["not_a_number", "; MaxProcs: many\n"],
    ];
    const errors = cases.map(([, text]) => strictError(text));
    expect(errors.map((e) => e.issues.map((i) => i.code))).toEqual(cases.map(([code]) => [code]));
    expect(errors.map((e) => e.message)).toMatchInlineSnapshot(`
      [
        "t.swf:2: field 4 (run_time): expected seconds > 0, got -1",
        "t.swf:2: field 4 (run_time): expected seconds > 0, got 0",
        "t.swf:2: field 4 (run_time): expected seconds > 0, got -5",
        "t.swf:2: field 8 (requested_processors): expected an integer > 0, got 0",
        "t.swf:2: field 5 (allocated_processors): expected an integer > 0 (field 8 is -1), got -1",
        "t.swf:2: field 8 (requested_processors): expected an integer > 0, got 2.5",
        "t.swf:2: field 8 (requested_processors): expected processors <= 16 (machine size), got 17",
        "t.swf:2: expected 18 fields, got 19",
        "t.swf:2: field 3 (wait_time): expected a number, got "12s"",
        "t.swf:2: field 7 (used_memory): expected a number, got "NaN"",
        "t.swf:2: field 1 (job_number): expected a job number not used before, got 7",
        "t.swf:2: field 2 (submit_time): expected seconds >= 100 (previous job's submit time), got 99",
        "t.swf:2: field 9 (requested_time): expected seconds > 0 or -1 (unknown), got 0",
        "t.swf:2: field 1 (job_number): expected an integer >= 0, got -3",
        "t.swf:2: field 2 (submit_time): expected seconds >= 0, got -1",
        "t.swf:1: MaxProcs: expected a number, got "many"",
      ]
    `);
  });

  test("parseSwfText(text, {mode: 'strict'}) keeps a job that runs longer than it requested", () => {
    const { jobs } = parseSwfText(swfLine({ run_time: 500, requested_time: 60 }), { mode: "strict" });
    expect(jobs[0]).toMatchObject({ runtime: 500, walltime: 60 });
  });

  test("parseSwfText(text, {mode: 'lenient', log}) clamps a decreasing submit time to the previous one", () => {
    const log = new AdjustmentLog();
    const text = [100, 50, 120, 110].map((s, i) => swfLine({ job_number: i + 1, submit_time: s })).join("\n");
    const { jobs } = parseSwfText(text, { mode: "lenient", log, label: "t.swf" });
    expect(jobs.map((j) => j.submit)).toEqual([100, 100, 120, 120]);
    expect(log.toJSON()).toEqual({ submit_out_of_order: 2 });
    expect(log.examples.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "t.swf:2: field 2 (submit_time): expected seconds >= 100 (previous job's submit time), got 50",
        "t.swf:4: field 2 (submit_time): expected seconds >= 120 (previous job's submit time), got 110",
      ]
    `);
  });

  test("parseSwfText(text, {mode: 'lenient', log}) does not let a skipped record reserve its job number or submit time", () => {
    const log = new AdjustmentLog();
    const text = [swfLine({ job_number: 1, submit_time: 500, run_time: -1 }), swfLine({ job_number: 1, submit_time: 10 })].join("\n");
    const { jobs } = parseSwfText(text, { mode: "lenient", log });
    expect(jobs.map((j) => [j.id, j.submit])).toEqual([[1, 10]]);
    expect(log.toJSON()).toEqual({ unknown_runtime: 1 });
  });

  test("parseSwfText(text, options) refuses bad options with a TypeError or RangeError", () => {
    expect(() => parseSwfText("", { mode: "lenient" })).toThrow(TypeError);
    expect(() => parseSwfText("", { mode: "loose" as "strict" })).toThrow(RangeError);
    expect(() => parseSwfText("", { mode: "strict", maxProcs: 0 })).toThrow("SwfReadOptions.maxProcs must be an integer > 0, got 0");
  });
});

describe("the numbers a job keeps", () => {
  // Whole fields are kept as small integers where they fit (swf.ts small()); the values must be the
  // text's own, compared with Object.is so -0 stays -0, and fractions and values beyond 32 bits as read.
  test("each field equals Number() of its token: whole, negative zero, fractional, beyond 32 bits", () => {
    const cases: Partial<Record<Field, string>>[] = [
      { job_number: "7", submit_time: "12", run_time: "100", average_cpu_time: "90", user_id: "3", group_id: "4", queue: "2", partition: "5" },
      { job_number: "8", submit_time: "-0", run_time: "1.5", average_cpu_time: "-0", user_id: "-0", group_id: "-1", queue: "0.25", partition: "-7" },
      { job_number: "4294967296", submit_time: "3000000000", run_time: "315576000", average_cpu_time: "1e3", user_id: "2147483647", group_id: "-2147483648", queue: "-2147483649", partition: "1E0" },
    ];
    const jobs = cases.flatMap((c) => parseSwfText(swfLine({ ...c, requested_time: -1 }), { mode: "strict" }).jobs);
    expect(jobs).toHaveLength(cases.length);
    jobs.forEach((job, k) => {
      const c = cases[k];
      const read: [string, number][] = [
        ["id", job.id], ["submit", job.submit], ["runtime", job.runtime], ["walltime", job.walltime], ["avgCpuTime", job.avgCpuTime],
        ["user", job.user], ["group", job.group], ["queue", job.queue], ["partition", job.partition],
      ];
      const want = [c.job_number, c.submit_time, c.run_time, c.run_time, c.average_cpu_time, c.user_id, c.group_id, c.queue, c.partition].map(Number);
      read.forEach(([name, v], i) => expect(Object.is(v, want[i]), `job ${k + 1} ${name}: ${v} against ${want[i]}`).toBe(true));
    });
  });
});
