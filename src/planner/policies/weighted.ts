/**
 * Multi-objective placement from filters and weighted scorers (as OpenDC's
 * FilterScheduler): each queued job, in queue order, goes to the pool of least
 * weighted cost over time, energy, single-score impact and chosen EF 3.1
 * categories. Choosing among sites by expected total cost is spatial shifting;
 * waiting for a busy but cleaner pool is allowed when the weights say so.
 *
 * Filters: a pool is a candidate if it can ever hold the job (cores, a runtime
 * model for a device it offers) and, for a workflow task, every input it lacks
 * has a link from a site that holds it. The job's expected start there is now
 * when it fits (common.ts Capacity: free cores, and idle nodes for a job that
 * holds them whole; and the head's reservation allows, below), else
 * the pool's shadow time for it: walking the running jobs by predicted end (and
 * the jobs started earlier in this pass, by now + expected run time) until
 * enough cores are free, as EASY does; a pool where that never happens is
 * dropped.
 *
 * Criteria of a candidate (r = the run time priced there: the expected run
 * time cut at the walltime, planner/resources pricedRuntime), each priced by
 * the accountant's arithmetic (models/charge):
 * - time: expected completion from now = wait + input transfers + r, s;
 * - energy: facility energy = the draw charged to the placement x r x PUE
 *   (resources.placementCharge: whole nodes at their draw, or its cores' and
 *   devices' share of the nodes it shares), plus its allocation held at idle
 *   draw while inputs arrive, plus transfer energy (bytes x joules per byte of
 *   the link), J;
 * - impacts: a vector of the 16 EF 3.1 categories: the run's facility energy
 *   x the forecast mean intensity of each category at the site over the run
 *   ([start + transfers, + r]), plus embodied impacts per second of the parts
 *   it holds (all phases) x (transfers + r), plus transfers at the forecast intensity
 *   of the sending and receiving sites (as the accountant charges them);
 * - impact: the single score of that vector (view.scoreMethod, Pt); without a
 *   score method in the view, its climate-change coordinate (kg CO2e);
 * - categories: the vector's coordinate of each chosen category id.
 * Normalisation: each criterion is divided by its least value over the job's
 * candidates, so the best candidate scores 1 on it and one twice as costly 2
 * (dimensionless, comparable across criteria). Where that least value is 0,
 * candidates at 0 score 1 and the others 1 + value / largest value (in (1, 2]).
 * Completion rather than bare wait is the time criterion so that its least
 * value is never 0 and faster pools count. The cost is the sum of weight x
 * normalised criterion; the least wins, ties (within a relative 1e-9) to the
 * lowest pool index. Completion and energy are always worked out (a start's
 * reasons show them); the impact vector, and with it the impact and category
 * criteria, only when impact or some category has a weight above 0.
 *
 * Head-of-line protection (EASY-like): a job whose best pool cannot take it
 * now waits. The first such job in queue order holds a reservation on its best
 * pool at its expected start there; later jobs may start in that pool only if
 * they end (by expected run time) by then or fit in the cores left over at that
 * time, and their expected start in it is no earlier than the reservation.
 * Once a reservation is held, a job that fits nowhere now is not scored (it
 * could not start anyway). Start decisions carry why: every candidate with its
 * criteria and cost; where the world keeps no reasons (ClusterView.explain
 * false) they carry none. A job with a single candidate pool goes there
 * without its criteria worked out (they could not change the choice) unless
 * they explain its start.
 */
import { EF_CATEGORIES, N_COORDS, N_EF, N_PHASES, categoryIndex } from "../../core/index.js";
import { singleScore } from "../../core/index.js";
import type { DeviceClass } from "../../io/index.js";
import { chargeForecastInto, chargeInto, phaseTotal, type ChargeEnergy } from "../../models/index.js";
import { defaultDevice, holdsWholeNodes, placementCharge, placementEmbodied } from "../resources.js";
import type { ClusterView, Decision, Explanation, IntensityForecast, Policy, PoolView, QueuedJobView, WorldEvent } from "../view.js";
import { Capacity, coresFor, nextBackfill, PassStarts, QueueWalk, runtimeFor, secondsTo, shadowTime } from "./common.js";
import { missingBytes, transferJoules, transferTime } from "../transfers.js";

export interface WeightedParams {
  /** Weight of expected completion time (default 1). */
  readonly time?: number;
  /** Weight of expected facility energy (default 1). */
  readonly energy?: number;
  /** Weight of the expected single-score impact (default 1). */
  readonly impact?: number;
  /** Weights of chosen EF 3.1 categories by id, e.g. { WU: 0.5 } (default none). */
  readonly categories?: Readonly<Record<string, number>>;
}

const CC = categoryIndex("CC");
/** The intensity integral of a price that only its energy is read from. */
const NO_INTENSITY = new Float64Array(N_COORDS);
/** A batch job's missing inputs: none (shared, never written). */
const NO_BYTES: ReadonlyMap<number, number> = new Map();

/** A pass's decisions when it makes none (shared: a pass that starts nothing allocates nothing). */
const NONE: readonly Decision[] = Object.freeze([]);

/**
 * A candidate pool of the job being placed. One per pool, reused from job to
 * job (a pass places thousands of jobs; an object and an array per candidate
 * were a good part of what the policy allocated): read before the next job is
 * evaluated.
 */
interface Candidate {
  pool: number;
  /** Cores it takes (common.ts coresFor). */
  cores: number;
  now: boolean;
  start: number;
  runtime: number;
  transfer: number;
  completion: number;
  energy: number;
  impact: number;
  /** The chosen categories' coordinates, in `cats` order. */
  readonly categories: Float64Array;
  cost: number;
}

/** Criteria by index for score(): completion, energy, impact, then the chosen categories (0, 1, ...). */
const TIME = -3;
const ENERGY = -2;
const IMPACT = -1;

/** The forecast's mean of every EF category over [from, to] into `out`, at once where it can (IntensityForecast.meanInto). */
function meansInto(f: IntensityForecast, from: number, to: number, out: Float64Array): void {
  if (f.meanInto !== undefined) f.meanInto(from, to, out);
  else for (let e = 0; e < N_EF; e++) out[e] = f.mean(from, to, e);
}

function criterion(c: Candidate, k: number): number {
  return k === TIME ? c.completion : k === ENERGY ? c.energy : k === IMPACT ? c.impact : c.categories[k];
}

/** Bytes a queued workflow task still needs at `site` (none for a batch job); undefined where an input cannot reach it. */
function missingFor(view: ClusterView, job: QueuedJobView, site: number): ReadonlyMap<number, number> | undefined {
  if (job.workflow === undefined || job.task === undefined) return NO_BYTES;
  const w = view.workflows[job.workflow];
  return w === undefined ? NO_BYTES : missingBytes(view, w, job.task, site);
}

export function policyWeighted(params: WeightedParams = {}): Policy {
  const wTime = params.time ?? 1;
  const wEnergy = params.energy ?? 1;
  const wImpact = params.impact ?? 1;
  for (const [k, v] of [["time", wTime], ["energy", wEnergy], ["impact", wImpact]] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`policyWeighted: ${k}: expected a finite weight >= 0, got ${v}`);
  }
  const cats = Object.entries(params.categories ?? {}).map(([id, w]) => {
    const index = categoryIndex(id);
    if (index < 0 || index >= N_EF) throw new RangeError(`policyWeighted: categories: expected EF 3.1 category ids (${EF_CATEGORIES.map((c) => c.id).join(", ")}), got ${JSON.stringify(id)}`);
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`policyWeighted: categories.${id}: expected a finite weight >= 0, got ${w}`);
    return { id, index, weight: w };
  });
  cats.sort((a, b) => a.index - b.index);
  const total = wTime + wEnergy + wImpact + cats.reduce((s, c) => s + c.weight, 0);
  if (!(total > 0)) throw new RangeError(`policyWeighted: expected at least one weight > 0, got time ${wTime}, energy ${wEnergy}, impact ${wImpact} and categories ${JSON.stringify(params.categories ?? {})}`);
  const needVector = wImpact > 0 || cats.some((c) => c.weight > 0);
  const vector = new Float64Array(N_COORDS);
  // Scratch for a candidate's charges: the run, the nodes held while inputs arrive, the intensity integral.
  const run = new Float64Array(N_PHASES * N_COORDS);
  const hold = new Float64Array(N_PHASES * N_COORDS);
  const integral = new Float64Array(N_COORDS);
  const runEnergy: ChargeEnergy = { it: 0, facility: 0 };
  const holdEnergy: ChargeEnergy = { it: 0, facility: 0 };
  const embodied = new Float64Array(N_PHASES * N_COORDS);
  // Scratch for the mean intensities an input's move is charged at, sending and receiving.
  const sent = new Float64Array(N_COORDS);
  const received = new Float64Array(N_COORDS);
  // Scratch for jobs started in the current pass (pool, cores, idle nodes taken, predicted end), and the capacity they leave.
  const pass = new PassStarts();
  const free = new Capacity();
  const walk = new QueueWalk();
  const freeHere = { cores: 0, nodes: 0 };
  const need = { cores: 0, wholeNodes: 0 };
  // Per job: the pools that pass the filters (by pool index: need, fits now, run time, missing bytes), then their candidates.
  const fitPools: number[] = [];
  const fitNeed: number[] = [];
  const fitNow: boolean[] = [];
  const fitRuntime: number[] = [];
  const fitBytes: (ReadonlyMap<number, number> | undefined)[] = [];
  // The cores free beyond the job's need at its expected start, in the pools where it waits.
  const fitExtra: number[] = [];
  const slots: Candidate[] = [];
  const cands: Candidate[] = [];
  // Per pass: each site's forecast, read when first needed.
  const forecasts: (IntensityForecast | undefined)[] = [];
  // The start decisions' reason by candidate count, and each pool's option texts (remade if its site reads otherwise).
  const weightsText = `(time ${wTime}, energy ${wEnergy}, impact ${wImpact}${cats.map((c) => `, ${c.id} ${c.weight}`).join("")})`;
  const reasons: string[] = [];
  const options: { site: string; now: string; waiting: string }[] = [];

  function slot(p: number): Candidate {
    while (slots.length <= p) {
      slots.push({ pool: 0, cores: 0, now: false, start: 0, runtime: 0, transfer: 0, completion: 0, energy: 0, impact: 0, categories: new Float64Array(cats.length), cost: 0 });
    }
    return slots[p];
  }

  function forecastOf(view: ClusterView, site: number): IntensityForecast {
    return (forecasts[site] ??= view.forecast(view.sites[site].id));
  }

  /**
   * Earliest time the job's need is met in pool p, and the cores free beyond it then (as EASY's reservation; read at once).
   * `cores`: coresFor(job, pool), finite; the need is common.needFor's, counted from them (whole nodes: cores / cores per node).
   */
  function shadowOf(view: ClusterView, job: QueuedJobView, pool: PoolView, cores: number): { readonly shadow: number; readonly extra: number } {
    need.cores = cores;
    need.wholeNodes = holdsWholeNodes(job, pool) ? cores / pool.coresPerNode : 0;
    freeHere.cores = free.cores[pool.index];
    freeHere.nodes = free.nodes[pool.index];
    return shadowTime(view, pool.index, need, freeHere, pass);
  }

  /**
   * Criteria of running `job` on `pool` from `start` (its allocation held from start, inputs first), into `c`.
   * `runtime`: runtimeFor(job, pool). Without `criteria`, only where and when (a lone candidate whose
   * figures nobody reads: it wins whatever they are); its energy, impact and cost are then left as they were.
   */
  function evaluate(view: ClusterView, job: QueuedJobView, pool: PoolView, need: number, start: number, fitsNow: boolean, runtime: number, bytes: ReadonlyMap<number, number>, c: Candidate, criteria: boolean): void {
    const moves = bytes.size > 0;
    const transfer = moves ? transferTime(view, bytes) : 0;
    c.pool = pool.index;
    c.cores = need;
    c.now = fitsNow;
    c.start = start;
    c.runtime = runtime;
    c.transfer = transfer;
    c.completion = start - view.now + transfer + runtime;
    c.cost = 0;
    if (!criteria) return;
    const site = view.sites[pool.siteIndex];
    const device: DeviceClass = job.runtimes === undefined ? "cpu" : defaultDevice(job, pool)!;
    const charge = placementCharge(job, pool, device);
    const rate = placementEmbodied(pool, charge, embodied, start, transfer + runtime);
    const transferJ = moves ? transferJoules(view, bytes) : 0;
    // The run at its busy draw after the inputs are in, its allocation held idle while they travel
    // (models/charge); the forecast is read only where impacts are weighed and time passes.
    const here = needVector ? forecastOf(view, pool.siteIndex) : undefined;
    if (here !== undefined && runtime > 0) chargeForecastInto(run, runEnergy, 1, charge.runWatts, start + transfer, runtime, site.pue, here, rate, integral);
    else chargeInto(run, runEnergy, 1, charge.runWatts, runtime, site.pue, NO_INTENSITY, rate);
    // Without transfers the hold lasts 0 s: no energy and impacts of 0, which leave the run's sums as they are.
    let holdFacility = 0;
    if (transfer > 0) {
      if (here !== undefined) chargeForecastInto(hold, holdEnergy, 1, charge.holdWatts, start, transfer, site.pue, here, rate, integral);
      else chargeInto(hold, holdEnergy, 1, charge.holdWatts, transfer, site.pue, NO_INTENSITY, rate);
      holdFacility = holdEnergy.facility;
    }
    c.energy = runEnergy.facility + holdFacility + transferJ;
    c.impact = 0;
    if (here !== undefined) {
      if (transfer > 0) for (let k = 0; k < run.length; k++) run[k] += hold[k];
      for (let e = 0; e < N_EF; e++) vector[e] = phaseTotal(run, e);
      // Each input's move at the intensities of the sites that send and receive it, link by link
      // (each category's sum in the same order as category by category).
      if (moves) {
        for (const [k, b] of bytes) {
          const l = view.links[k];
          const end = start + l.latency + b / l.bandwidth;
          meansInto(forecastOf(view, l.from), start, end, sent);
          meansInto(here, start, end, received);
          const send = b * (l.joulesPerByte.source + l.joulesPerByte.network);
          const receive = b * l.joulesPerByte.destination;
          for (let e = 0; e < N_EF; e++) vector[e] += send * sent[e] + receive * received[e];
        }
      }
      c.impact = view.scoreMethod ? singleScore(vector, view.scoreMethod) : vector[CC];
      for (let k = 0; k < cats.length; k++) c.categories[k] = vector[cats[k].index];
    }
  }

  /** Adds weight x criterion k / its least value over the candidates to each one's cost (see the module comment for a least value of 0). */
  function weigh(n: number, weight: number, k: number): void {
    if (weight === 0) return;
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const x = criterion(cands[i], k);
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    for (let i = 0; i < n; i++) {
      const c = cands[i];
      const x = criterion(c, k);
      c.cost += weight * (min > 0 ? x / min : x > 0 ? 1 + x / max : 1);
    }
  }

  /** Each candidate's cost: the sum of weight x normalised criterion. */
  function score(n: number, job: QueuedJobView): void {
    // A job's QoS preference p tilts the weights: time x 2(1 - p), the rest x 2p (p = 0.5 keeps them).
    const p = job.qos?.impact_preference ?? 0.5;
    const tTime = 2 * (1 - p);
    const tImpact = 2 * p;
    weigh(n, wTime * tTime, TIME);
    weigh(n, wEnergy * tImpact, ENERGY);
    weigh(n, wImpact * tImpact, IMPACT);
    for (let k = 0; k < cats.length; k++) weigh(n, cats[k].weight * tImpact, k);
  }

  function describe(view: ClusterView, c: Candidate): Record<string, number> {
    const out: Record<string, number> = { cost: c.cost, start_s: c.start, completion_s: c.completion, transfer_s: c.transfer, energy_j: c.energy };
    if (needVector) {
      out[view.scoreMethod ? "impact_pt" : "impact_cc_kg"] = c.impact;
      for (let k = 0; k < cats.length; k++) out[cats[k].id] = c.categories[k];
    }
    return out;
  }

  function reason(n: number): string {
    return (reasons[n] ??= `least weighted cost over ${n} candidate pool${n === 1 ? "" : "s"} ${weightsText}`);
  }

  function option(p: number, site: string, now: boolean): string {
    let o = options[p];
    if (o === undefined || o.site !== site) {
      const text = `pool ${p} (site ${site})`;
      o = options[p] = { site, now: text, waiting: `${text}, waiting` };
    }
    return now ? o.now : o.waiting;
  }

  /** Why the job starts on `best`: every candidate with its criteria and cost (the best one's described once). */
  function why(view: ClusterView, pools: readonly PoolView[], n: number, best: Candidate): Explanation {
    const expected = describe(view, best);
    const alternatives: { option: string; expected: Record<string, number> }[] = [];
    for (let i = 0; i < n; i++) {
      const c = cands[i];
      alternatives.push({ option: option(c.pool, pools[c.pool].site, c.now), expected: c === best ? expected : describe(view, c) });
    }
    return { reason: reason(n), expected, alternatives };
  }

  const policyParams: Record<string, unknown> = { time: wTime, energy: wEnergy, impact: wImpact, categories: Object.fromEntries(cats.map((c) => [c.id, c.weight])) };

  return {
    name: "weighted",
    version: "1",
    params: policyParams,
    decide(view: ClusterView, _happened: readonly WorldEvent[]): readonly Decision[] {
      const pools = view.pools;
      free.from(pools);
      if (!free.any()) return NONE;
      const now = view.now;
      // Whether the world keeps reasons (ClusterView.explain): without, starts carry no why.
      const explain = view.explain !== false;
      let out: Decision[] | undefined;
      pass.clear();
      forecasts.length = 0;
      // The reservation, once a job waits: its pool (-1: none yet), its expected start there and the cores free beyond its need then.
      let resPool = -1;
      let resShadow = 0;
      let resExtra = 0;
      let shortSeconds = -Infinity;
      // Once a reservation is held, only jobs that fit now may start (the others are not scored): the walk
      // passes over the rest by EASY's rule (a job's run time there includes transfers, so the rule's bound holds).
      const queue = walk.start(view);
      for (let job = queue.next(); job !== undefined; job = resPool < 0 ? queue.next() : nextBackfill(queue, free, resPool, resExtra, shortSeconds)) {
        // Filter: pools that can hold it and reach its inputs; which of them can take it now.
        let nFit = 0;
        let anyNow = false;
        for (let p = 0; p < pools.length; p++) {
          const pool = pools[p];
          const need = coresFor(job, pool);
          if (need === Infinity) continue;
          const runtime = runtimeFor(job, pool);
          if (!Number.isFinite(runtime)) continue;
          const bytes = missingFor(view, job, pool.siteIndex);
          if (bytes === undefined) continue;
          let fitsNow = free.fits(job, pool);
          if (fitsNow && resPool === p) {
            fitsNow = now + (bytes.size > 0 ? transferTime(view, bytes) : 0) + runtime <= resShadow || need <= resExtra;
          }
          anyNow ||= fitsNow;
          fitPools[nFit++] = p;
          fitNeed[p] = need;
          fitNow[p] = fitsNow;
          fitRuntime[p] = runtime;
          fitBytes[p] = bytes;
        }
        if (nFit === 0 || (!anyNow && resPool >= 0)) continue;
        // A lone candidate wins whatever its figures: they are worked out only for the why of its start.
        const criteria = nFit > 1 || (explain && fitNow[fitPools[0]]);
        let n = 0;
        for (let i = 0; i < nFit; i++) {
          const p = fitPools[i];
          let start = now;
          if (!fitNow[p]) {
            const s = shadowOf(view, job, pools[p], fitNeed[p]);
            start = s.shadow;
            fitExtra[p] = s.extra;
            if (resPool === p) start = Math.max(start, resShadow);
            if (!Number.isFinite(start)) continue;
          }
          const c = slot(p);
          evaluate(view, job, pools[p], fitNeed[p], start, fitNow[p], fitRuntime[p], fitBytes[p]!, c, criteria);
          cands[n++] = c;
        }
        if (n === 0) continue;
        if (criteria) score(n, job);
        let best = cands[0];
        for (let i = 0; i < n; i++) {
          const c = cands[i];
          if (c.cost < best.cost - 1e-9 * Math.max(Math.abs(c.cost), Math.abs(best.cost))) best = c;
        }
        if (best.now) {
          const p = best.pool;
          if (resPool === p && !(now + best.transfer + best.runtime <= resShadow)) resExtra -= best.cores;
          const idle = free.take(job, pools[p]);
          pass.add(p, best.cores, idle, now + best.transfer + best.runtime);
          (out ??= []).push(explain ? { kind: "start", jobId: job.id, pool: p, why: why(view, pools, n, best) } : { kind: "start", jobId: job.id, pool: p });
          if (!free.any()) break;
        } else if (resPool < 0) {
          // The first job that waits holds its best pool from its expected start there (and the cores beyond its need then, as shadowOf gave them).
          resPool = best.pool;
          resShadow = best.start;
          resExtra = fitExtra[resPool];
          shortSeconds = secondsTo(resShadow, now);
        }
      }
      return out ?? NONE;
    },
  };
}
