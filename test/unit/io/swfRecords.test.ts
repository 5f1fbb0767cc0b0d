/**
 * The SWF reader's records against a plain reference parse written here
 * (split on whitespace, Number() on each token, the checks as the SWF page
 * and JobSpec's comments state them), on random lines; every record has the
 * same keys in the same order; batches are the records in order whatever the
 * batch size and wherever the file's chunks end.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { AdjustmentLog } from "../../../src/core/index.js";
import { openSwf, parseSwfText } from "../../../src/io/swf.js";

/** JobSpec's keys as the reader gives them, in this order for every record (written out, not read from the code). */
const KEYS = ["id", "submit", "runtime", "walltime", "cores", "user", "group", "project", "queue", "partition", "avgCpuTime", "cpuUsage", "line"];

/** A token as the SWF reader accepts it: optional sign, digits with an optional fraction (one side may be empty, not both), optional exponent. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface RefJob {
  id: number; submit: number; runtime: number; walltime: number; cores: number; user: number; group: number;
  project: string; queue: number; partition: number; avgCpuTime: number; cpuUsage: number | undefined; line: number;
}

/**
 * The reference: lenient reading of `text` with a machine of `maxProcs`
 * processors, for the lines this test writes (submit times never decrease,
 * times far below the plausibility limits): the accepted jobs and each
 * adjustment code's count.
 */
function reference(text: string, maxProcs: number): { jobs: RefJob[]; counts: Record<string, number> } {
  const jobs: RefJob[] = [];
  const counts: Record<string, number> = {};
  const count = (code: string) => void (counts[code] = (counts[code] ?? 0) + 1);
  const seen = new Set<number>();
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/^[ \t\r]+|[ \t\r]+$/g, "");
    if (line === "" || line.startsWith(";")) return;
    const tokens = line.split(/[ \t\r]+/);
    if (tokens.length !== 18) return count("wrong_field_count");
    if (!tokens.every((t) => NUMBER.test(t) && Number.isFinite(Number(t)))) return count("not_a_number");
    const f = tokens.map(Number);
    const [id, submit, , runtime] = f;
    if (!(Number.isInteger(id) && id >= 0)) return count("invalid_value");
    if (seen.has(id)) return count("duplicate_id");
    if (!(submit >= 0)) return count("invalid_value");
    if (runtime === -1) return count("unknown_runtime");
    if (runtime === 0) return count("zero_runtime");
    if (runtime < 0) return count("negative_runtime");
    const cores = f[7] === -1 ? f[4] : f[7];
    if (!(Number.isInteger(cores) && cores > 0)) return count("invalid_processors");
    if (cores > maxProcs) return count("too_many_processors");
    let walltime = f[8];
    if (walltime === -1) walltime = runtime;
    else if (!(walltime > 0)) {
      count("invalid_walltime");
      walltime = runtime;
    }
    seen.add(id);
    jobs.push({
      id, submit, runtime, walltime, cores, user: f[11], group: f[12], project: f[12] >= 0 ? `g${f[12]}` : "unknown",
      queue: f[14], partition: f[15], avgCpuTime: f[5], cpuUsage: f[5] >= 0 ? f[5] / runtime : undefined, line: index + 1,
    });
  });
  return { jobs, counts };
}

/** Another way to write a number the reader must read the same. */
function spellings(x: number): fc.Arbitrary<string> {
  const plain = String(x);
  const options = [fc.constant(plain)];
  if (Number.isInteger(x) && Math.abs(x) < 1e9) {
    options.push(fc.constant(`${x}.0`), fc.constant(`${x}.`), fc.constant(x >= 0 ? `+${x}` : plain), fc.constant(`${x}e0`), fc.constant(`${x * 10}E-1`));
  }
  return fc.oneof(...options);
}

const field = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -1, max: 50 }) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 2_000_000 }) },
  { weight: 1, arbitrary: fc.double({ min: -2, max: 1e5, noNaN: true, noDefaultInfinity: true }).map((x) => Math.round(x * 1000) / 1000) },
);
/** A bad token: not a number as SWF writes them. */
const junk = fc.constantFrom("x", "-", "+", ".", "1e", "1.2.3", "0x10", "Infinity", "NaN", "1e999", "--1", "1-", "5a", "é");
const space = fc.constantFrom(" ", "  ", "\t", " \t ");

/** A job line: 18 fields, the checked ones mostly valid, each written one of its ways, sometimes a bad token, a field too many or too few. */
const jobLine = fc
  .record({
    fields: fc.array(field, { minLength: 18, maxLength: 18 }),
    valid: fc.boolean(),
    bad: fc.option(fc.tuple(fc.nat(17), junk), { freq: 8 }),
    count: fc.constantFrom(18, 18, 18, 18, 18, 18, 18, 18, 17, 19),
  })
  .chain(({ fields, valid, bad, count }) => {
    const f = fields.slice();
    if (valid) {
      f[1] = Math.abs(Math.trunc(f[1])); // submit (made non-decreasing below)
      f[3] = Math.max(1, Math.abs(f[3])); // runtime
      f[7] = Math.max(1, Math.abs(Math.trunc(f[7]))); // processors
    }
    while (f.length < count) f.push(-1);
    f.length = count;
    return fc.tuple(fc.tuple(...f.map(spellings)), fc.array(space, { minLength: count + 1, maxLength: count + 1 }), fc.constant(bad), fc.constantFrom("", "\r"));
  })
  .map(([tokens, gaps, bad, end]) => {
    const t = tokens.slice();
    if (bad !== null) t[bad[0] % t.length] = bad[1];
    return { tokens: t, gaps, end };
  });

const line = fc.oneof(
  { weight: 12, arbitrary: jobLine.map((l) => ({ kind: "job" as const, ...l })) },
  { weight: 1, arbitrary: fc.constantFrom("", "   ", "\t\r", "; a comment", "  ;indented comment", ";").map((text) => ({ kind: "other" as const, text })) },
);

/** Lines as text: job lines numbered in order (some reuse an earlier number), submit times made non-decreasing. */
function render(lines: fc.Arbitrary<Array<typeof line extends fc.Arbitrary<infer T> ? T : never>>): fc.Arbitrary<string> {
  return lines.map((ls) => {
    let id = 0, submit = 0;
    const out = ["; MaxProcs: 1000000"];
    for (const l of ls) {
      if (l.kind === "other") {
        out.push(l.text);
        continue;
      }
      const t = l.tokens.slice();
      id += 1;
      // A job number unchanged keeps its spelling; otherwise the next one (every 9th repeats the previous: duplicate_id).
      if (NUMBER.test(t[0]) && Number(t[0]) >= 0 && id % 9 !== 0) t[0] = String(id);
      else if (id % 9 === 0) t[0] = String(id - 1);
      if (t.length > 1 && NUMBER.test(t[1]) && Number(t[1]) >= 0) {
        submit += Math.trunc(Number(t[1])) % 100;
        t[1] = String(submit);
      }
      out.push(l.gaps[0] + t.map((x, i) => x + l.gaps[i + 1]).join("").trimEnd() + l.end);
    }
    return out.join("\n") + "\n";
  });
}

describe("SWF records against a reference parse", () => {
  test("random lines: the same jobs, field by field, and the same adjustment counts", () => {
    fc.assert(
      fc.property(render(fc.array(line, { maxLength: 40 })), (text) => {
        const log = new AdjustmentLog();
        const { jobs } = parseSwfText(text, { mode: "lenient", log, label: "t.swf" });
        const ref = reference(text, 1_000_000);
        expect(jobs.map((j) => ({ ...j }))).toStrictEqual(ref.jobs);
        expect(log.toJSON()).toStrictEqual(ref.counts);
      }),
      { numRuns: 300 },
    );
  });

  test("every record has the same keys in the same order, with or without field 6", () => {
    const row = (id: number, cpu: string) => `${id} 0 0 100 4 ${cpu} -1 4 200 -1 1 1 1 -1 1 1 -1 -1`;
    const { jobs } = parseSwfText([row(1, "-1"), row(2, "25"), row(3, "12.5"), row(4, "-1")].join("\n"), { mode: "strict" });
    expect(jobs.map((j) => Object.keys(j))).toStrictEqual([KEYS, KEYS, KEYS, KEYS]);
    expect(jobs.map((j) => j.cpuUsage)).toStrictEqual([undefined, 0.25, 0.125, undefined]);
  });
});

describe("SWF batches from a file", () => {
  // Lines of varied length in a file of about 900 KB: chunks of 256 KB (plain or decompressed) end inside lines; one comment line of 600 KB spans several chunks.
  const dir = mkdtempSync(join(tmpdir(), "swf-records-"));
  const rows: string[] = ["; MaxProcs: 64"];
  for (let i = 1; i <= 12_000; i++) {
    if (i === 6_000) rows.push(`; ${"x".repeat(600_000)}`);
    rows.push(`${i} ${i * 7}${" ".repeat(i % 13)} 0 ${1 + (i % 500)} ${1 + (i % 64)} ${i % 3 === 0 ? -1 : (i % 500) / 4} -1 -1 ${i % 11 === 0 ? -1 : 600} -1 1 ${i % 40} ${i % 17} -1 1 1 -1 -1`);
  }
  const text = rows.join("\n"); // no line feed after the last line
  const plain = join(dir, "t.swf");
  const gz = join(dir, "t.swf.gz");
  writeFileSync(plain, text);
  writeFileSync(gz, gzipSync(text));
  const expected = reference(text, 64).jobs;

  test.each([[plain, 4096], [gz, 4096], [plain, 1], [gz, 5_000], [plain, 12_000], [gz, 100_000]])("%s in batches of %i: the reference's records in order, every batch full but the last", async (path, size) => {
    const reader = await openSwf(path, { mode: "strict" });
    const batches: object[][] = [];
    for await (const b of reader.batches(size)) batches.push(b.map((j) => ({ ...j })));
    expect(batches.slice(0, -1).every((b) => b.length === size)).toBe(true);
    expect(batches.at(-1)!.length).toBe(expected.length - size * (batches.length - 1));
    expect(batches.flat()).toStrictEqual(expected);
  });

  test("the batches are distinct arrays, none changed by reading on", async () => {
    const reader = await openSwf(plain, { mode: "strict" });
    const batches: { ids: number[]; batch: { id: number }[] }[] = [];
    for await (const b of reader.batches(3_000)) batches.push({ ids: b.map((j) => j.id), batch: b });
    expect(new Set(batches.map((b) => b.batch)).size).toBe(batches.length);
    for (const b of batches) expect(b.batch.map((j) => j.id)).toStrictEqual(b.ids);
  });
});
