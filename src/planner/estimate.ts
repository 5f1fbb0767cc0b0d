/**
 * Estimates of a job's time, energy and impacts before it runs, for every
 * feasible pool, device class and candidate start (issue 6, core). Pure: it
 * reads a ClusterView and counts the way the simulator charges a job
 * (accounting/attribution.ts): its whole nodes at their busy draw, times the
 * site's PUE, times the forecast intensity over the run; plus embodied impacts
 * per node-second held.
 *
 * Not modelled in this core (said so in the results' docs): uncertainty ranges
 * (runtime spread, forecast error), jobs queued ahead of this one, FPGA
 * reconfiguration time, input staging of workflow tasks, DVFS states (the
 * pool's default state is used), and kills at walltime (runtime_s is the
 * expected run time even when it exceeds the walltime).
 */
import { N_COORDS, N_EF, N_PHASES, PHASE_INDEX, categoryIndex } from "../core/categories.js";
import { singleScore } from "../core/score.js";
import type { DeviceClass } from "../io/spec.js";
import { devicesRequested, expectedRuntime, nodesNeeded, poolDeviceClasses } from "./resources.js";
import type { ClusterView, PoolView, QueuedJobView } from "./view.js";

const USE = PHASE_INDEX.use;
const CC = categoryIndex("CC");
const DEVICE_ORDER: Readonly<Record<DeviceClass, number>> = { cpu: 0, gpu: 1, fpga: 2 };

export interface EstimateOptions {
  /** Candidate start times, s (default [view.now]); each must be finite and >= view.now. */
  readonly starts?: readonly number[];
  /** 0 = time only .. 1 = impact only (default job.qos?.impact_preference ?? 0.5). */
  readonly preference?: number;
}

export interface Estimate {
  readonly pool: number;
  readonly site: string;
  readonly device: DeviceClass;
  /** Start, s: the candidate start, or later when the pool's nodes are busy until then (see earliestStart). */
  readonly start: number;
  readonly nodes: number;
  /** start - now, s (0 on an idle platform for start = now). */
  readonly wait_s: number;
  /** Expected run time on this pool and device (resources.expectedRuntime), s. */
  readonly runtime_s: number;
  /** Energy drawn by its nodes, J. */
  readonly energy_it_j: number;
  /** IT energy times the site's PUE, J. */
  readonly energy_facility_j: number;
  /** IT draw of its nodes, W. The draw is constant while the job runs (one utilisation), so peak equals mean. */
  readonly power_peak_w: number;
  readonly power_mean_w: number;
  /** N_PHASES x N_COORDS, phase-major: use phase from the forecast means, other phases embodied. */
  readonly impacts: Float64Array;
  /** EF single score of all phases with view.scoreMethod, Pt; null without one. */
  readonly single_score_pt: number | null;
  /**
   * (1 - p) * completion / min completion + p * impact / min impact, where
   * completion = wait + runtime and impact = single score (climate change, kg
   * CO2e over all phases, without a score method). Where a minimum is 0 the
   * term is divided by the maximum instead (1 where all are 0). Lower is better.
   */
  readonly rank_cost: number;
}

type Draft = Omit<Estimate, "rank_cost">;

/**
 * Every feasible (pool, device, start) for a job, ranked by rank_cost (ties:
 * pool index, device cpu < gpu < fpga, start). A pool is feasible on a device
 * when the job has a runtime model there and the pool has enough nodes in all;
 * pools that are not are left out.
 * @throws RangeError when a start is before view.now or not finite, or the preference is outside [0, 1]
 */
export function estimate(job: QueuedJobView, view: ClusterView, options: EstimateOptions = {}): Estimate[] {
  const now = view.now;
  const starts = options.starts ?? [now];
  for (const s of starts) {
    if (!Number.isFinite(s) || s < now) throw new RangeError(`estimate: expected start times finite and >= now (${now}), got ${s}`);
  }
  const p = options.preference ?? job.qos?.impact_preference ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`estimate: expected a preference in [0, 1], got ${p}`);

  const drafts: Draft[] = [];
  for (const pool of view.pools) {
    for (const device of poolDeviceClasses(pool)) {
      const nodes = nodesNeeded(job, pool, device);
      const runtime = expectedRuntime(job, pool, device);
      if (!(nodes <= pool.nodes) || runtime === undefined || !Number.isFinite(runtime)) continue;
      const ready = earliestStart(view, pool, nodes);
      if (!Number.isFinite(ready)) continue;
      const seen = new Set<number>();
      for (const candidate of starts) {
        const start = Math.max(candidate, ready);
        if (seen.has(start)) continue;
        seen.add(start);
        drafts.push(draft(job, view, pool, device, nodes, runtime, start));
      }
    }
  }
  if (drafts.length === 0) return [];

  const completion = drafts.map((d) => d.wait_s + d.runtime_s);
  const impact = drafts.map((d) => d.single_score_pt ?? ccTotal(d.impacts));
  const tc = normaliser(completion);
  const ti = normaliser(impact);
  const out: Estimate[] = drafts.map((d, i) => ({ ...d, rank_cost: (1 - p) * tc(completion[i]) + p * ti(impact[i]) }));
  out.sort((a, b) => a.rank_cost - b.rank_cost || a.pool - b.pool || DEVICE_ORDER[a.device] - DEVICE_ORDER[b.device] || a.start - b.start);
  return out;
}

function draft(job: QueuedJobView, view: ClusterView, pool: PoolView, device: DeviceClass, nodes: number, runtime: number, start: number): Draft {
  // As the simulator does when it starts a job (sim/simulation.ts).
  const utilisation = Math.min(1, job.cores / (nodes * pool.coresPerNode));
  const devicesPerNode = devicesRequested(job, device) / nodes;
  const wattsPerNode = pool.busyWatts(device, utilisation, devicesPerNode);
  const site = view.sites[pool.siteIndex];
  const forecast = view.forecast(site.id);
  const watts = nodes * wattsPerNode;
  const it = watts * runtime;
  const facility = it * site.pue;
  const impacts = new Float64Array(N_PHASES * N_COORDS);
  const nodeSeconds = nodes * runtime;
  const rate = pool.embodiedPerNodeSecond;
  const end = start + runtime;
  for (let ph = 0; ph < N_PHASES; ph++) {
    const o = ph * N_COORDS;
    if (ph === USE) for (let c = 0; c < N_COORDS; c++) impacts[o + c] = watts * site.pue * forecast.mean(start, end, c) * runtime;
    else for (let c = 0; c < N_COORDS; c++) impacts[o + c] = nodeSeconds * rate[o + c];
  }
  let score: number | null = null;
  if (view.scoreMethod) {
    const total = new Float64Array(N_COORDS);
    for (let ph = 0; ph < N_PHASES; ph++) for (let c = 0; c < N_EF; c++) total[c] += impacts[ph * N_COORDS + c];
    score = singleScore(total, view.scoreMethod);
  }
  return {
    pool: pool.index,
    site: site.id,
    device,
    start,
    nodes,
    wait_s: start - view.now,
    runtime_s: runtime,
    energy_it_j: it,
    energy_facility_j: facility,
    power_peak_w: watts,
    power_mean_w: watts,
    impacts,
    single_score_pt: score,
  };
}

/**
 * Earliest time `need` nodes of the pool can be free, from what the view shows:
 * free nodes now, nodes of running jobs at their predicted ends, and sleeping
 * or waking nodes after the pool's longest switch-on time. Jobs queued ahead
 * are not counted.
 */
export function earliestStart(view: ClusterView, pool: PoolView, need: number): number {
  let avail = pool.freeNodes;
  if (avail >= need) return view.now;
  const events: { t: number; n: number }[] = [];
  for (const r of view.running) if (r.pool === pool.index) events.push({ t: Math.max(view.now, r.predictedEnd), n: r.nodeCount });
  const waking = pool.sleepingNodes + pool.wakingNodes;
  if (waking > 0) events.push({ t: view.now + Math.max(pool.off?.switchOnSeconds ?? 0, pool.sleep?.switchOnSeconds ?? 0), n: waking });
  events.sort((a, b) => a.t - b.t);
  for (const e of events) {
    avail += e.n;
    if (avail >= need) return e.t;
  }
  return Infinity;
}

function ccTotal(impacts: Float64Array): number {
  let s = 0;
  for (let ph = 0; ph < N_PHASES; ph++) s += impacts[ph * N_COORDS + CC];
  return s;
}

/** x / min of xs; x / max where the minimum is 0 (1 where all are 0). */
function normaliser(xs: readonly number[]): (x: number) => number {
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
