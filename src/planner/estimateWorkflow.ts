/**
 * Estimates of a workflow before it is submitted: for each placement, its
 * wait, makespan, energy, power and impacts, with uncertainty ranges, ranked
 * by the user's preference between time and impact (SPECTRUM D6.1 rec. 4, 7).
 *
 * Placements: every site alone that can run all tasks, then HEFT over all
 * sites, then impact-aware HEFT over all sites (identical plans are given
 * once). Each is a planWorkflow plan (the one the HEFT policy makes) charged
 * the way the simulator charges tasks and transfers (tasks with the
 * accountant's arithmetic, models/charge.ts): each task's node at its
 * busy draw x PUE x forecast intensity over the task (and at idle draw from
 * when the task could start until its inputs arrive, as the policy holds the
 * node), plus embodied impacts per node-second; each file sent between sites once per destination, bytes x
 * joules per byte (sending share and network at the sending site, receiving
 * share at the receiving site, no PUE), over the transfer.
 *
 * Ranges: the plan again with every run time scaled by the spread's low and
 * high ends and other jobs ending at their low and high ratios; the use phase
 * further widened by the forecast's stated error (+-z sigma, per task).
 * Not modelled: staging from slower storage tiers, link sharing between
 * concurrent transfers (each is planned at the link's full bandwidth), and
 * batch jobs queued ahead (the HEFT policy starts ready tasks before them).
 */
import { N_COORDS, N_PHASES, PHASE_INDEX, categoryIndex } from "../core/index.js";
import type { DeviceClass } from "../io/index.js";
import type { WorkflowSpec, WorkflowTask } from "../io/index.js";
import { chargeForecastInto, chargeScore, phaseTotal, type ChargeEnergy } from "../models/index.js";
import { forecastBand, normaliser, Z_80, type EstimateOptions, type Range } from "./estimate.js";
import { placementCharge, placementEmbodied } from "./resources.js";
import { planWorkflow, taskJob, type WorkflowPlan } from "./workflowPlan.js";
import type { ClusterView, WorkflowView } from "./view.js";

const USE = PHASE_INDEX.use;
const CC = categoryIndex("CC");

export interface WorkflowRequest {
  readonly spec: WorkflowSpec;
  /** Index of the site holding its initial files. */
  readonly site: number;
  readonly project?: string;
  /** Runtime models of a task per device class (s on a reference node); default: its recorded runtime on CPUs. */
  readonly runtimes?: (task: WorkflowTask) => Readonly<Partial<Record<DeviceClass, number>>>;
}

export type WorkflowEstimateOptions = Pick<EstimateOptions, "preference" | "runtimeSpread" | "othersRatio" | "z">;

export interface WorkflowEstimate {
  /** "site <id>", "HEFT over all sites" or "impact-aware HEFT over all sites". */
  readonly placement: string;
  readonly tasks_per_site: Readonly<Record<string, number>>;
  /** First task's start - now, s. */
  readonly wait_s: number;
  /** Last task's end - now, s. */
  readonly makespan_s: number;
  /** Tasks' IT energy (nodes held while inputs arrive at idle draw) plus transfer energy, as the accountant counts it, J. */
  readonly energy_it_j: number;
  /** Tasks' IT energy x PUE plus transfer energy, J. */
  readonly energy_facility_j: number;
  readonly transfer_energy_j: number;
  readonly bytes_moved: number;
  /** Highest sum of the IT draws of tasks' nodes held at once, W; mean = their IT energy (without transfers) / makespan. */
  readonly power_peak_w: number;
  readonly power_mean_w: number;
  /** N_PHASES x N_COORDS, phase-major. */
  readonly impacts: Float64Array;
  readonly single_score_pt: number | null;
  readonly range: {
    readonly makespan_s: Range;
    readonly energy_it_j: Range;
    readonly energy_facility_j: Range;
    readonly single_score_pt: Range | null;
    readonly impacts_low: Float64Array;
    readonly impacts_high: Float64Array;
  };
  /** As estimate(): (1 - p) * makespan / least makespan + p * impact / least impact. */
  readonly rank_cost: number;
}

interface Charge {
  readonly plan: WorkflowPlan;
  readonly it: number;
  readonly facility: number;
  readonly transferJ: number;
  readonly bytes: number;
  readonly peak: number;
  readonly impacts: Float64Array;
  /** Use-phase impacts of tasks widened by -z and +z times the forecast's spread. */
  readonly useLow: Float64Array;
  readonly useHigh: Float64Array;
}

/**
 * Estimates of the workflow for every placement, ranked by rank_cost (ties: listing order).
 * @throws RangeError as estimate() on bad options, or when the workflow's site is not in the view
 */
export function estimateWorkflow(request: WorkflowRequest, view: ClusterView, options: WorkflowEstimateOptions = {}): WorkflowEstimate[] {
  const p = options.preference ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`estimateWorkflow: expected a preference in [0, 1], got ${p}`);
  const spread = options.runtimeSpread ?? { low: 1, high: 1 };
  if (!(spread.low > 0 && spread.low <= 1 && spread.high >= 1 && Number.isFinite(spread.high))) {
    throw new RangeError(`estimateWorkflow: expected a runtime spread with 0 < low <= 1 <= high, got ${JSON.stringify(spread)}`);
  }
  const ratio = options.othersRatio ?? { low: 0, mid: 1, high: 1 };
  const z = options.z ?? Z_80;
  if (!(Number.isInteger(request.site) && request.site >= 0 && request.site < view.sites.length)) {
    throw new RangeError(`estimateWorkflow: expected the index of a site of the view (0..${view.sites.length - 1}), got ${request.site}`);
  }
  const w = workflowView(request, view);
  const S = view.sites.length;

  const choices: { placement: string; sites?: number[]; impactWeight?: number }[] = [];
  for (let s = 0; s < S; s++) choices.push({ placement: `site ${view.sites[s].id}`, sites: [s] });
  if (S > 1) choices.push({ placement: "HEFT over all sites" }, { placement: "impact-aware HEFT over all sites", impactWeight: 1 });

  const drafts: Omit<WorkflowEstimate, "rank_cost">[] = [];
  const seen = new Set<string>();
  for (const c of choices) {
    const base = { sites: c.sites, impactWeight: c.impactWeight, stageInputs: true };
    let mid: WorkflowPlan;
    try {
      mid = planWorkflow(view, w, { ...base, othersRatio: ratio.mid });
    } catch {
      continue; // some task can run nowhere in this placement
    }
    const key = Array.from(mid.node).join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    const low = planWorkflow(view, w, { ...base, runtimeScale: spread.low, othersRatio: ratio.low });
    const high = planWorkflow(view, w, { ...base, runtimeScale: spread.high, othersRatio: ratio.high });
    const [cm, cl, ch] = [charge(view, w, mid, z), charge(view, w, low, z), charge(view, w, high, z)];
    const impactsLow = new Float64Array(N_PHASES * N_COORDS);
    const impactsHigh = new Float64Array(N_PHASES * N_COORDS);
    // The low and high plans may place tasks elsewhere than the expected one: every end is the extreme of the three.
    for (let k = 0; k < impactsLow.length; k++) {
      const isUse = k >= USE * N_COORDS && k < (USE + 1) * N_COORDS;
      impactsLow[k] = isUse ? Math.min(cl.useLow[k], cm.useLow[k], ch.useLow[k]) : Math.min(cl.impacts[k], cm.impacts[k], ch.impacts[k]);
      impactsHigh[k] = isUse ? Math.max(cl.useHigh[k], cm.useHigh[k], ch.useHigh[k]) : Math.max(cl.impacts[k], cm.impacts[k], ch.impacts[k]);
    }
    const method = view.scoreMethod;
    const perSite: Record<string, number> = {};
    for (const s of mid.site) perSite[view.sites[s].id] = (perSite[view.sites[s].id] ?? 0) + 1;
    let first = Infinity;
    for (const t of mid.start) first = Math.min(first, t);
    drafts.push({
      placement: c.placement,
      tasks_per_site: perSite,
      wait_s: first,
      makespan_s: mid.makespan,
      energy_it_j: cm.it,
      energy_facility_j: cm.facility,
      transfer_energy_j: cm.transferJ,
      bytes_moved: cm.bytes,
      power_peak_w: cm.peak,
      power_mean_w: mid.makespan > 0 ? (cm.it - cm.transferJ) / mid.makespan : 0,
      impacts: cm.impacts,
      single_score_pt: method ? chargeScore(cm.impacts, method) : null,
      range: {
        makespan_s: [Math.min(low.makespan, mid.makespan, high.makespan), Math.max(low.makespan, mid.makespan, high.makespan)],
        energy_it_j: [Math.min(cl.it, cm.it, ch.it), Math.max(cl.it, cm.it, ch.it)],
        energy_facility_j: [Math.min(cl.facility, cm.facility, ch.facility), Math.max(cl.facility, cm.facility, ch.facility)],
        single_score_pt: method ? [chargeScore(impactsLow, method), chargeScore(impactsHigh, method)] : null,
        impacts_low: impactsLow,
        impacts_high: impactsHigh,
      },
    });
  }
  const time = normaliser(drafts.map((d) => d.makespan_s));
  const impact = normaliser(drafts.map((d) => d.single_score_pt ?? phaseTotal(d.impacts, CC)));
  const out = drafts.map((d) => ({ ...d, rank_cost: (1 - p) * time(d.makespan_s) + p * impact(d.single_score_pt ?? phaseTotal(d.impacts, CC)) }));
  return out.map((e, i) => ({ e, i })).sort((a, b) => a.e.rank_cost - b.e.rank_cost || a.i - b.i).map((x) => x.e);
}

/** The workflow as the planner sees one in the view: initial files at its site, nothing run yet. */
function workflowView(request: WorkflowRequest, view: ClusterView): WorkflowView {
  const spec = request.spec;
  const fileSites = new Uint32Array(spec.files.length);
  for (const f of spec.initialFiles) fileSites[f] = 1 << request.site;
  return {
    index: -1,
    spec,
    project: request.project ?? `workflow:${spec.name}`,
    submit: view.now,
    site: request.site,
    firstJobId: 0,
    taskRuntimes: spec.tasks.map((t) => request.runtimes?.(t) ?? { cpu: t.runtime }),
    taskState: new Uint8Array(spec.tasks.length),
    taskSite: new Int32Array(spec.tasks.length).fill(-1),
    fileSites,
  };
}

/** What the simulator would charge for the plan. */
function charge(view: ClusterView, w: WorkflowView, plan: WorkflowPlan, z: number): Charge {
  const now = view.now;
  const impacts = new Float64Array(N_PHASES * N_COORDS);
  const useLow = new Float64Array(N_PHASES * N_COORDS);
  const useHigh = new Float64Array(N_PHASES * N_COORDS);
  const n = w.spec.tasks.length;
  const forecasts = view.sites.map((s) => view.forecast(s.id));
  const edges: { t: number; watts: number }[] = [];
  // The HEFT policy starts a task on its node once its parents are done and its
  // slot is free, and holds its allocation at idle draw until its inputs arrive.
  const holdFrom = new Float64Array(n);
  const bySlot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let t = plan.slotReady[plan.slot[i]];
    for (const p of w.spec.tasks[i].parents) t = Math.max(t, plan.finish[p]);
    holdFrom[i] = t;
    const list = bySlot.get(plan.slot[i]);
    if (list) list.push(i);
    else bySlot.set(plan.slot[i], [i]);
  }
  for (const list of bySlot.values()) {
    list.sort((a, b) => plan.start[a] - plan.start[b]);
    for (let k = 1; k < list.length; k++) holdFrom[list[k]] = Math.max(holdFrom[list[k]], plan.finish[list[k - 1]]);
  }
  let it = 0;
  let facility = 0;
  // Scratch: a task's run and hold charges (models/charge), their energy, the intensity integral.
  const runPart = new Float64Array(N_PHASES * N_COORDS);
  const holdPart = new Float64Array(N_PHASES * N_COORDS);
  const runEnergy: ChargeEnergy = { it: 0, facility: 0 };
  const holdEnergy: ChargeEnergy = { it: 0, facility: 0 };
  const integral = new Float64Array(N_COORDS);
  const rate = new Float64Array(N_PHASES * N_COORDS);
  for (let i = 0; i < n; i++) {
    const pool = view.pools[plan.poolOfNode[plan.node[i]]];
    const device = plan.device[i];
    const charge = placementCharge(taskJob(w, i), pool, device);
    const watts = charge.runWatts;
    const site = view.sites[pool.siteIndex];
    const from = now + plan.start[i];
    const to = now + plan.finish[i];
    const held = now + Math.min(holdFrom[i], plan.start[i]);
    placementEmbodied(pool, charge, rate, held, to - held);
    const runtime = to - from;
    const hold = from - held;
    const f = forecasts[site.index];
    // What the task holds at its busy draw over the run, and at idle draw while it is held for inputs.
    chargeForecastInto(runPart, runEnergy, 1, watts, from, runtime, site.pue, f, rate, integral);
    chargeForecastInto(holdPart, holdEnergy, 1, charge.holdWatts, held, hold, site.pue, f, rate, integral);
    it += runEnergy.it + holdEnergy.it;
    facility += runEnergy.facility + holdEnergy.facility;
    edges.push({ t: held, watts: charge.holdWatts }, { t: from, watts: watts - charge.holdWatts }, { t: to, watts: -watts });
    for (let c = 0; c < N_COORDS; c++) {
      const [fLow, fHigh] = forecastBand(f, held, to, c, z);
      for (let ph = 0; ph < N_PHASES; ph++) {
        const k = ph * N_COORDS + c;
        const v = runPart[k] + holdPart[k];
        impacts[k] += v;
        // The forecast's stated error widens the use phase only.
        if (ph === USE) {
          useLow[k] += v * fLow;
          useHigh[k] += v * fHigh;
        }
      }
    }
  }
  // Files sent between sites: each once per destination, outputs when their producer ends, initial files now.
  const S = view.sites.length;
  const link = new Map<number, number>();
  view.links.forEach((l, k) => link.set(l.from * S + l.to, k));
  const producer = new Int32Array(w.spec.files.length).fill(-1);
  for (const t of w.spec.tasks) for (const f of t.outputs) producer[f] = t.index;
  const sent = new Set<number>();
  let transferJ = 0;
  let bytes = 0;
  for (const t of w.spec.tasks) {
    const to = plan.site[t.index];
    for (const f of t.inputs) {
      const p = producer[f];
      const from = p >= 0 ? plan.site[p] : w.site;
      if (from === to || sent.has(f * S + to)) continue;
      const k = link.get(from * S + to);
      if (k === undefined) continue; // the plan only crosses linked sites; a missing route stays with the simulator's refusal
      sent.add(f * S + to);
      const l = view.links[k];
      const size = w.spec.files[f].bytes;
      const start = now + (p >= 0 ? plan.finish[p] : 0);
      const end = start + l.latency + size / l.bandwidth;
      const parts: [number, number][] = [
        [from, size * (l.joulesPerByte.source + l.joulesPerByte.network)],
        [to, size * l.joulesPerByte.destination],
      ];
      for (const [s, joules] of parts) {
        for (let c = 0; c < N_COORDS; c++) {
          const v = joules * forecasts[s].mean(start, end, c);
          impacts[USE * N_COORDS + c] += v;
          useLow[USE * N_COORDS + c] += v;
          useHigh[USE * N_COORDS + c] += v;
        }
      }
      transferJ += parts[0][1] + parts[1][1];
      bytes += size;
    }
  }
  edges.sort((a, b) => a.t - b.t || a.watts - b.watts);
  let power = 0;
  let peak = 0;
  for (const e of edges) {
    power += e.watts;
    if (power > peak) peak = power;
  }
  // As the accountant does, transfer energy counts in both the IT and the facility energy.
  return { plan, it: it + transferJ, facility: facility + transferJ, transferJ, bytes, peak, impacts, useLow, useHigh };
}
