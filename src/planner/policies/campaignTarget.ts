/**
 * Campaign target (issue 4): the queued work is planned as a campaign by linear
 * programming (planner/campaign), and the live pass lets a job start only where
 * and when the plan holds room for its class; EASY backfilling places it there.
 *
 * Planning, at the first pass with a queue and again at the first pass at or
 * after `replan_s` of simulated time (the policy asks for that wake-up while
 * jobs wait) or after the horizon ends:
 * - sites: every site of the view, with the nodes of its pools and its PUE;
 *   slots: `horizon_slots` slots of `slot_s` from now; intensity[s][k]: the
 *   forecast mean of CC over slot k at site s, per joule;
 * - a job's class is its QoS class name ("qos:<name>"), else its project
 *   ("project:<name>"); with class_of "project", always its project. Its pool is
 *   the first (platform order) that can ever hold it; n and r the nodes (node
 *   equivalents for a job that shares nodes: its cores over the node's) and
 *   priced run time there (walltime for batch jobs, runtime models for tasks,
 *   cut at the walltime: planner/resources pricedRuntime);
 * - latest start: submit + max_delay_s, earlier with a QoS deadline
 *   (submit + deadline_s - r); without QoS, submit + the horizon. Jobs already
 *   at their latest start (max_delay_s 0, say) are left out of the plan;
 * - LP classes are the jobs grouped by class, by window and by the sites that
 *   can run them (so one late job does not shrink its class's window):
 *   node-hours = sum of n r / 3600, release 0, deadline = the slot by which a
 *   job starting at its latest start ends, ceil((latest + r - now) / slot_s),
 *   in [1, horizon] (the whole horizon without QoS). The LP counts work per
 *   slot against node capacity, so the window covers the run, not the start
 *   alone; starts still never pass the latest start (below). wattsPerSite is
 *   the draw per node of the group's first job on the site's first pool that
 *   can run it, as the accountant charges it (planner/resources placementCharge;
 *   Infinity where none can), and a node-hour costs what the accountant
 *   charges for it (planner/campaign nodeHourCost);
 * - planCampaign solves it when it has at most 20,000 variables, else (or when
 *   the LP is infeasible) planCampaignGreedy. If both fail, the windows are
 *   relaxed to the whole horizon and both are tried again; if that fails too,
 *   there is no plan and every job runs as soon as possible. Which was used is
 *   in every explanation and in currentPlan(). A cost of 1e-9 of the largest
 *   intensity per slot is added for the solver only, so equal cells go to the
 *   earliest slot; reported intensities and the impact use the forecast.
 *   Embodied impacts, running jobs and jobs left out do not enter the LP.
 *
 * Every pass (slot t = the slot holding now):
 * - jobs not in the plan (they arrived after it; they join at the next replan)
 *   and planned jobs at or past their latest start run as soon as possible:
 *   EASY over every pool, in queue order, first. The latter carry a `why`;
 * - a planned job starts only at a site where its class still has planned
 *   node-hours in slot t (the cleanest such site where it fits now, else the
 *   cleanest): jobs are taken in queue order, each consuming its occupancy
 *   n x (overlap of [now, now + r] with slot k) / 3600 from slots t, t+1, ... at
 *   that site (never below 0), and EASY runs per site over that site's pools
 *   (restrictView). A job EASY does not start gives its node-hours back and
 *   waits for capacity, with a wake-up asked for at its latest start. Starts
 *   carry the plan in `why`;
 * - a planned job without room now is deferred (`defer`, emitted when its date
 *   changes) to the start of the next slot where its class has room at some
 *   site, but never past its latest start (there it starts anyway, recorded).
 * EASY's reservation does not carry from one of these runs to the next.
 * Where the world keeps no reasons (ClusterView.explain false) starts carry no
 * `why` and none is built; deferrals carry theirs either way.
 * Deterministic: no clock, no randomness; ties break by slot, site and queue order.
 */
import { categoryIndex } from "../../core/index.js";
import { nodeHourCost, planCampaign, planCampaignGreedy, type CampaignClass, type CampaignPlan, type CampaignProblem } from "../campaign.js";
import { defaultDevice, placementCharge, type PlacementCharge } from "../resources.js";
import type { ClusterView, Decision, Explanation, Policy, PoolView, QueuedJobView, WorldEvent } from "../view.js";
import { Capacity, canHold as holds, runtimeFor } from "./common.js";
import { policyEasyBackfill } from "./easy.js";
import { restrictView } from "./restrict.js";

export interface CampaignTargetParams {
  /** What a job's class is: "qos" (default: its QoS class name, else its project) or "project". */
  readonly class_of?: "project" | "qos";
  /** Length of a plan slot, s (default 3600). */
  readonly slot_s?: number;
  /** Slots in a plan (default 24 * 7). */
  readonly horizon_slots?: number;
  /** Simulated time between plans, s (default 86400). */
  readonly replan_s?: number;
}

/** The plan in force, as data. */
export interface CampaignTargetPlanInfo {
  readonly built_s: number;
  readonly slotSeconds: number;
  readonly slots: number;
  /** "lp" (planCampaign), "greedy" (planCampaignGreedy) or "none" (no feasible plan: all jobs run as soon as possible). */
  readonly solver: "lp" | "greedy" | "none";
  /** True when the windows had to be widened to the whole horizon. */
  readonly relaxed: boolean;
  readonly variables: number;
  readonly constraints: number;
  /** Forecast impact of the plan (kg CO2e when intensities are per joule), 0 without one. */
  readonly impact: number;
  /** Why the LP or the first attempt failed, when one did. */
  readonly reason?: string;
  readonly classes: readonly { readonly name: string; readonly class: string; readonly nodeHours: number; readonly deadline: number; readonly jobs: readonly number[] }[];
  /** Planned node-hours per LP class, site and slot. */
  readonly alloc: readonly (readonly (readonly number[])[])[];
}

export interface CampaignTargetPolicy extends Policy {
  /** The plan in force (undefined before the first). */
  currentPlan(): CampaignTargetPlanInfo | undefined;
}

const CC = categoryIndex("CC");
const J_PER_KWH = 3.6e6;
/** Largest LP (variables x[c,s,t]) solved by the simplex; bench/campaign.ts measures the sizes. */
const MAX_LP_VARIABLES = 20_000;
/** Node-hours below which a cell counts as empty. */
const EPS = 1e-9;
const WOKE: readonly WorldEvent[] = [{ kind: "wokeUp" }];

interface Group {
  readonly name: string;
  readonly cls: string;
  readonly deadline: number;
  readonly jobs: number[];
  nodeHours: number;
  readonly watts: number[];
}

interface State {
  readonly info: CampaignTargetPlanInfo;
  readonly start: number;
  readonly end: number;
  readonly groups: readonly Group[];
  /** Node-hours left per group, site and slot. */
  readonly remaining: number[][][];
  /** Forecast intensity per site and slot, per joule. */
  readonly intensity: readonly (readonly number[])[];
  readonly jobGroup: ReadonlyMap<number, number>;
}

const fmt = (x: number) => String(Number(x.toPrecision(4)));

export function policyCampaignTarget(params: CampaignTargetParams = {}): CampaignTargetPolicy {
  const classOf = params.class_of ?? "qos";
  const slotS = params.slot_s ?? 3600;
  const slots = params.horizon_slots ?? 24 * 7;
  const replanS = params.replan_s ?? 86400;
  const bad = (name: string, expected: string, v: unknown) => new RangeError(`policyCampaignTarget: ${name}: expected ${expected}, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  if (classOf !== "qos" && classOf !== "project") throw bad("class_of", '"qos" or "project"', classOf);
  if (!(Number.isFinite(slotS) && slotS > 0)) throw bad("slot_s", "a finite number of seconds > 0", slotS);
  if (!(Number.isInteger(slots) && slots >= 1)) throw bad("horizon_slots", "an integer >= 1", slots);
  if (!(Number.isFinite(replanS) && replanS > 0)) throw bad("replan_s", "a finite number of seconds > 0", replanS);

  const easy = policyEasyBackfill();
  let state: State | undefined;
  let nextReplan = -Infinity;
  /** Wake-up times asked for and not yet reached. */
  const wakes = new Set<number>();
  const lastDefer = new Map<number, number>();

  const className = (job: QueuedJobView) => (classOf === "qos" && job.qos !== undefined ? `qos:${job.qos.name}` : `project:${job.project}`);
  const canHold = (job: QueuedJobView, p: PoolView) => holds(job, p) && Number.isFinite(runtimeFor(job, p));
  // Free capacity as this pass's starts leave it, and as its planned jobs' site choices use it up.
  const left = new Capacity();
  const spare = new Capacity();
  const firstPool = (pools: readonly PoolView[], job: QueuedJobView) => pools.find((p) => canHold(job, p));
  function latestStart(job: QueuedJobView, r: number): number {
    const q = job.qos;
    if (q === undefined) return job.submit + slots * slotS;
    const latest = job.submit + Math.max(0, q.max_delay_s);
    return q.deadline_s === undefined ? latest : Math.min(latest, job.submit + q.deadline_s - r);
  }

  function build(view: ClusterView): State {
    const now = view.now;
    const { sites, pools } = view;
    const intensity = sites.map((site) => {
      const f = view.forecast(site.id);
      return Array.from({ length: slots }, (_, k) => f.mean(now + k * slotS, now + (k + 1) * slotS, CC));
    });
    const nodes = sites.map(() => 0);
    for (const p of pools) nodes[p.siteIndex] += p.nodes;
    const groups: Group[] = [];
    const byKey = new Map<string, Group>();
    for (const job of view.queue) {
      const pool = firstPool(pools, job);
      if (pool === undefined) continue;
      const n = chargeOf(job, pool).node;
      const r = runtimeFor(job, pool);
      const latest = latestStart(job, r);
      if (!(latest > now)) continue;
      const cls = className(job);
      const deadline = job.qos === undefined ? slots : Math.min(slots, Math.max(1, Math.ceil((latest + r - now) / slotS)));
      const sitePools = sites.map((_, s) => pools.find((p) => p.siteIndex === s && canHold(job, p)));
      const key = `${cls}\u0000${deadline}\u0000${sitePools.map((p) => (p ? 1 : 0)).join("")}`;
      let g = byKey.get(key);
      if (g === undefined) {
        const watts = sitePools.map((p) => (p === undefined ? Infinity : busyWattsOf(job, p)));
        g = { name: `${cls} by slot ${deadline}`, cls, deadline, jobs: [], nodeHours: 0, watts };
        byKey.set(key, g);
        groups.push(g);
      }
      g.nodeHours += (n * r) / 3600;
      g.jobs.push(job.id);
    }
    let maxI = 0;
    for (const row of intensity) for (const v of row) maxI = Math.max(maxI, v);
    const tie = (maxI > 0 ? maxI : 1) * 1e-9;
    const problem: CampaignProblem = {
      sites: sites.map((s, i) => ({ id: s.id, nodes: nodes[i], pue: s.pue })),
      slotSeconds: slotS,
      slots,
      intensity: intensity.map((row) => row.map((v, k) => v + tie * k)),
      classes: groups.map((g): CampaignClass => ({ name: g.name, nodeHours: g.nodeHours, release: 0, deadline: g.deadline, wattsPerSite: g.watts })),
    };
    let solved = solve(problem);
    let relaxed = false;
    let reason = solved.reason;
    if (!solved.plan.feasible) {
      const wide = solve({ ...problem, classes: problem.classes.map((c, i) => ({ ...c, name: `${groups[i].cls} by slot ${slots}`, deadline: slots })) });
      relaxed = wide.plan.feasible;
      if (wide.plan.feasible) solved = wide;
      reason = wide.plan.feasible ? reason : `${reason}; with windows over the whole horizon: ${wide.reason}`;
    }
    const plan = solved.plan;
    const alloc = plan.alloc;
    let impact = 0;
    if (plan.feasible) {
      groups.forEach((g, c) => sites.forEach((site, s) => intensity[s].forEach((v, k) => (impact += alloc[c][s][k] > 0 ? alloc[c][s][k] * nodeHourCost(g.watts[s], site.pue, v) : 0))));
    }
    const jobGroup = new Map<number, number>();
    if (plan.feasible) groups.forEach((g, c) => g.jobs.forEach((id) => jobGroup.set(id, c)));
    const info: CampaignTargetPlanInfo = {
      built_s: now,
      slotSeconds: slotS,
      slots,
      solver: plan.feasible ? solved.solver : "none",
      relaxed,
      variables: plan.variables,
      constraints: plan.constraints,
      impact,
      ...(reason !== undefined ? { reason } : {}),
      classes: groups.map((g) => ({ name: relaxed ? `${g.cls} by slot ${slots}` : g.name, class: g.cls, nodeHours: g.nodeHours, deadline: relaxed ? slots : g.deadline, jobs: g.jobs })),
      alloc,
    };
    return { info, start: now, end: now + slots * slotS, groups, remaining: alloc.map((a) => a.map((row) => row.slice())), intensity, jobGroup };
  }

  /** Consumes a job's occupancy of site s from slot t on; returns what it took, per slot, to give back. */
  function consume(st: State, g: number, s: number, now: number, n: number, r: number): number[] {
    const took: number[] = [];
    const end = now + r;
    for (let k = Math.floor((now - st.start) / slotS); k < slots && st.start + k * slotS < end; k++) {
      const overlap = Math.min(end, st.start + (k + 1) * slotS) - Math.max(now, st.start + k * slotS);
      const x = Math.min((n * overlap) / 3600, st.remaining[g][s][k]);
      st.remaining[g][s][k] -= x;
      took[k] = x;
    }
    return took;
  }

  /** Sites where group g has room in slot k, cleanest first (ties: site order). */
  function roomAt(st: State, g: number, k: number): number[] {
    const out: number[] = [];
    for (let s = 0; s < st.remaining[g].length; s++) if (st.remaining[g][s][k] > EPS) out.push(s);
    return out.sort((a, b) => st.intensity[a][k] - st.intensity[b][k] || a - b);
  }

  const planHead = (st: State) => `campaign plan (${st.info.solver}${st.info.relaxed ? ", windows relaxed to the horizon" : ""}, built at ${st.start} s)`;
  const slotText = (st: State, k: number) => `slot ${k} [${st.start + k * slotS}, ${st.start + (k + 1) * slotS}) s`;

  /** The first slot after t where group g has room at some site (`slots` when none is left in the plan). */
  function nextRoomSlot(st: State, g: number, t: number): number {
    const rows = st.remaining[g];
    for (let k = t + 1; k < slots; k++) for (let s = 0; s < rows.length; s++) if (rows[s][k] > EPS) return k;
    return slots;
  }

  /** Until when a job of group g waits: the start of slot k (the next with room; the plan's end when none), never past its latest start. */
  const deferUntil = (st: State, k: number, latest: number) => Math.min(k < slots ? st.start + k * slotS : st.end, latest);

  /** Why a job of group g, without room in slot t, waits until `until`, slot k being the next with room (deferUntil). */
  function deferralWhy(view: ClusterView, st: State, g: number, t: number, k: number, latest: number, until: number): Explanation {
    const group = st.groups[g];
    const sites = view.sites;
    const slotStart = k < slots ? st.start + k * slotS : st.end;
    const alternatives = sites.map((site, s) => ({
      option: `start now at site ${site.id}`,
      expected: { remaining_node_hours: st.remaining[g][s][t], intensity_per_kwh: st.intensity[s][t] * J_PER_KWH },
    }));
    const base = { until_s: until, delay_s: until - view.now, latest_start_s: latest, slot_now: t };
    let reason = `${planHead(st)}: class ${group.cls} has no planned node-hours left in ${slotText(st, t)} at any site`;
    if (k >= slots) {
      reason += `, nor later in the plan; deferred to ${until === latest ? `its latest allowed start ${latest} s` : `the next plan at ${until} s`}`;
      return { reason, expected: base, alternatives };
    }
    const s = roomAt(st, g, k)[0];
    const planned = st.remaining[g][s][k];
    const i = st.intensity[s][k] * J_PER_KWH;
    const iNow = st.intensity[s][t] * J_PER_KWH;
    reason += `; next room: site ${sites[s].id}, ${slotText(st, k)}, ${fmt(planned)} planned node-hours at forecast CC ${fmt(i)} kg/kWh (${fmt(iNow)} kg/kWh there now)`;
    reason += until < slotStart ? `; deferred only to its latest allowed start ${latest} s` : "";
    return { reason, expected: { ...base, slot: k, planned_node_hours: planned, intensity_per_kwh: i, intensity_now_per_kwh: iNow }, alternatives };
  }

  return {
    name: "campaign",
    version: "1",
    params: { class_of: classOf, slot_s: slotS, horizon_slots: slots, replan_s: replanS },
    currentPlan: () => state?.info,
    decide(view: ClusterView): readonly Decision[] {
      const now = view.now;
      const queue = view.queue;
      if (queue.length === 0) return [];
      if (state === undefined || now >= nextReplan || now >= state.end) {
        state = build(view);
        nextReplan = now + replanS;
      }
      const st = state;
      const t = Math.floor((now - st.start) / slotS);
      // Starts carry the plan in their why only where the world keeps reasons (a defer carries its own either way).
      const explain = view.explain !== false;
      const pools = view.pools;
      const byId = new Map<number, QueuedJobView>();
      for (const job of queue) byId.set(job.id, job);
      left.from(pools);
      const defers: Decision[] = [];
      const starts: Decision[] = [];
      const why = new Map<number, Explanation>();
      const started = new Set<number>();

      const runEasy = (restricted: ClusterView, onStart?: (job: QueuedJobView, pool: PoolView) => void) => {
        for (const d of easy.decide(restricted, WOKE)) {
          if (d.kind !== "start") continue;
          const job = byId.get(d.jobId)!;
          left.take(job, pools[d.pool]);
          started.add(job.id);
          lastDefer.delete(job.id);
          onStart?.(job, pools[d.pool]);
          const w = why.get(job.id);
          starts.push(w === undefined ? d : { ...d, why: w });
        }
      };

      // 1. As soon as possible: jobs not in the plan, and planned jobs at or past their latest start.
      const asap = new Set<number>();
      const planned: { job: QueuedJobView; g: number; latest: number }[] = [];
      for (const job of queue) {
        const g = st.jobGroup.get(job.id);
        if (g === undefined) {
          asap.add(job.id);
          continue;
        }
        const pool = firstPool(pools, job);
        const latest = pool === undefined ? Infinity : latestStart(job, runtimeFor(job, pool));
        if (now < latest) {
          planned.push({ job, g, latest });
          continue;
        }
        asap.add(job.id);
        if (!explain) continue;
        const cls = st.groups[g].cls;
        why.set(job.id, {
          reason:
            now > latest
              ? `${planHead(st)}: latest allowed start ${latest} s of class ${cls} passed (no capacity earlier); starts as soon as possible at any site, whatever the plan holds`
              : `${planHead(st)}: latest allowed start ${latest} s of class ${cls} reached; starts as soon as possible at any site, whatever the plan holds`,
          expected: { latest_start_s: latest, delay_s: now - job.submit, late_s: now - latest, slot: t },
        });
      }
      if (asap.size > 0) {
        runEasy(restrictView(view, left, (job) => asap.has(job.id)), (job, pool) => {
          const g = st.jobGroup.get(job.id);
          if (g !== undefined) consume(st, g, pool.siteIndex, now, chargeOf(job, pool).node, runtimeFor(job, pool));
        });
      }

      // 2. Planned jobs: a site where their class has room now, else a deferral.
      spare.copy(left);
      const assigned = new Map<number, { s: number; took: number[] }>();
      // A group's room now and its next slot with room, worked out once per group until one of its jobs takes
      // node-hours (most passes defer the same waiting jobs to the same time again, and emit nothing for them).
      const roomNow = new Map<number, number[]>();
      const nextRoom = new Map<number, number>();
      for (const { job, g, latest } of planned) {
        let room = roomNow.get(g);
        if (room === undefined) roomNow.set(g, (room = roomAt(st, g, t)));
        if (room.length === 0) {
          let k = nextRoom.get(g);
          if (k === undefined) nextRoom.set(g, (k = nextRoomSlot(st, g, t)));
          const until = deferUntil(st, k, latest);
          if (lastDefer.get(job.id) !== until) {
            lastDefer.set(job.id, until);
            defers.push({ kind: "defer", jobId: job.id, until, why: deferralWhy(view, st, g, t, k, latest, until) });
          }
          continue;
        }
        let s = room[0];
        let pool: PoolView | undefined;
        for (const r of room) {
          pool = pools.find((p) => p.siteIndex === r && spare.fits(job, p));
          if (pool !== undefined) {
            s = r;
            spare.take(job, pool);
            break;
          }
        }
        pool ??= pools.find((p) => p.siteIndex === s && canHold(job, p))!;
        const before = st.remaining[g][s][t];
        const n = chargeOf(job, pool).node;
        const r = runtimeFor(job, pool);
        assigned.set(job.id, { s, took: consume(st, g, s, now, n, r) });
        roomNow.delete(g);
        nextRoom.delete(g);
        if (!explain) continue;
        const i = st.intensity[s][t] * J_PER_KWH;
        why.set(job.id, {
          reason: `${planHead(st)}: class ${st.groups[g].cls} has ${fmt(before)} planned node-hours left at site ${view.sites[s].id} in ${slotText(st, t)}, forecast CC ${fmt(i)} kg/kWh`,
          expected: { slot: t, slot_start_s: st.start + t * slotS, planned_node_hours: st.info.alloc[g][s][t], remaining_node_hours: before, job_node_hours: (n * r) / 3600, intensity_per_kwh: i, latest_start_s: latest },
          alternatives: view.sites
            .filter((_, o) => o !== s)
            .map((site) => ({ option: `site ${site.id}`, expected: { remaining_node_hours: st.remaining[g][site.index][t], intensity_per_kwh: st.intensity[site.index][t] * J_PER_KWH } })),
        });
      }
      for (let s = 0; s < view.sites.length; s++) {
        const here = new Set<number>();
        for (const [id, a] of assigned) if (a.s === s) here.add(id);
        if (here.size === 0) continue;
        // The site's pools as the earlier starts left them; every other site's pools full.
        const hide = { cores: pools.map((p, i) => (p.siteIndex === s ? left.cores[i] : 0)), nodes: pools.map((p, i) => (p.siteIndex === s ? left.nodes[i] : 0)) };
        runEasy(restrictView(view, hide, (job) => here.has(job.id)));
      }
      // Assigned jobs EASY could not start give their node-hours back and wait for capacity
      // (with a wake-up at their latest start).
      for (const [id, a] of assigned) {
        if (started.has(id)) continue;
        const g = st.jobGroup.get(id)!;
        a.took.forEach((x, k) => (st.remaining[g][a.s][k] += x));
      }

      // Wake-ups: the next plan while jobs wait, and the latest start of a job waiting for capacity.
      const out: Decision[] = [...defers, ...starts];
      for (const w of wakes) if (w <= now) wakes.delete(w);
      const wake = (time: number) => {
        if (Number.isFinite(time) && !wakes.has(time)) {
          wakes.add(time);
          out.push({ kind: "wakeAt", time });
        }
      };
      if (started.size < queue.length) wake(nextReplan);
      for (const { job, latest } of planned) if (assigned.has(job.id) && !started.has(job.id)) wake(latest);
      return out;
    },
  };
}

/** What the job is charged on its default device in `pool` (resources.placementCharge). */
function chargeOf(job: QueuedJobView, pool: PoolView): PlacementCharge {
  return placementCharge(job, pool, defaultDevice(job, pool) ?? "cpu");
}

/** Draw per node (equivalent) running the job on its default device in `pool`, W, as the accountant charges it. */
function busyWattsOf(job: QueuedJobView, pool: PoolView): number {
  const c = chargeOf(job, pool);
  return c.runWatts / c.node;
}

/** planCampaign when the LP is small enough and feasible, else planCampaignGreedy. */
function solve(p: CampaignProblem): { plan: CampaignPlan; solver: "lp" | "greedy"; reason?: string } {
  let variables = 0;
  for (const c of p.classes) {
    if (c.nodeHours === 0) continue;
    let usable = 0;
    p.sites.forEach((site, s) => (usable += site.nodes > 0 && c.wattsPerSite[s] !== undefined && c.wattsPerSite[s] !== Infinity ? 1 : 0));
    variables += usable * (c.deadline - c.release);
  }
  let reason: string | undefined;
  if (variables <= MAX_LP_VARIABLES) {
    const lp = planCampaign(p);
    if (lp.feasible) return { plan: lp, solver: "lp" };
    reason = `LP: ${lp.reason}`;
  } else reason = `LP not tried: ${variables} variables > ${MAX_LP_VARIABLES}`;
  const greedy = planCampaignGreedy(p);
  if (greedy.feasible) return { plan: greedy, solver: "greedy", reason };
  // A class without room on its own stops both with the same words.
  return { plan: greedy, solver: "greedy", reason: reason === `LP: ${greedy.reason}` ? `LP and greedy: ${greedy.reason}` : `${reason}; greedy: ${greedy.reason}` };
}
