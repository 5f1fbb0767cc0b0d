/**
 * Pre-submission estimates wired to the bundled scenarios: times, calibration
 * sources, partitions, memory, --begin, loaded platforms, workflows, and the
 * errors named by option. Figures come from the planner (tested on its own);
 * here, that the request reaches it and the report says what was used.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/core/errors.js";
import { mergeSlurm, parseSbatchScript, parseSlurmArgs } from "../../../src/io/slurm.js";
import { estimateJobRequest, estimateWorkflowFile, resolveAt, resolveBegin } from "../../../src/run/estimate.js";

const AT = "2020-03-02T09:00:00+01:00";
/** Seconds from the default scenario's start (2020-01-01T00:00+01:00) to AT: 61 days and 9 h. */
const AT_S = 61 * 86400 + 9 * 3600;
const HISTORY = "traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz";

function issuesOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error("expected an InputError");
}

async function issuesOfAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error("expected an InputError");
}

describe("resolveAt and resolveBegin", () => {
  const t0 = Date.parse("2020-01-01T00:00:00+01:00") / 1000;
  it("reads ISO 8601 with an offset, and seconds", () => {
    expect(resolveAt(AT, t0)).toBe(AT_S);
    expect(resolveAt("2020-03-02T08:00:00Z", t0)).toBe(AT_S);
    expect(resolveAt("3600", t0)).toBe(3600);
    expect(resolveAt(undefined, t0)).toBe(0);
  });
  it("refuses a time without an offset or before the scenario's start, naming --at", () => {
    expect(issuesOf(() => resolveAt("2020-03-02T09:00:00", t0))).toMatch(/^command line: --at: expected an ISO 8601 time with an offset/);
    expect(issuesOf(() => resolveAt("2019-12-31T00:00:00Z", t0))).toMatch(/expected a time at or after the scenario's start \(2019-12-31T23:00:00.000Z\)/);
  });
  it("reads --begin as now+count[units] or a UTC date, relative to the submission", () => {
    expect(resolveBegin("now+2hours", 100, t0)).toBe(7200);
    expect(resolveBegin("now+90", 100, t0)).toBe(90);
    expect(resolveBegin("now", 100, t0)).toBe(0);
    // 2020-01-01T01:00Z is 7200 s after the scenario's start; from 3600 s that is 3600 s later.
    expect(resolveBegin("2020-01-01T01:00", 3600, t0)).toBe(3600);
    expect(issuesOf(() => resolveBegin("tomorrow", 0, t0))).toMatch(/^command line: --begin: expected now\[\+count/);
    // Given elsewhere (a script line), the error names that place.
    expect(issuesOf(() => resolveBegin("tomorrow", 0, t0, { file: "job.sh", line: 3, path: "--begin" }))).toMatch(/^job\.sh:3: --begin: expected now/);
  });
});

describe("estimateJobRequest", () => {
  it("a 32-task job on the idle default platform: every site, 25 hourly starts, calibrated from its walltime", async () => {
    const r = await estimateJobRequest({ request: parseSlurmArgs(["--ntasks=32", "--time=4:00:00"]), at: AT });
    expect(r.context).toMatchObject({ scenario: "default", platform: "two-site-eu", at_s: AT_S, at_iso: "2020-03-02T08:00:00.000Z", mode: "idle", running: 0, queued: 0 });
    expect(r.calibration.source).toBe("walltime");
    expect(r.calibration.runtime).toEqual({ low: 14400, mid: 14400, high: 14400 });
    // Both pools can hold 32 cores (1 R640 of 56 cores; 2 R620 of 16): 2 x 25 candidates.
    expect(r.estimates).toHaveLength(50);
    expect(new Set(r.estimates.map((e) => e.site))).toEqual(new Set(["fr", "de"]));
    for (const e of r.estimates) {
      expect(e.start).toBeGreaterThanOrEqual(AT_S);
      expect(e.start).toBeLessThanOrEqual(AT_S + 86400);
      expect(e.runtime_s).toBe(14400);
    }
    expect(r.estimates.find((e) => e.site === "de")!.nodes).toBe(2);
    // The best is suggested with its site as partition and the request's own options.
    const best = r.estimates[0];
    expect(r.suggestion!.options.slice(0, 1)).toEqual([`--partition=${best.site}`]);
    expect(r.suggestion!.options).toContain("--ntasks=32");
    expect(r.suggestion!.options).toContain("--time=04:00:00");
  });

  it("--runtime with a range is the user's calibration, and the range reaches the estimates", async () => {
    const r = await estimateJobRequest({ request: parseSlurmArgs(["-n", "8", "-t", "6:00:00"]), at: AT, runtime_s: 7200, runtimeRange_s: [3600, 10800], window_s: 0 });
    expect(r.calibration.source).toBe("user");
    for (const e of r.estimates) {
      expect(e.runtime_s).toBe(7200);
      expect(e.range.runtime_s).toEqual([3600, 10800]);
      expect(e.range.energy_facility_j[0]).toBeCloseTo(e.energy_facility_j / 2, 6);
    }
  });

  it("--history calibrates from similar jobs of the trace and the waits from its run/requested ratios", async () => {
    const r = await estimateJobRequest({ request: parseSlurmArgs(["-n", "32", "-t", "4:00:00"]), at: AT, history: HISTORY, user: 5, window_s: 0 });
    expect(r.calibration.source).toBe("history");
    expect(r.calibration.n).toBeGreaterThanOrEqual(5);
    expect(r.calibration.detail).toMatch(/^history: \d+ jobs/);
    expect(r.calibration.others).toMatch(/run\/requested time from .*: p10 .*, median .* of \d+ jobs/);
    expect(r.calibration.runtime.high).toBeLessThanOrEqual(14400);
  });

  it("--profile takes the measured runs of the device asked for", async () => {
    const r = await estimateJobRequest({ request: parseSlurmArgs(["-n", "16"]), at: AT, profile: "test/fixtures/profile/valid.json", window_s: 0 });
    expect(r.calibration.source).toBe("profile");
    // CPU runs 3540, 3600, 3720 s: the median is 3600.
    expect(r.calibration.runtime.mid).toBe(3600);
  });

  it("--partition keeps one site; --mem beyond a node type's memory leaves its pools out", async () => {
    const de = await estimateJobRequest({ request: parseSlurmArgs(["-n", "8", "-t", "1:00:00", "-p", "de"]), at: AT, window_s: 0 });
    expect(new Set(de.estimates.map((e) => e.site))).toEqual(new Set(["de"]));
    // R620 nodes have 24 GB, R640 192 GB.
    const big = await estimateJobRequest({ request: parseSlurmArgs(["-n", "8", "-t", "1:00:00", "--mem=64G"]), at: AT, window_s: 0 });
    expect(new Set(big.estimates.map((e) => e.site))).toEqual(new Set(["fr"]));
    const none = await issuesOfAsync(estimateJobRequest({ request: parseSlurmArgs(["-n", "8", "-t", "1:00:00", "--mem=64G", "-p", "de"]), at: AT, window_s: 0 }));
    expect(none).toMatch(/expected a pool that can hold 8 cores in partition de with the memory asked, got none/);
    const unknown = await issuesOfAsync(estimateJobRequest({ request: parseSlurmArgs(["-n", "8", "-t", "1:00:00", "-p", "gpu"]), at: AT }));
    expect(unknown).toMatch(/^command line: --partition: expected a site \(fr, de\) or node type \(dell-r640, dell-r620\), got "gpu"/);
  });

  it("--nodes spreads the cores over that many nodes; with --exclusive it holds them whole, and is charged their whole draw", async () => {
    const one = await estimateJobRequest({ request: parseSlurmArgs(["-n", "16", "-t", "1:00:00", "-p", "de"]), at: AT, window_s: 0 });
    const four = await estimateJobRequest({ request: parseSlurmArgs(["-N", "4", "-n", "16", "-t", "1:00:00", "-p", "de"]), at: AT, window_s: 0 });
    const whole = await estimateJobRequest({ request: parseSlurmArgs(["-N", "4", "-n", "16", "--exclusive", "-t", "1:00:00", "-p", "de"]), at: AT, window_s: 0 });
    expect([one.estimates[0].nodes, one.estimates[0].cores]).toEqual([1, 16]);
    // Shared: 4 cores on each of 4 R620s (16 cores each), charged its cores' share.
    expect([four.estimates[0].nodes, four.estimates[0].cores]).toEqual([4, 16]);
    // Whole nodes: all 64 cores held, the 48 it does not use idling at its expense.
    expect([whole.estimates[0].nodes, whole.estimates[0].cores]).toEqual([4, 64]);
    expect(whole.estimates[0].power_peak_w).toBeGreaterThan(four.estimates[0].power_peak_w);
    expect(whole.estimates[0].power_peak_w).toBeGreaterThan(one.estimates[0].power_peak_w);
  });

  it("--begin moves every candidate start after it", async () => {
    const r = await estimateJobRequest({ request: parseSlurmArgs(["-n", "8", "-t", "1:00:00", "--begin=now+3hours"]), at: AT, window_s: 7200 });
    expect(Math.min(...r.estimates.map((e) => e.start))).toBe(AT_S + 3 * 3600);
    expect(Math.max(...r.estimates.map((e) => e.start))).toBe(AT_S + 5 * 3600);
  });

  it("loaded: with the scenario's workload replayed up to the submission, a 200-core job that starts at once on the idle platform must wait", async () => {
    const args = { request: parseSlurmArgs(["-n", "200", "-t", "2:00:00"]), at: "2020-01-10T09:00:00+01:00", window_s: 0 };
    const idle = await estimateJobRequest(args);
    const loaded = await estimateJobRequest({ ...args, loaded: true });
    expect(idle.estimates.map((e) => e.wait_s)).toEqual([0, 0]);
    expect(loaded.context.mode).toBe("loaded");
    expect(loaded.context.running).toBeGreaterThan(0);
    // The replay's jobs share nodes and go to the first pool with room, fr's four R640s (224 cores): 200 more
    // cores there wait for running jobs (up to their walltimes); de's R620s stay free.
    const fr = loaded.estimates.find((e) => e.site === "fr")!;
    const de = loaded.estimates.find((e) => e.site === "de")!;
    expect(fr.wait_s).toBeGreaterThan(0);
    expect(fr.range.wait_s[0]).toBe(0);
    expect(fr.range.wait_s[1]).toBe(fr.wait_s);
    expect(de.wait_s).toBe(0);
    // The replay's own adjustments are reported, not lost.
    expect(loaded.context.notes.some((n) => /^replay: \d+ record\(s\) of the scenario's inputs skipped or repaired/.test(n))).toBe(true);
  });

  it("a submission whose run would outlast the grid series is refused, naming --at, each series and its span (the rule runs follow)", async () => {
    expect(await issuesOfAsync(estimateJobRequest({ request: parseSlurmArgs(["-n", "8", "-t", "4:00:00"]), at: "2021-01-09T21:00:00Z", window_s: 0 }))).toMatch(
      /^command line: --at: expected a submission the grid series cover: a run of up to 04:00:00 from 2021-01-09T21:00:00Z needs them to 2021-01-10T01:00:00Z, but traces\/grid\/fr_ci_2020\.csv \(site fr\) covers 2019-12-20T00:00:00Z to 2021-01-09T23:00:00Z; traces\/grid\/de_ci_2020\.csv \(site de\) covers 2019-12-20T00:00:00Z to 2021-01-09T23:15:00Z; give a series that covers the run, or extend it explicitly with --series-extend/,
    );
  });

  it("--qos names a class of the scenario: its preference ranks, its allowed delay spans the starts", async () => {
    const green = await estimateJobRequest({ scenario: "scenarios/qos-eu.json", request: parseSlurmArgs(["-n", "8", "-t", "1:00:00", "--qos=green"]), at: AT });
    expect(green.context.preference).toBe(1);
    // 24 h allowed, hourly: 25 starts on each of the 2 pools.
    expect(green.estimates).toHaveLength(50);
    expect(green.context.notes).toContain("QoS class green: preference 1, starts over its allowed delay (1-00:00:00)");
    const urgent = await estimateJobRequest({ scenario: "scenarios/qos-eu.json", request: parseSlurmArgs(["-n", "8", "-t", "1:00:00", "-q", "urgent"]), at: AT });
    expect(urgent.context.preference).toBe(0);
    expect(urgent.estimates).toHaveLength(2);
    expect(await issuesOfAsync(estimateJobRequest({ scenario: "scenarios/qos-eu.json", request: parseSlurmArgs(["-n", "8", "-t", "1:00:00", "-q", "gold"]), at: AT }))).toMatch(
      /--qos: expected a QoS class of scenario qos-eu \(urgent, balanced, green\), got "gold"/,
    );
  });

  it("a time outside the series that came from a cluster snapshot names the snapshot file and its field, not --at", async () => {
    const late = await issuesOfAsync(estimateJobRequest({ request: parseSlurmArgs(["-n", "8", "-t", "1:00:00"]), at: "2021-06-01T09:00:00+01:00", atSource: { file: "state.json", path: "time" }, window_s: 0 }));
    expect(late).toMatch(/^state\.json: time: expected a submission the grid series cover/);
    const early = await issuesOfAsync(estimateJobRequest({ request: parseSlurmArgs(["-n", "8", "-t", "1:00:00"]), at: "2019-06-01T09:00:00+01:00", atSource: { file: "state.json", path: "time" } }));
    expect(early).toMatch(/^state\.json: time: expected a time at or after the scenario's start/);
  });

  it("a script's -N 1000 that no pool holds is named at its line, not as the command line", async () => {
    // 20 nodes on the default platform (4 + 16): 1000 nodes fit nowhere.
    const script = parseSbatchScript("#!/bin/bash\n#SBATCH -N 1000\n#SBATCH -t 1:00:00\nsrun x\n", "big.sh");
    expect(await issuesOfAsync(estimateJobRequest({ request: script, at: AT, window_s: 0 }))).toMatch(/^big\.sh:2: --nodes: expected a pool that can hold 1000 cores on 1000 nodes, got none/);
    // With the tasks from the command line, both places are listed.
    const mixed = mergeSlurm(script, parseSlurmArgs(["-n", "64"]));
    expect(await issuesOfAsync(estimateJobRequest({ request: mixed, at: AT, window_s: 0 }))).toMatch(/^big\.sh:2: --nodes: .*; asked by --nodes \(big\.sh:2\), --ntasks \(command line\)$/);
  });

  it("an empty script with no run time names the script, and says it has no #SBATCH line", async () => {
    const empty = mergeSlurm(parseSbatchScript("", "empty.sh"), parseSlurmArgs([]));
    expect(await issuesOfAsync(estimateJobRequest({ request: empty, at: AT }))).toMatch(/^empty\.sh: --time: expected #SBATCH --time \(the walltime\) in the script, .*\(it has no #SBATCH line before its first command\)/);
    const noTime = parseSbatchScript("#SBATCH -n 4\n#SBATCH -J a\n", "j.sh");
    expect(await issuesOfAsync(estimateJobRequest({ request: noTime, at: AT }))).toMatch(/^j\.sh: --time: .*\(none of its 2 #SBATCH line\(s\) sets --time\)/);
  });

  it("a script's unknown --qos or --partition is named at its line", async () => {
    const q = parseSbatchScript("#SBATCH -n 8 -t 60\n#SBATCH --qos=gold\n", "q.sh");
    expect(await issuesOfAsync(estimateJobRequest({ scenario: "scenarios/qos-eu.json", request: q, at: AT }))).toMatch(/^q\.sh:2: --qos: expected a QoS class of scenario qos-eu/);
    const p = parseSbatchScript("#SBATCH -n 8 -t 60 -p gpu\n", "p.sh");
    expect(await issuesOfAsync(estimateJobRequest({ request: p, at: AT }))).toMatch(/^p\.sh:1: --partition: expected a site/);
  });

  it("without --time, --runtime, --profile or --history it says what is missing", async () => {
    expect(await issuesOfAsync(estimateJobRequest({ request: parseSlurmArgs(["-n", "8"]), at: AT }))).toMatch(/--time: expected --time \(the walltime\), --runtime, --profile or --history/);
  });
});

describe("estimateWorkflowFile", () => {
  it("a WfFormat chain on the three-site platform: every placement runs all 5 tasks", async () => {
    const r = await estimateWorkflowFile({ scenario: "scenarios/workflow-continuum.json", workflow: "traces/workflows/helloworld-chain-5-chameleon.json", site: "fr", at: 3600 });
    expect(r.workflow).toMatchObject({ tasks: 5, site: "fr" });
    expect(r.estimates.length).toBeGreaterThanOrEqual(3);
    for (const e of r.estimates) {
      expect(Object.values(e.tasks_per_site).reduce((a, b) => a + b, 0)).toBe(5);
      expect(e.makespan_s).toBeGreaterThan(0);
      expect(e.power_peak_w).toBeGreaterThanOrEqual(e.power_mean_w);
    }
    expect(r.estimates.map((e) => e.placement)).toContain("site fr");
  });

  it("a workflow the scenario lists takes its accelerator rules and home site", async () => {
    const r = await estimateWorkflowFile({ scenario: "scenarios/workflow-continuum.json", workflow: "traces/workflows/montage-chameleon-2mass-005d-001.json", at: 86400 });
    expect(r.workflow.site).toBe("fr");
    expect(r.context.notes.join("\n")).toMatch(/on accelerators as the scenario's rules say \(mProject\* on gpu x5/);
  });

  it("names an unknown site", async () => {
    expect(await issuesOfAsync(estimateWorkflowFile({ workflow: "traces/workflows/helloworld-chain-5-chameleon.json", site: "mars" }))).toMatch(/--site: expected a site of the platform \(fr, de\), got "mars"/);
  });
});
