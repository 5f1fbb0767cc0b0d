/**
 * The reproductions at the command line (issue 10, "How it will be
 * checked"): each ends with exit 2 or 3 (4 for a failed simulation), a message
 * naming the file or the option, no stack trace, and well within two minutes.
 * Inputs are small stand-ins for the (a two-job trace instead of KTH
 * x8, whose submit times also outrun the 2020 grid series).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli, stackLines, type Cli } from "../helpers/cli.js";

let cli: Cli;
let dir: string;
beforeAll(async () => {
  cli = await bundleCli();
  dir = mkdtempSync(join(tmpdir(), "impactsim-cli-repro-"));
});
afterAll(() => cli?.dispose());

const PLATFORM = resolve("platforms/two-site-eu.json");
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const swfLine = (id: number, submit: number, run = 60, procs = 1) => `${id} ${submit} 0 ${run} ${procs} -1 -1 ${procs} ${run} -1 1 1 1 -1 1 -1 -1 -1`;

function expectRefused(args: string[], code: number, names: string | RegExp): string {
  const t = performance.now();
  const r = cli.run(args, { timeoutMs: 120_000 });
  expect(performance.now() - t).toBeLessThan(120_000);
  expect(stackLines(r.stderr)).toEqual([]);
  expect(r.status, r.stderr).toBe(code);
  if (typeof names === "string") expect(r.stderr).toContain(names);
  else expect(r.stderr).toMatch(names);
  return r.stderr;
}

describe("impactsim refuses, naming the source, without a stack trace", () => {
  it("run with a trace the grid series do not cover: exit 3 naming both series files", () => {
    const trace = write("late.swf", `; MaxProcs: 64\n${swfLine(1, 0)}\n${swfLine(2, 400 * 86400)}\n`);
    const err = expectRefused(["run", "--workload", trace, "--platform", PLATFORM, "--out", join(dir, "late"), "--quiet"], 3, "traces/grid/fr_ci_2020.csv: site fr: expected a grid series covering");
    expect(err).toContain("traces/grid/de_ci_2020.csv");
    expect(err).toContain("--series-extend");
  });

  it("compare with that trace as the scenario's: exit 3 as well", () => {
    const trace = write("late2.swf", `; MaxProcs: 64\n${swfLine(1, 0)}\n${swfLine(2, 400 * 86400)}\n`);
    const scenario = JSON.parse(readFileSync("scenarios/default.json", "utf8"));
    scenario.platform = PLATFORM;
    scenario.workload.file = trace;
    const path = write("late-scenario.json", JSON.stringify(scenario));
    expectRefused(["compare", path, "--policies", "easy,fcfs"], 3, "fr_ci_2020.csv");
  });

  it("a series file that is missing, or a directory: exit 3 naming it", () => {
    const platform = JSON.parse(readFileSync(PLATFORM, "utf8"));
    platform.sites[0].grid.series.file = join(dir, "no-such.csv");
    platform.sites[1].grid.series.file = resolve("platforms", platform.sites[1].grid.series.file);
    expectRefused(["run", "--platform", write("p-missing.json", JSON.stringify(platform)), "--out", join(dir, "m"), "--quiet"], 3, /no-such\.csv: cannot read the file: no such file/);
    mkdirSync(join(dir, "series-dir.csv"));
    platform.sites[0].grid.series.file = join(dir, "series-dir.csv");
    expectRefused(["run", "--platform", write("p-dir.json", JSON.stringify(platform)), "--out", join(dir, "d"), "--quiet"], 3, "it is a directory");
  });

  it("--procs 1e12 and MaxProcs 1e15: exit 3 naming the option or header, with what it would take", () => {
    const trace = write("one.swf", `; MaxProcs: 64\n${swfLine(1, 0)}\n`);
    expectRefused(["run", "--workload", trace, "--procs", "1e12", "--out", join(dir, "p"), "--quiet"], 3, "--procs: expected a whole number of processors from 1 to 4,194,304");
    const huge = write("huge.swf", `; MaxProcs: 1000000000000000\n${swfLine(1, 0)}\n`);
    expectRefused(["run", "--workload", huge, "--out", join(dir, "h"), "--quiet"], 3, `${huge}: MaxProcs:`);
  });

  it("a platform node count of 1e9 given to estimate: exit 3 naming the field, at once", () => {
    const platform = JSON.parse(readFileSync(PLATFORM, "utf8"));
    platform.sites[0].nodes[0].count = 1e9;
    const path = write("p-count.json", JSON.stringify(platform));
    expectRefused(["estimate", "--platform", path, "-n", "8", "-t", "1:00:00"], 3, "sites[0].nodes[0].count");
  });

  it("a sweep of 1e9 replicas: exit 3 before expanding it", () => {
    const sweep = write("big-sweep.json", JSON.stringify({ name: "big", base: resolve("scenarios/default.json"), parameters: { seed: { replicas: 1e9 } }, output: { dir: join(dir, "big-sweep") } }));
    expectRefused(["sweep", sweep], 3, "got 1,000,000,000 (seed: 1000000000)");
  });

  it("a sweep whose variants all fail on their inputs: exit 3 with the first reasons", () => {
    const trace = write("late3.swf", `; MaxProcs: 64\n${swfLine(1, 0)}\n${swfLine(2, 400 * 86400)}\n`);
    const sweep = write("late-sweep.json", JSON.stringify({ name: "late", base: resolve("scenarios/default.json"), parameters: { workload: [trace], platform: [PLATFORM] }, output: { dir: join(dir, "late-sweep") } }));
    expectRefused(["sweep", sweep, "--workers", "1"], 3, "variant 0 failed: ");
  });

  it("--out naming a file, or a path under /proc: exit 3 naming --out", () => {
    const file = write("taken.txt", "x");
    expectRefused(["run", "--out", file, "--quiet"], 3, "--out: ");
    expectRefused(["run", "--out", "/proc/impactsim/out", "--quiet"], 3, "--out: /proc/impactsim");
  });

  it("usage errors run nothing: an unknown option, an option another command has, missing required options", () => {
    const out = join(dir, "usage-run");
    expectRefused(["run", "--zz-x", "--out", out, "--quiet"], 2, "Unknown arguments: zz-x");
    expect(existsSync(out)).toBe(false);
    const compare = cli.run(["compare", "--quiet"]);
    expect(compare.status).toBe(2);
    expect(compare.stdout).toBe("");
    expectRefused(["pareto"], 2, "Missing required arguments: policy, param, values");
  });

  it("forecast options and seeds out of bounds: exit 3 naming the option", () => {
    expectRefused(["run", "--forecast-sigma", "1e308", "--quiet", "--out", join(dir, "fs")], 3, "--forecast-sigma: expected a relative noise from 0 to 10");
    expectRefused(["run", "--forecast-bias", "-1", "--quiet", "--out", join(dir, "fb")], 3, "--forecast-bias: expected a relative bias > -1");
    expectRefused(["estimate", "-n", "4", "-t", "1:00:00", "--forecast-bias", "1e308"], 3, "--forecast-bias");
    expectRefused(["run", "--seed", "abc", "--quiet", "--out", join(dir, "seed")], 3, "--seed: expected a whole number");
  });

  it("report on a folder of other files: exit 3", () => {
    const foreign = join(dir, "foreign");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "summary.json"), JSON.stringify({ jobs: "x", energy_j: {} }));
    expectRefused(["report", foreign], 3, "expected a run id");
    const empty = join(dir, "empty");
    mkdirSync(empty);
    expectRefused(["report", empty], 3, "expected a run folder with summary.json");
  });

  it("pue 1e308: exit 3 naming sites[0].pue", () => {
    const platform = JSON.parse(readFileSync(PLATFORM, "utf8"));
    platform.sites[0].pue = 1e308;
    expectRefused(["run", "--platform", write("p-pue.json", JSON.stringify(platform)), "--out", join(dir, "pue"), "--quiet"], 3, "sites[0].pue: expected a number <= 5");
  });

  it("a trace whose only record is submitted at 1e20 s: lenient mode skips it and the run, left with no job, is refused", () => {
    const trace = write("far.swf", `; MaxProcs: 64\n1 1e20 0 60 1 -1 -1 1 60 -1 1 1 1 -1 1 -1 -1 -1\n`);
    expectRefused(["run", "--workload", trace, "--mode", "lenient", "--out", join(dir, "far"), "--quiet"], 3, "1 adjusted or skipped as implausible_value");
  });
});
