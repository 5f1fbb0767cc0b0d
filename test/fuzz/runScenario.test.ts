/**
 * Fuzz of runScenario() end to end on tiny inputs: a generated SWF trace
 * (sometimes mutated as text) run bare or on a small platform file of static
 * grid factors, under several policies, in strict and lenient mode. Each run
 * must end in results or an InputError or SimulationError (exit codes 3 and
 * 4); its outputs must hold no NaN or infinity; and every job line of the
 * trace must come out once: run, skipped by the reader, or dropped.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { swfSkipCodes } from "../../src/io/swf.js";
import { runScenario, type RunOutput } from "../../src/run/runScenario.js";
import { writeTraceSlice } from "../helpers/traceSlice.js";
import { FUZZ_TIMEOUT_MS, jsonMutations, mutateJson, mutateText, nonFinite, nonFiniteCells, returnsOrImpactsimError, runs, textMutations } from "./fuzz.js";

/**
 * KNOWN_GAPS: inputs left out so that `npm test` passes on main today, each
 * with what goes wrong beyond it and its issue-10 item. Re-enable each once
 * fixed; `npm run fuzz` then finds the counterexample again if it is not.
 */
export const KNOWN_GAPS = {
  /**
   * Forecast overrides outside a sane range: {bias: NaN} or {sigma: 1e308}
   * throw RangeError ("TimeSeries: value ... is not finite": exit 1 from the
   * CLI); {bias: -1} and {sigma: -1} run without a word. Kept to bias in
   * [-0.5, 1] and sigma in [0, 1] meanwhile. (Item 6: bounds on every input.)
   */
  forecastOverride: false,
  /** A seed of NaN runs the whole simulation, then fails writing summary.json (exit 4) instead of being refused first. Seeds kept integer meanwhile. (Item 6.) */
  seedOverride: false,
} as const;

const dir = mkdtempSync(join(tmpdir(), "impactsim-fuzz-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let caseNo = 0;

const shipped = JSON.parse(readFileSync("platforms/two-site-eu.json", "utf8"));

/** Job lines of an SWF text as its reader splits them: neither blank (spaces, tabs, CR) nor ";" comments. */
function jobLines(text: string): number {
  return text.split("\n").filter((l) => {
    const t = l.replace(/^[ \t\r]+/, "");
    return t.replace(/[ \t\r]+$/, "") !== "" && !t.startsWith(";");
  }).length;
}

const sum = (xs: Iterable<number>) => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
};

/** Records read = jobs run + records the reader skipped + jobs that never ran. */
function accountedRecords(summary: RunOutput["summary"]): number {
  const skipped = sum(Object.entries(summary.adjustments.workload).filter(([code]) => swfSkipCodes.has(code as never)).map(([, n]) => n));
  return summary.jobs + skipped + sum(Object.values(summary.dropped));
}

/** Mostly `usual`, sometimes `odd`: enough valid jobs that most runs get through to check outputs. */
const mostly = <T,>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 8 }, { arbitrary: odd, weight: 1 });

const swfJob = fc.record({
  id: fc.integer({ min: 1, max: 40 }),
  // Odd values include implausible ones (core/limits.ts): a submit time past 100 years, a run time past 10.
  submit: mostly(fc.integer({ min: 0, max: 20_000 }), fc.oneof(fc.integer({ min: 0, max: 1e7 }), fc.constantFrom(3.2e9, 1e12, 1e20, 1e300))),
  runtime: mostly(fc.integer({ min: 1, max: 7200 }), fc.oneof(fc.integer({ min: -1, max: 0 }), fc.integer({ min: 1, max: 1e6 }), fc.constantFrom(3.2e8, 1e12, 1e20))),
  procs: mostly(fc.integer({ min: 1, max: 16 }), fc.oneof(fc.integer({ min: -1, max: 80 }), fc.constantFrom(2 ** 22 + 1, 1e12))),
  requestedProcs: mostly(fc.constantFrom(-1), fc.integer({ min: -1, max: 80 })),
  requestedTime: mostly(fc.integer({ min: 1, max: 14_400 }), fc.oneof(fc.integer({ min: -1, max: 0 }), fc.integer({ min: 1, max: 1e6 }), fc.constantFrom(3.2e8, 1e20))),
  user: fc.integer({ min: -1, max: 4 }),
  group: fc.integer({ min: -1, max: 3 }),
  partition: fc.constantFrom(-1, 1, 2),
});

/** An SWF trace: header (MaxProcs or not), jobs in submit order or not, sometimes mutated as text. */
const swfTrace = fc
  .record({
    maxProcs: mostly(fc.integer({ min: 16, max: 64 }), fc.option(fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(2 ** 22 + 1, 1e12, 1e15)))),
    jobs: fc.array(swfJob, { maxLength: 25 }),
    sorted: mostly(fc.constant(true), fc.constant(false)),
    mutations: mostly(fc.constant(null), textMutations),
  })
  .map(({ maxProcs, jobs, sorted, mutations }) => {
    const list = sorted ? [...jobs].sort((a, b) => a.submit - b.submit) : jobs;
    const lines = ["; Version: 2.2", "; Computer: fuzz", ...(maxProcs === null ? [] : [`; MaxProcs: ${maxProcs}`]), ";"];
    list.forEach((j, i) => {
      const id = sorted ? i + 1 : j.id;
      lines.push([id, j.submit, -1, j.runtime, j.procs, -1, -1, j.requestedProcs, j.requestedTime, -1, 1, j.user, j.group, -1, 1, j.partition, -1, -1].join(" "));
    });
    const text = lines.join("\n") + "\n";
    return mutations === null ? text : mutateText(text, mutations);
  });

const ZONES = ["FRA", "DEU", "EEE", "SWE", "POL", "WOR"];
/** The French grid series of 2020 (the shipped platform's), by absolute path: it covers the first ~116 days of a run from 2020-01-01 on. */
const frenchSeries = { ...shipped.sites[0].grid.series, file: resolve("platforms", shipped.sites[0].grid.series.file) };

/** A small platform file: one or two sites on static zone factors or a grid series, the shipped node types. */
const platformFile = fc
  .array(
    fc.record({
      pue: mostly(fc.double({ min: 1, max: 3, noNaN: true }), fc.constantFrom(0.5, 5.01, 1e3, 1e308)),
      zone: fc.constantFrom(...ZONES),
      series: mostly(fc.constant(false), fc.constant(true)),
      groups: fc.array(fc.record({ type: fc.constantFrom("dell-r640", "dell-r620"), count: mostly(fc.integer({ min: 1, max: 8 }), fc.constantFrom(2 ** 22 + 1, 1e9)) }), { minLength: 1, maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 2 },
  )
  .map((sites) => ({
    name: "fuzz",
    description: "a generated platform",
    node_types: shipped.node_types,
    lca_references: shipped.lca_references,
    sites: sites.map((s, i) => ({ id: `s${i}`, name: `site ${i}`, pue: s.pue, pue_source: "fuzz", grid: s.series ? { zone: "FRA", series: frenchSeries } : { zone: s.zone }, nodes: s.groups })),
  }));

const forecast = KNOWN_GAPS.forecastOverride
  ? fc.record({ bias: fc.double({ min: -0.5, max: 1, noNaN: true }), sigma: fc.double({ min: 0, max: 1, noNaN: true }) })
  : fc.record({ bias: fc.oneof(fc.double(), fc.constantFrom(-1, Number.NaN)), sigma: fc.oneof(fc.double(), fc.constantFrom(-1, 1e308)) });
const seed = KNOWN_GAPS.seedOverride ? fc.integer({ min: 0, max: 2 ** 31 - 1 }) : fc.oneof(fc.integer(), fc.double());

const POLICIES = ["easy", "fcfs", "consolidate", "temporal", "weighted", "heft", "powercap", "campaign"] as const;

/** The checks of a run that ended in results: finite figures, and every job line of its trace accounted for. */
function checkRun(r: RunOutput, out: string, traceText: string | undefined): void {
  // summary.json is written from r.summary (JSON would turn NaN into null): the object is what to check.
  expect(nonFinite(r.summary), "summary").toEqual([]);
  for (const f of ["jobs.csv", "sites.csv"]) expect(nonFiniteCells(readFileSync(join(out, f), "utf8")), f).toEqual([]);
  if (traceText !== undefined) expect(accountedRecords(r.summary), "records in = run + skipped + dropped").toBe(jobLines(traceText));
}

describe("fuzz: runScenario() end to end on tiny inputs", () => {
  it("ends in results or an InputError/SimulationError; outputs hold no NaN or infinity; every job line is run, skipped or dropped", async () => {
    await fc.assert(
      fc.asyncProperty(
        swfTrace,
        fc.option(platformFile, { freq: 2 }),
        mostly(fc.constant("lenient" as const), fc.constant("strict" as const)),
        fc.constantFrom(...POLICIES),
        fc.option(forecast),
        fc.option(seed),
        async (swf, platform, mode, policy, forecastError, seedValue) => {
          const here = join(dir, String(caseNo++));
          const workload = join(dir, `${caseNo}.swf`);
          writeFileSync(workload, swf);
          let platformPath: string | undefined;
          if (platform) writeFileSync((platformPath = join(dir, `${caseNo}.json`)), JSON.stringify(platform));
          const r = await returnsOrImpactsimError(() => runScenario({ overrides: { workload, platform: platformPath, out: here, mode, policy, ...(forecastError ? { forecast: forecastError } : {}), ...(seedValue === null ? {} : { seed: seedValue }) } }));
          if (r instanceof Error) return;
          checkRun(r, here, swf);
          rmSync(here, { recursive: true, force: true });
        },
      ),
      runs(40, 1 / 40),
    );
  }, FUZZ_TIMEOUT_MS);

  it("on mutated scenario files (QoS classes, policy, seed, forecast, series rule) over a 40-job trace and the shipped platform, ends the same way", async () => {
    const trace = writeTraceSlice(dir, 40);
    const traceText = readFileSync(trace, "utf8");
    const base = JSON.parse(readFileSync("scenarios/qos-eu.json", "utf8"));
    base.platform = resolve("platforms/two-site-eu.json");
    base.workload.file = trace;
    await fc.assert(
      fc.asyncProperty(jsonMutations, async (mutations) => {
        const scenario = mutateJson(base, mutations) as { workload?: { file?: unknown } } | null;
        const path = join(dir, `scenario-${caseNo++}.json`);
        writeFileSync(path, JSON.stringify(scenario));
        const out = join(dir, `out-${caseNo}`);
        const r = await returnsOrImpactsimError(() => runScenario({ scenario: path, overrides: { out } }));
        if (r instanceof Error) return;
        checkRun(r, out, scenario?.workload?.file === trace ? traceText : undefined);
        rmSync(out, { recursive: true, force: true });
      }),
      runs(15, 1 / 100),
    );
  }, FUZZ_TIMEOUT_MS);
});
