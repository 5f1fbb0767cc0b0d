/**
 * Grid series that do not cover a run (issue 10, items 1 and 2): the run is
 * refused before it simulates, naming each series file, its span and the
 * run's; an explicit extension lets it run and is counted; unreadable series
 * files are input errors. Spans here are worked out by hand from the files:
 * the 2020 series begin 2019-12-20 and end 2021-01-09 (fr at 23:00Z, de at
 * 23:15Z), simulation time 0 is 2020-01-01T00:00+01:00.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { runScenario } from "../../src/run/runScenario.js";
import { simulate } from "../../src/sim/simulation.js";
import { forecastFromActual } from "../../src/models/forecast.js";
import { rngSeeded } from "../../src/core/rng.js";
import { ccSeries, job, tinyPlatform } from "../helpers/tinyPlatform.js";
import { rejectedInput } from "../helpers/issues.js";
import { policyFcfs } from "../../src/planner/index.js";
import { estimateJobRequest } from "../../src/run/estimate.js";
import { parseSlurmArgs } from "../../src/io/slurm.js";

const DAY = 86400;
const PLATFORM = resolve("platforms/two-site-eu.json");

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "impactsim-series-"));
}

/** An SWF trace of jobs (submit s, run s, cores), requested time = run time. */
function swf(dir: string, jobs: [number, number, number][]): string {
  const lines = jobs.map(([submit, run, cores], i) => `${i + 1} ${submit} 0 ${run} ${cores} -1 -1 ${cores} ${run} -1 1 1 1 -1 1 -1 -1 -1`);
  const path = join(dir, "trace.swf");
  writeFileSync(path, `; MaxProcs: 64\n${lines.join("\n")}\n`);
  return path;
}


describe("a run the grid series do not cover", () => {
  it("runScenario refuses it before simulating, naming both series, their spans and the run's", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    // The last job is submitted 380 days after time 0: 2021-01-14T23:00Z, past both series.
    const trace = swf(dir, [[0, 60, 1], [380 * DAY, 3600, 1]]);
    const err = await rejectedInput(runScenario({ overrides: { workload: trace, platform: PLATFORM, out } }));
    expect(err.issues.map((i) => i.code)).toEqual(["series_too_short", "series_too_short"]);
    expect(err.issues.map((i) => i.file)).toEqual(["traces/grid/fr_ci_2020.csv", "traces/grid/de_ci_2020.csv"]);
    expect(err.message).toContain("covering 2019-12-31T23:00:00Z to 2021-01-15T00:00:00Z");
    expect(err.message).toContain("got one covering 2019-12-20T00:00:00Z to 2021-01-09T23:00:00Z");
    expect(err.message).toContain("--series-extend");
    // Refused before anything was written.
    expect(existsSync(out)).toBe(false);
  });

  it("with seriesExtension 'repeat' the run goes on and each extended series is counted with how far it was read", async () => {
    const dir = tmp();
    const trace = swf(dir, [[0, 60, 1], [380 * DAY, 3600, 1]]);
    const { summary } = await runScenario({ overrides: { workload: trace, platform: PLATFORM, out: join(dir, "out"), seriesExtension: "repeat", summaryOnly: true } });
    expect(summary.jobs).toBe(2);
    expect(summary.adjustments.series.series_extended).toBe(2);
    // fr ends at 375 d (2021-01-09T23:00Z), the run at 380 d + 3600 s.
    const fr = summary.adjustment_examples.series.find((x) => x.includes("fr_ci_2020.csv"));
    expect(fr).toContain(`read ${380 * DAY + 3600 - 375 * DAY} s beyond it, extended by "repeat"`);
  });

  it("a job that waits past the end of a series stops the simulation there with the same error", async () => {
    // One node; the series ends at 1000 s; two 600 s jobs at 0: the second runs 600..1200.
    const platform = tinyPlatform([{ id: "a", pue: 1, kgPerKwh: ccSeries([0], [0.1], 1000) }], [{ nodes: 1, cores: 1, idle: 10, max: 20 }]);
    const run = simulate({
      platform,
      policy: policyFcfs(),
      jobs: [[job(1, 0, 600, 600, 1), job(2, 0, 600, 600, 1)]],
      forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    });
    const err = await rejectedInput(run);
    expect(err.issues[0].code).toBe("series_too_short");
    expect(err.message).toContain("jobs still running or waiting");
    expect(err.message).toContain("covering 0 s to 1200 s");
  });

  it("a policy looking ahead past the series' end reads the last forecast value instead of failing", () => {
    const platform = tinyPlatform([{ id: "a", pue: 1, kgPerKwh: ccSeries([0, 500], [0.1, 0.3], 1000) }], [{ nodes: 1, cores: 1, idle: 10, max: 20 }]);
    const f = forecastFromActual(platform.sites[0].intensity, { bias: 0, sigma: 0 }, rngSeeded(1));
    expect(f.at(5000)).toBeCloseTo(0.3 / 3.6e6, 20);
    // Mean over 500..1500: 0.3 throughout (held).
    expect(f.mean(500, 1500)).toBeCloseTo(0.3 / 3.6e6, 20);
  });
});

describe("unreadable series files", () => {
  function platformWithSeries(dir: string, seriesFile: string): string {
    const spec = JSON.parse(readFileSync(PLATFORM, "utf8"));
    spec.sites[0].grid.series.file = seriesFile;
    // Other series stay where the shipped platform has them.
    spec.sites[1].grid.series.file = resolve("platforms", spec.sites[1].grid.series.file);
    const path = join(dir, "platform.json");
    writeFileSync(path, JSON.stringify(spec));
    return path;
  }

  it("a missing series file is an io_error naming it", async () => {
    const dir = tmp();
    const err = await rejectedInput(runScenario({ overrides: { platform: platformWithSeries(dir, "nope.csv"), out: join(dir, "out") } }));
    expect(err.issues[0]).toMatchObject({ code: "io_error", file: "nope.csv" });
    expect(err.message).toContain("no such file");
  });

  it("a directory given as a series file is an io_error saying so", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "series.csv"));
    const err = await rejectedInput(runScenario({ overrides: { platform: platformWithSeries(dir, "series.csv"), out: join(dir, "out") } }));
    expect(err.issues[0]).toMatchObject({ code: "io_error", file: "series.csv" });
    expect(err.message).toContain("it is a directory");
  });
});

describe("estimates follow the same rule", () => {
  it("estimate past the series is refused unless extended, and an extension is noted with how far it read", async () => {
    const request = parseSlurmArgs(["-n", "8", "-t", "1:00:00"]);
    const at = "2021-06-01T08:00:00Z";
    const refused = await rejectedInput(estimateJobRequest({ request, at, window_s: 0 }));
    expect(refused.message).toContain("traces/grid/fr_ci_2020.csv (site fr) covers 2019-12-20T00:00:00Z to 2021-01-09T23:00:00Z");
    const held = await estimateJobRequest({ request, at, window_s: 0, seriesExtension: "hold" });
    expect(held.estimates.length).toBeGreaterThan(0);
    // From 2021-01-09T23:00Z (fr's end) to the run's end 2021-06-01T09:00Z: 142 days and 10 hours.
    expect(held.context.notes.find((n) => n.includes("fr_ci_2020.csv"))).toContain(`read ${142 * 86400 + 10 * 3600} s beyond it, extended by "hold"`);
  });
});
