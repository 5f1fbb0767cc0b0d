/**
 * Estimates of a job's time, energy and impacts before it runs, for every
 * feasible pool, device class and candidate start (SPECTRUM D6.1 rec. 4 and 7).
 * Pure: it reads a ClusterView and prices a placement with the accountant's
 * own arithmetic (models/charge.ts): the draw charged to its placement
 * (resources.placementCharge: its whole nodes at their busy draw, or its share
 * of the nodes it shares), times the site's PUE, times the forecast intensity
 * over the run; plus embodied impacts of what it holds. On an idle platform
 * the expected values equal the simulator's charge.
 *
 * Waits come from the free-capacity profile of the pools (availability.ts):
 * running jobs to their predicted ends and the jobs queued ahead placed first.
 * The job's own request rules apply: whole nodes when it asks (exclusive) or
 * its pool gives only those, an exact node count, memory per core or node.
 *
 * Uncertainty ranges combine three sources, each at its worst end: the run
 * time's spread (runtimeSpread, e.g. p10..p90 of a calibration), other jobs
 * ending earlier or later than requested (othersRatio, for the wait), and the
 * forecast's stated error (its spread(), +-z sigma of the window mean, and its
 * bias, see forecastBand). Over
 * every start in the wait range the extreme of the forecast intensity integral
 * is taken at the forecast's change points. Taking each source at its extreme
 * makes the band conservative: wider than the quantiles it is built from.
 *
 * Not modelled here: FPGA reconfiguration time, input staging of workflow tasks
 * (see estimateWorkflow), and DVFS states (the pool's default state is used).
 * A run longer than the wall time the job has left is cut there, as the
 * simulator kills it (planner/resources pricedRuntime).
 */
import { N_COORDS, N_PHASES, categoryIndex } from "../core/index.js";
import type { DeviceClass } from "../io/index.js";
import { chargeForecastInto, chargeInto, chargeScore, phaseTotal, type ChargeEnergy } from "../models/index.js";
import { Availability } from "./availability.js";
import { canRunOn, cutAtTimeLeft, expectedRuntime, nodesNeeded, placementCharge, placementEmbodied, poolDeviceClasses, poolNeed, type PoolNeed } from "./resources.js";
import type { ClusterView, IntensityForecast, PoolView, QueuedJobView } from "./view.js";

const CC = categoryIndex("CC");
const DEVICE_ORDER: Readonly<Record<DeviceClass, number>> = { cpu: 0, gpu: 1, fpga: 2 };
/** Standard normal quantile of 0.9: +-z sigma holds 80 % of a normal error. */
export const Z_80 = 1.2815515655446004;
/** At most this many forecast change points are searched for the extremes over a wait range (a year of 15-min steps is 35,136). */
const MAX_BREAKPOINTS = 40_000;

export interface EstimateOptions {
  /** Candidate start times, s (default [view.now]); each must be finite and >= view.now. */
  readonly starts?: readonly number[];
  /** 0 = time only .. 1 = impact only (default job.qos?.impact_preference ?? 0.5). */
  readonly preference?: number;
  /** The run time's low and high ends relative to its expected value, low <= 1 <= high (default 1 and 1: no spread known). */
  readonly runtimeSpread?: { readonly low: number; readonly high: number };
  /**
   * Other jobs' run time as a share of their requested time, for the earliest,
   * expected and latest waits, each in [0, 1] (default 0, 1, 1: the expected wait
   * is what a scheduler would promise; without history they may end any time).
   */
  readonly othersRatio?: { readonly low: number; readonly mid: number; readonly high: number };
  /** Count the jobs queued ahead (default true). */
  readonly queue?: boolean;
  /** Normal quantile for the forecast error band (default Z_80). */
  readonly z?: number;
  /** Pools the job may use (e.g. a partition, or enough memory per node); default all. */
  readonly allowPool?: (pool: PoolView) => boolean;
}

/** [low, high] */
export type Range = readonly [number, number];

export interface EstimateRange {
  readonly wait_s: Range;
  readonly runtime_s: Range;
  readonly energy_it_j: Range;
  readonly energy_facility_j: Range;
  /** Null without a score method. */
  readonly single_score_pt: Range | null;
  /** Low and high ends of every phase and coordinate (N_PHASES x N_COORDS, phase-major). */
  readonly impacts_low: Float64Array;
  readonly impacts_high: Float64Array;
  /** Relative standard deviation the forecast states for its mean intensity (climate change) over the expected run. */
  readonly forecast_spread: number;
}

export interface Estimate {
  readonly pool: number;
  readonly site: string;
  readonly device: DeviceClass;
  /** Start, s: the candidate start, or later when the pool's nodes are taken then. */
  readonly start: number;
  /** Nodes it holds or spreads over (at least; placement may spread a shared job over more), and cores allocated (its whole nodes' cores when it holds them). */
  readonly nodes: number;
  readonly cores: number;
  /** start - now, s (0 on an idle platform for start = now). */
  readonly wait_s: number;
  /** Expected run time on this pool and device (resources.expectedRuntime), cut at the walltime, s. */
  readonly runtime_s: number;
  /** Energy charged to it (its nodes' draw, or its share of the nodes it shares), J. */
  readonly energy_it_j: number;
  /** IT energy times the site's PUE, J. */
  readonly energy_facility_j: number;
  /** IT draw charged to it, W. The draw is constant while the job runs (one utilisation, as if alone on shared nodes), so peak equals mean. */
  readonly power_peak_w: number;
  readonly power_mean_w: number;
  /** N_PHASES x N_COORDS, phase-major: use phase from the forecast means, other phases embodied. */
  readonly impacts: Float64Array;
  /** EF single score of all phases with view.scoreMethod, Pt; null without one. */
  readonly single_score_pt: number | null;
  readonly range: EstimateRange;
  /**
   * (1 - p) * completion / min completion + p * impact / min impact, where
   * completion = wait + runtime and impact = single score (climate change, kg
   * CO2e over all phases, without a score method). Where a minimum is 0 the
   * term is divided by the maximum instead (1 where all are 0). Lower is better.
   */
  readonly rank_cost: number;
}

type Draft = Omit<Estimate, "rank_cost">;

/** Run-time and wait ends of one candidate. */
interface Ends {
  readonly rLow: number;
  readonly rHigh: number;
  readonly sLow: number;
  readonly sHigh: number;
}

/**
 * Every feasible (pool, device, start) for a job, ranked by rank_cost (ties:
 * pool index, device cpu < gpu < fpga, start). A pool is feasible on a device
 * when the job has a runtime model there and the pool has enough nodes in all;
 * pools that are not are left out.
 * @throws RangeError on a start before view.now or not finite, a preference outside [0, 1], or a spread or ratio out of range
 */
export function estimate(job: QueuedJobView, view: ClusterView, options: EstimateOptions = {}): Estimate[] {
  const now = view.now;
  const starts = options.starts ?? [now];
  for (const s of starts) {
    if (!Number.isFinite(s) || s < now) throw new RangeError(`estimate: expected start times finite and >= now (${now}), got ${s}`);
  }
  const p = options.preference ?? job.qos?.impact_preference ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`estimate: expected a preference in [0, 1], got ${p}`);
  const spread = options.runtimeSpread ?? { low: 1, high: 1 };
  if (!(spread.low > 0 && spread.low <= 1 && spread.high >= 1 && Number.isFinite(spread.high))) {
    throw new RangeError(`estimate: expected a runtime spread with 0 < low <= 1 <= high, got ${JSON.stringify(spread)}`);
  }
  const ratio = options.othersRatio ?? { low: 0, mid: 1, high: 1 };
  if (!(ratio.low >= 0 && ratio.low <= ratio.mid && ratio.mid <= ratio.high && ratio.high <= 1)) {
    throw new RangeError(`estimate: expected others' ratios with 0 <= low <= mid <= high <= 1, got ${JSON.stringify(ratio)}`);
  }
  const z = options.z ?? Z_80;
  const queue = options.queue ?? true;
  // One profile per ratio; equal ratios share one.
  const profiles = new Map<number, Availability>();
  const profile = (r: number) => profiles.get(r) ?? profiles.set(r, Availability.fromView(view, { ratio: r, queue, before: job.id })).get(r)!;
  const [avLow, avMid, avHigh] = [profile(ratio.low), profile(ratio.mid), profile(ratio.high)];

  const drafts: Draft[] = [];
  for (const pool of view.pools) {
    if (options.allowPool && !options.allowPool(pool)) continue;
    for (const device of poolDeviceClasses(pool)) {
      const expected = expectedRuntime(job, pool, device);
      if (!canRunOn(job, pool, device) || expected === undefined || !Number.isFinite(expected)) continue;
      const need = poolNeed(job, pool, device);
      // As pricedRuntime: the run time and its spread's ends cut at the wall time left (the simulator kills a job there).
      const runtime = cutAtTimeLeft(job, expected);
      const rLow = cutAtTimeLeft(job, expected * spread.low);
      const rHigh = cutAtTimeLeft(job, expected * spread.high);
      const seen = new Set<number>();
      for (const candidate of starts) {
        const start = avMid.earliest(pool.index, need, runtime, candidate);
        if (!Number.isFinite(start) || seen.has(start)) continue;
        seen.add(start);
        const early = avLow.earliest(pool.index, need, rLow, candidate);
        const late = avHigh.earliest(pool.index, need, rHigh, candidate);
        const ends: Ends = { rLow, rHigh, sLow: Math.min(early, start, late), sHigh: Math.max(early, start, late) };
        drafts.push(draft(job, view, pool, device, need, runtime, start, ends, z));
      }
    }
  }
  if (drafts.length === 0) return [];

  const completion = drafts.map((d) => d.wait_s + d.runtime_s);
  const impact = drafts.map((d) => d.single_score_pt ?? phaseTotal(d.impacts, CC));
  const tc = normaliser(completion);
  const ti = normaliser(impact);
  const out: Estimate[] = drafts.map((d, i) => ({ ...d, rank_cost: (1 - p) * tc(completion[i]) + p * ti(impact[i]) }));
  out.sort((a, b) => a.rank_cost - b.rank_cost || a.pool - b.pool || DEVICE_ORDER[a.device] - DEVICE_ORDER[b.device] || a.start - b.start);
  return out;
}

function draft(job: QueuedJobView, view: ClusterView, pool: PoolView, device: DeviceClass, need: PoolNeed, runtime: number, start: number, ends: Ends, z: number): Draft {
  const charge = placementCharge(job, pool, device);
  const watts = charge.runWatts;
  const site = view.sites[pool.siteIndex];
  const forecast = view.forecast(site.id);
  const rate = placementEmbodied(pool, charge, new Float64Array(N_PHASES * N_COORDS), start, runtime);
  const end = start + runtime;
  const impacts = new Float64Array(N_PHASES * N_COORDS);
  const low = new Float64Array(N_PHASES * N_COORDS);
  const high = new Float64Array(N_PHASES * N_COORDS);
  const integral = new Float64Array(N_COORDS);
  const expected: ChargeEnergy = { it: 0, facility: 0 };
  const lowEnergy: ChargeEnergy = { it: 0, facility: 0 };
  const highEnergy: ChargeEnergy = { it: 0, facility: 0 };
  chargeForecastInto(impacts, expected, 1, watts, start, runtime, site.pue, forecast, rate, integral);
  // The ends: the extreme forecast integral over the run-time and start ranges, widened by the forecast's stated error.
  const lowStarts = candidateStarts(forecast, ends.sLow, ends.sHigh, ends.rLow, start);
  const highStarts = candidateStarts(forecast, ends.sLow, ends.sHigh, ends.rHigh, start);
  const lowIntegral = new Float64Array(N_COORDS);
  const highIntegral = new Float64Array(N_COORDS);
  // Without a wait or run-time range (an idle platform, no calibration) an end's integral is the expected one, already computed.
  const lowIsExpected = lowStarts.length === 1 && lowStarts[0] === start && ends.rLow === runtime;
  const highIsExpected = highStarts.length === 1 && highStarts[0] === start && ends.rHigh === runtime;
  for (let c = 0; c < N_COORDS; c++) {
    const [fLow, fHigh] = forecastBand(forecast, start, end, c, z);
    lowIntegral[c] = (lowIsExpected ? integral[c] : extremeIntegral(forecast, lowStarts, ends.rLow, c, Math.min)) * fLow;
    highIntegral[c] = (highIsExpected ? integral[c] : extremeIntegral(forecast, highStarts, ends.rHigh, c, Math.max)) * fHigh;
  }
  chargeInto(low, lowEnergy, 1, watts, ends.rLow, site.pue, lowIntegral, rate);
  chargeInto(high, highEnergy, 1, watts, ends.rHigh, site.pue, highIntegral, rate);
  const method = view.scoreMethod;
  const score = method ? chargeScore(impacts, method) : null;
  return {
    pool: pool.index,
    site: site.id,
    device,
    start,
    nodes: need.wholeNodes > 0 ? need.wholeNodes : (job.exactNodes ?? nodesNeeded(job, pool, device)),
    cores: need.cores,
    wait_s: start - view.now,
    runtime_s: runtime,
    energy_it_j: expected.it,
    energy_facility_j: expected.facility,
    power_peak_w: watts,
    power_mean_w: watts,
    impacts,
    single_score_pt: score,
    range: {
      wait_s: [ends.sLow - view.now, ends.sHigh - view.now],
      runtime_s: [ends.rLow, ends.rHigh],
      energy_it_j: [lowEnergy.it, highEnergy.it],
      energy_facility_j: [lowEnergy.facility, highEnergy.facility],
      single_score_pt: method ? [chargeScore(low, method), chargeScore(high, method)] : null,
      impacts_low: low,
      impacts_high: high,
      forecast_spread: forecast.spread?.(start, end, CC) ?? 0,
    },
  };
}

/**
 * Factors bounding the actual mean intensity over [from, to] around the
 * forecast's: +-z times its stated spread, and shifted by its stated bias
 * (actual = forecast / (1 + bias) on average), always including 1.
 */
export function forecastBand(forecast: IntensityForecast, from: number, to: number, c: number, z: number): [number, number] {
  const sd = z * (forecast.spread?.(from, to, c) ?? 0);
  const unbiased = 1 / (1 + (forecast.bias ?? 0));
  return [Math.max(0, Math.min(1 - sd, (1 - sd) * unbiased)), Math.max(1 + sd, (1 + sd) * unbiased)];
}

/**
 * Starts in [from, to] where the integral of the forecast over [s, s + r] can
 * be extreme: the ends, and every s at which s or s + r meets a change point
 * (the integral is piecewise linear in s between them). Each start once, in
 * the order found: an extreme over them is the same without repeats.
 */
function candidateStarts(forecast: IntensityForecast, from: number, to: number, r: number, expected: number): number[] {
  // The expected start keeps low <= expected <= high even when the change points are cut off.
  const out = new Set([from, to, expected]);
  if (to > from && forecast.nextChange) {
    for (const shift of [0, r]) {
      let t = forecast.nextChange(from + shift);
      for (let k = 0; k < MAX_BREAKPOINTS && t < to + shift; k++) {
        out.add(t - shift);
        t = forecast.nextChange(t);
      }
    }
  }
  return [...out];
}

function extremeIntegral(forecast: IntensityForecast, starts: readonly number[], r: number, c: number, pick: (a: number, b: number) => number): number {
  let best = forecast.mean(starts[0], starts[0] + r, c) * r;
  for (let k = 1; k < starts.length; k++) best = pick(best, forecast.mean(starts[k], starts[k] + r, c) * r);
  return best;
}

/** x / min of xs; x / max where the minimum is 0 (1 where all are 0). */
export function normaliser(xs: readonly number[]): (x: number) => number {
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min > 0) return (x) => x / min;
  if (max > 0) return (x) => x / max;
  return () => 1;
}
