/**
 * Shared by the flexible-job benchmarks (bench/flexible-lwa.ts,
 * bench/flexible-gaia.ts): the published grid series and job traces as
 * simulator inputs, a platform of ample one-core nodes, and a run that returns
 * the jobs' use-phase climate-change impact.
 *
 * Inputs (read from ../shared/data, see its SOURCES.md):
 * - Let's Wait Awhile's 2020 carbon-intensity series (dos-group/lets-wait-awhile
 *   data/{ger,gb,fr}_ci.csv @5e0d155, ENTSO-E data; Wiesner et al.,
 *   Middleware '21, doi:10.1145/3464298.3493399), gCO2e/kWh. As that study's
 *   simulator does (simulate.py: `ci[ci.index.minute % 30 == 0]`, a meter every
 *   30 min), only the values at :00 and :30 are kept, each held for 30 min.
 *   Time 0 is 2020-01-01 00:00 (the file's local timestamps, read as is).
 * - GAIA's PAI excerpt (umassos/GAIA src/cluster_traces/pai_1k.csv @62a5efc,
 *   MIT; Hanafy et al., ASPLOS '24): arrival_time, length (s), cpus.
 */
import { readFileSync } from "node:fs";
import { Accountant } from "../src/accounting/accountant.js";
import { N_COORDS, N_PHASES, PHASE_INDEX, categoryIndex } from "../src/core/categories.js";
import { rngSeeded } from "../src/core/rng.js";
import { TimeSeries } from "../src/core/timeseries.js";
import type { JobSpec } from "../src/io/spec.js";
import { forecastFromActual } from "../src/models/forecast.js";
import type { PlatformModel } from "../src/models/platform.js";
import { powerCurveLinear } from "../src/models/power.js";
import type { Policy } from "../src/planner/view.js";
import { combineObservers, type JobFact, type SimObserver } from "../src/sim/observer.js";
import { simulate, type SimulationResult } from "../src/sim/simulation.js";

const CC = categoryIndex("CC");
const ENERGY = categoryIndex("ENERGY");
const USE_CC = PHASE_INDEX.use * N_COORDS + CC;
export const SHARED = new URL("../../shared/data/", import.meta.url).pathname;
export const LWA_FILES = { de: "grid/lets_wait_awhile_2020/ger_ci.csv", gb: "grid/lets_wait_awhile_2020/gb_ci.csv", fr: "grid/lets_wait_awhile_2020/fr_ci.csv" } as const;
export type Country = keyof typeof LWA_FILES;

/** Seconds since 2020-01-01 00:00 of a "YYYY-MM-DD hh:mm:ss" timestamp read as UTC. */
const secondsOf = (stamp: string) => (Date.parse(stamp.replace(" ", "T") + "Z") - Date.UTC(2020, 0, 1)) / 1000;

/** A country's 2020 series on a 30-min grid from 2020-01-01 00:00: starts (s) and gCO2e/kWh. */
export function lwaSeries(country: Country): { starts: number[]; g: number[] } {
  return lwaSeriesFile(SHARED + LWA_FILES[country]);
}

/** The same from a file of the study's format (the repository ships DE and FR in traces/grid). */
export function lwaSeriesFile(path: string): { starts: number[]; g: number[] } {
  const lines = readFileSync(path, "utf8").trim().split("\n").slice(1);
  const starts: number[] = [];
  const g: number[] = [];
  for (const line of lines) {
    const [stamp, value] = line.split(",");
    const t = secondsOf(stamp);
    if (t < 0 || t % 1800 !== 0) continue;
    starts.push(t);
    g.push(Number(value));
  }
  return { starts, g };
}

/** A CC-only intensity series (per joule) from gCO2e/kWh values, held past its end. */
export function ccSeries(starts: readonly number[], gPerKwh: readonly number[], end: number): TimeSeries {
  const values = new Float64Array(starts.length * N_COORDS);
  gPerKwh.forEach((v, k) => {
    values[k * N_COORDS + CC] = v / 1000 / 3.6e6;
    values[k * N_COORDS + ENERGY] = 1;
  });
  return new TimeSeries(starts, values, N_COORDS, end, "hold");
}

/** One site (PUE 1) of `nodes` one-core nodes drawing 0 W idle and 1 W busy, no embodied impacts: a job's CC is the integral of the intensity over its runs. */
export function onePlatform(series: TimeSeries, nodes: number): PlatformModel {
  return {
    name: "flexible-bench",
    sites: [{ id: "grid", pue: 1, intensity: { series, basis: new Uint8Array(N_COORDS), source: "bench" } }],
    pools: [
      {
        site: 0,
        nodeType: "one-core",
        coresPerNode: 1,
        count: nodes,
        curve: powerCurveLinear({ idle: 0, max: 1 }),
        speed: 1,
        idleWatts: 0,
        embodiedPerNodeSecond: new Float64Array(N_PHASES * N_COORDS),
        embodiedBasis: new Uint8Array(N_PHASES * N_COORDS),
      },
    ],
  };
}

/** A one-core job whose walltime is its run time. */
export function oneCoreJob(id: number, submit: number, runtime: number, extra: Partial<JobSpec> = {}): JobSpec {
  return { id, submit, runtime, walltime: runtime, cores: 1, user: 1, group: 1, project: "p", queue: -1, partition: -1, avgCpuTime: -1, ...extra };
}

/** GAIA's pai_1k trace: arrival (s), length (s), cpus, in file order. */
export function gaiaTrace(): { arrival: number; length: number; cpus: number }[] {
  const lines = readFileSync(SHARED + "traces/gaia-pai_1k.csv", "utf8").trim().split("\n").slice(1);
  return lines.map((l) => {
    const [a, len, c] = l.split(",").map(Number);
    return { arrival: a, length: len, cpus: c };
  });
}

export interface FlexOutcome {
  /** Use-phase CC of the jobs, g (1 W x gCO2e/kWh x s / 3.6e6). */
  ccG: number;
  result: SimulationResult;
  /** Every run of each job, in order (start, end, killed, final). */
  runs: Map<number, { start: number; end: number; killed: boolean; final: boolean }[]>;
  seconds: number;
}

/** Runs `jobs` on `platform` under `policy` with a perfect forecast (or one with `sigma`), summing the jobs' use-phase CC. */
export async function runFlexible(platform: PlatformModel, policy: Policy<unknown>, jobs: readonly JobSpec[], observer: SimObserver = {}, sigma = 0): Promise<FlexOutcome> {
  const t0 = performance.now();
  let cc = 0;
  const runs: FlexOutcome["runs"] = new Map();
  const accountant = new Accountant(platform, (c) => (cc += c.impacts[USE_CC]));
  const record = (f: JobFact) => {
    let r = runs.get(f.job.id);
    if (r === undefined) runs.set(f.job.id, (r = []));
    r.push({ start: f.start, end: f.end, killed: f.killed, final: f.final });
  };
  const result = await simulate({
    platform,
    policy,
    jobs: [jobs],
    forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma }, rngSeeded(7))),
    observer: combineObservers(accountant, { jobEnded: record }, observer),
    mode: "lenient",
  });
  return { ccG: cc * 1000, result, runs, seconds: (performance.now() - t0) / 1000 };
}

export interface LwaJob {
  id: number;
  arrival: number;
  duration: number;
  slack: { next_workday: number; semi_weekly: number };
}

/** Let's Wait Awhile's scenario II jobs (bench/flexible-lwa-jobs.csv, drawn by bench/flexible-lwa-ref.py), ids from 1. */
export function lwaJobs(): LwaJob[] {
  const lines = readFileSync(new URL("./flexible-lwa-jobs.csv", import.meta.url), "utf8").trim().split("\n").slice(1);
  return lines.map((l) => {
    const [id, arrival, duration, nw, sw] = l.split(",").map(Number);
    return { id: id + 1, arrival, duration, slack: { next_workday: nw, semi_weekly: sw } };
  });
}
