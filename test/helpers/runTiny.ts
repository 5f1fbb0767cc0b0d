import { Accountant } from "../../src/accounting/accountant.js";
import { MetricsCollector } from "../../src/accounting/metrics.js";
import { forecastFromActual, type ForecastError } from "../../src/models/forecast.js";
import type { PlatformModel } from "../../src/models/platform.js";
import type { JobSpec } from "../../src/io/spec.js";
import type { Decision, Policy } from "../../src/planner/view.js";
import { rngSeeded } from "../../src/core/rng.js";
import { simulate } from "../../src/sim/simulation.js";
import { combineObservers, type JobFact } from "../../src/sim/observer.js";

export interface TinyRun {
  facts: Map<number, JobFact>;
  charges: Map<number, { impacts: Float64Array; itJ: number; facilityJ: number }>;
  accountant: Accountant;
  metrics: MetricsCollector;
  result: Awaited<ReturnType<typeof simulate>>;
  intervals: { site: number; from: number; to: number; itWatts: number; overheadWatts: number; busy: number }[];
  dropped: { id: number; reason: string }[];
}

export async function runTiny(
  platform: PlatformModel,
  policy: Policy<unknown>,
  jobs: JobSpec[],
  batch = 1000,
  mode: "strict" | "lenient" = "strict",
  forecastError: ForecastError = { bias: 0, sigma: 0 },
): Promise<TinyRun> {
  const facts = new Map<number, JobFact>();
  const charges = new Map<number, { impacts: Float64Array; itJ: number; facilityJ: number }>();
  const intervals: TinyRun["intervals"] = [];
  const dropped: TinyRun["dropped"] = [];
  const accountant = new Accountant(platform, (c) => charges.set(c.fact.job.id, { impacts: Float64Array.from(c.impacts), itJ: c.itJ, facilityJ: c.facilityJ }));
  const metrics = MetricsCollector.forPlatform(platform);
  const batches: JobSpec[][] = [];
  for (let i = 0; i < jobs.length; i += batch) batches.push(jobs.slice(i, i + batch));
  const result = await simulate({
    platform,
    policy,
    jobs: batches,
    forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, forecastError, rngSeeded(1))),
    mode,
    observer: combineObservers(accountant, metrics, {
      jobEnded: (f) => facts.set(f.job.id, { ...f }),
      jobDropped: (j, reason) => dropped.push({ id: j.id, reason }),
      siteInterval: (site, from, to, itWatts, overheadWatts, busy) => intervals.push({ site, from, to, itWatts, overheadWatts, busy }),
    }),
  });
  return { facts, charges, accountant, metrics, result, intervals, dropped };
}

/** The explained decisions (and deferrals) a policy made on a platform, with their times. */
export async function recordDecisions(plat: PlatformModel, policy: Policy<unknown>, jobs: JobSpec[]): Promise<{ time: number; d: Decision }[]> {
  const out: { time: number; d: Decision }[] = [];
  await simulate({
    platform: plat,
    policy,
    jobs: [jobs],
    forecasts: plat.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: { decided: (time, d) => out.push({ time, d }) },
  });
  return out;
}

/** IT power intervals of a site, neighbours of equal power merged: [from, to, W]. */
export function powerProfile(r: TinyRun, site = 0): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const iv of r.intervals.filter((i) => i.site === site)) {
    const last = out[out.length - 1];
    if (last && last[1] === iv.from && last[2] === iv.itWatts) last[1] = iv.to;
    else out.push([iv.from, iv.to, iv.itWatts]);
  }
  return out;
}
