/**
 * Consolidation and power management over EASY backfilling. In each pass:
 * 1. wake plan: walk the queue in order (first come, first served, one pool
 *    each) and give every job the earliest time it could start in some pool
 *    from the nodes that are idle now, waking, or freed by running jobs (at
 *    their predicted ends), optionally with off or asleep nodes switched on now
 *    (ready after the switch-on time). When switching k nodes on makes the job
 *    start earlier than waiting, they are switched on now, or, when it must
 *    wait for running jobs anyway, at (start - switch-on time) via wakeAt, so
 *    they come on just in time. The walk stops after the first job that has to
 *    wait for running jobs; jobs that can wait for a running job to end no
 *    later than a switch-on would complete wake nothing;
 * 2. EASY orders and backfills, seeing waking (and planned) nodes as running
 *    jobs that end when they are on, so its reservation counts the switch-on;
 *    each start then gets the lowest-id idle nodes of its pool, so work packs
 *    on low ids and high ids stay idle;
 * 3. reserve: when fewer than `keep_on` idle (or waking) nodes of a pool are
 *    left unclaimed, off nodes are switched on to refill it;
 * 4. switch off: idle nodes beyond the reserve and beyond those claimed by
 *    waiting jobs (the highest ids first) that have been idle for `idle_s` are
 *    switched to `state`; for the others the policy asks wakeAt for the moment
 *    their idle time will reach `idle_s`.
 * The default `idle_s` is the break-even time of the pool's power state: an
 * idle gap shorter than it costs less on than off. Waiting that long before
 * switching (the ski-rental rule) never spends more than twice the energy of
 * the best choice made with hindsight.
 *
 * The policy tracks idle-since times itself from the events it gets (jobEnded,
 * nodesSwitched, refusals) and from its own decisions; it checks them against
 * view.nodeState and heals them where they disagree; nodes idle at its first
 * call count as idle from then. A pool without the state
 * refuses the first switch (invalid_power_state) and is left on afterwards.
 *
 * The view does not show switch times and energies yet: they come from the
 * params (off_w, switch_on_s, ...), with defaults relative to the pool's idle
 * draw that are assumptions, not measurements.
 */
import { NodeState, type ClusterView, type Decision, type Policy, type PoolView, type RunningJobView, type WorldEvent } from "../view.js";
import { nodesFor } from "./common.js";
import { policyEasyBackfill } from "./easy.js";

export interface ConsolidateParams {
  /** Switch a node off once idle this long, s (default: the pool's break-even time, see breakEvenSeconds). */
  readonly idle_s?: number;
  /** Idle nodes kept on per pool as a reserve (default 0). */
  readonly keep_on?: number;
  /** Low-power state to use (default "off"). */
  readonly state?: "off" | "sleep";
  /** Draw in the low-power state, W (default 5 % of the pool's idle draw). */
  readonly off_w?: number;
  /** Switch-on time, s (default 150) and draw, W (default the pool's idle draw). */
  readonly switch_on_s?: number;
  readonly switch_on_w?: number;
  /** Switch-off time, s (default 10) and draw, W (default the pool's idle draw). */
  readonly switch_off_s?: number;
  readonly switch_off_w?: number;
}

/** A pool's low-power state as the policy reasons about it. */
export interface PowerStateFigures {
  readonly offWatts: number;
  readonly switchOnSeconds: number;
  readonly switchOnWatts: number;
  readonly switchOffSeconds: number;
  readonly switchOffWatts: number;
}

/**
 * Idle gap (s) beyond which switching a node off and on again costs less energy
 * than staying idle: (E_on + E_off - P_off (t_on + t_off)) / (P_idle - P_off),
 * at least 0; Infinity when the low-power state draws as much as idle.
 */
export function breakEvenSeconds(idleWatts: number, f: PowerStateFigures): number {
  if (!(idleWatts > f.offWatts)) return Infinity;
  const t = (f.switchOnWatts * f.switchOnSeconds + f.switchOffWatts * f.switchOffSeconds - f.offWatts * (f.switchOnSeconds + f.switchOffSeconds)) / (idleWatts - f.offWatts);
  return Math.max(0, t);
}

/**
 * The low-power state of a pool with idle draw `idleWatts` (W) as the params
 * give it, with the defaults: 5 % of idle draw when off; switch-on 150 s and
 * switch-off 10 s, both at idle draw (assumptions, not measurements).
 */
export function powerStateFigures(idleWatts: number, params: ConsolidateParams = {}): PowerStateFigures {
  return {
    offWatts: params.off_w ?? 0.05 * idleWatts,
    switchOnSeconds: params.switch_on_s ?? 150,
    switchOnWatts: params.switch_on_w ?? idleWatts,
    switchOffSeconds: params.switch_off_s ?? 10,
    switchOffWatts: params.switch_off_w ?? idleWatts,
  };
}

/** A number for reason text: at most 6 significant digits (the exact value is in `expected`). */
const fmt = (x: number): string => String(Number(x.toPrecision(6)));

function checkParams(p: ConsolidateParams): void {
  for (const k of ["idle_s", "off_w", "switch_on_s", "switch_on_w", "switch_off_s", "switch_off_w"] as const) {
    const v = p[k];
    if (v !== undefined && !(typeof v === "number" && v >= 0)) throw new RangeError(`policyConsolidate: ${k}: expected a number >= 0, got ${v}`);
  }
  if (p.keep_on !== undefined && !(Number.isInteger(p.keep_on) && p.keep_on >= 0)) throw new RangeError(`policyConsolidate: keep_on: expected an integer >= 0, got ${p.keep_on}`);
  if (p.state !== undefined && p.state !== "off" && p.state !== "sleep") throw new RangeError(`policyConsolidate: state: expected "off" or "sleep", got ${JSON.stringify(p.state)}`);
}

/** Node supply of one pool in time order: idle now, waking, freed by running jobs. */
interface Supply {
  t: number[];
  n: number[];
  waking: boolean[];
}

export function policyConsolidate(params: ConsolidateParams = {}): Policy {
  checkParams(params);
  const keepOn = params.keep_on ?? 0;
  const state = params.state ?? "off";
  const easy = policyEasyBackfill();
  const idleSince = new Map<number, number>();
  /** Start of each node's current idle gap, kept across an off/on cycle (for expected idle times). */
  const gapStart = new Map<number, number>();
  const jobNodes = new Map<number, readonly number[]>();
  const wakeReady = new Map<number, number>();
  /** Nodes this policy is switching off (not yet off), and their count per pool. */
  const offPending = new Set<number>();
  const offPendingCount: number[] = [];
  const noState = new Set<number>();
  const requested = new Set<number>();
  /** Per pool: sum and count of completed idle gaps that lasted at least the threshold. */
  const gapSum: number[] = [];
  const gapCount: number[] = [];
  let initialised = false;

  // The pool's own power-state figures when the world gives them; parameters (documented defaults) otherwise.
  const figures = (pool: PoolView): PowerStateFigures => {
    const state = (params.state ?? "off") === "off" ? pool.off : pool.sleep;
    const given = powerStateFigures(pool.idleWatts, params);
    if (!state) return given;
    return {
      offWatts: params.off_w ?? state.watts,
      switchOnSeconds: params.switch_on_s ?? state.switchOnSeconds,
      switchOnWatts: params.switch_on_w ?? state.switchOnWatts,
      switchOffSeconds: params.switch_off_s ?? state.switchOffSeconds,
      switchOffWatts: params.switch_off_w ?? state.switchOffWatts,
    };
  };
  const threshold = (pool: PoolView): number => params.idle_s ?? breakEvenSeconds(pool.idleWatts, figures(pool));

  /** Index of the pool holding `node` (pools hold ascending id ranges). */
  function poolOf(view: ClusterView, node: number): number {
    let lo = 0;
    let hi = view.pools.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (view.pools[mid].firstNode <= node) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  function markIdle(view: ClusterView, n: number): void {
    if (view.nodeState(n) !== NodeState.Idle) return;
    if (!idleSince.has(n)) idleSince.set(n, view.now);
    if (!gapStart.has(n)) gapStart.set(n, view.now);
  }

  function offDone(view: ClusterView, n: number): void {
    if (offPending.delete(n)) offPendingCount[poolOf(view, n)]--;
  }

  function ingest(view: ClusterView, happened: readonly WorldEvent[]): void {
    const now = view.now;
    for (const e of happened) {
      if (e.kind === "jobEnded" || e.kind === "jobKilled") {
        for (const n of jobNodes.get(e.jobId) ?? []) {
          idleSince.set(n, now);
          gapStart.set(n, now);
        }
        jobNodes.delete(e.jobId);
      } else if (e.kind === "nodesSwitched") {
        for (const n of e.nodes) {
          wakeReady.delete(n);
          offDone(view, n);
          if (e.state === NodeState.Idle) idleSince.set(n, now);
          markIdle(view, n);
        }
      } else if (e.kind === "decisionRefused") {
        const d = e.decision;
        if (d.kind === "start") {
          jobNodes.delete(d.jobId);
          for (const n of d.nodes ?? []) markIdle(view, n);
        } else if (d.kind === "setPowerState") {
          if (e.reason === "invalid_power_state" && d.state !== "on" && d.nodes.length > 0) noState.add(poolOf(view, d.nodes[0]));
          for (const n of d.nodes) {
            if (d.state === "on") wakeReady.delete(n);
            else offDone(view, n);
            markIdle(view, n);
          }
        }
      }
    }
  }

  /**
   * Idle nodes of each pool in id order (a scan of pools with free nodes); heals
   * the tracking from view.nodeState where it disagrees: idle nodes it missed
   * count as idle from now, and it forgets nodes that are no longer idle.
   */
  function idleByPool(view: ClusterView): number[][] {
    let seen = 0;
    const out = view.pools.map((pool) => {
      const list: number[] = [];
      if (pool.freeNodes === 0) return list;
      for (let n = pool.firstNode; n < pool.firstNode + pool.nodes && list.length < pool.freeNodes; n++) {
        if (view.nodeState(n) !== NodeState.Idle) continue;
        markIdle(view, n);
        list.push(n);
      }
      seen += list.length;
      return list;
    });
    if (idleSince.size > seen) for (const n of idleSince.keys()) if (view.nodeState(n) !== NodeState.Idle) idleSince.delete(n);
    return out;
  }

  function lowPowerNodes(view: ClusterView, pool: PoolView): number[] {
    const out: number[] = [];
    if (pool.sleepingNodes === 0) return out;
    for (let n = pool.firstNode; n < pool.firstNode + pool.nodes; n++) {
      const s = view.nodeState(n);
      if (s === NodeState.Off || s === NodeState.Sleep) out.push(n);
    }
    return out;
  }

  function askWake(out: Decision[], now: number, time: number): void {
    if (time > now && !requested.has(time)) {
      requested.add(time);
      out.push({ kind: "wakeAt", time });
    }
  }

  return {
    name: "consolidate",
    version: "1",
    params: { idle_s: params.idle_s ?? "break_even", keep_on: keepOn, state, ...Object.fromEntries(Object.entries(params).filter(([k]) => !["idle_s", "keep_on", "state"].includes(k))) },
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      const now = view.now;
      const pools = view.pools;
      if (!initialised) {
        initialised = true;
        for (const r of view.running) jobNodes.set(r.id, r.nodes);
        for (let p = 0; p < pools.length; p++) {
          gapSum.push(0);
          gapCount.push(0);
          offPendingCount.push(0);
        }
      }
      for (const t of requested) if (t <= now) requested.delete(t);
      ingest(view, happened);
      const idle = idleByPool(view);
      const out: Decision[] = [];
      const power: Decision[] = [];

      // 1. Wake plan. Supply per pool in time order: idle now, waking nodes when on, running jobs' predicted ends.
      const ready: number[][] = pools.map(() => []);
      for (const [n, t] of wakeReady) ready[poolOf(view, n)].push(t);
      const synthetic: RunningJobView[] = [];
      for (const pool of pools) {
        const r = ready[pool.index];
        // Nodes switched on by someone else: at most one switch-on away.
        for (let k = r.length; k < pool.wakingNodes; k++) r.push(now + figures(pool).switchOnSeconds);
        r.sort((x, y) => x - y);
        for (const t of r) synthetic.push(placeholder(-1 - synthetic.length, pool.index, now, t));
      }
      const supply: Supply[] = pools.map((pool) => {
        const s: Supply = { t: [], n: [], waking: [] };
        if (idle[pool.index].length > 0) s.t.push(now), s.n.push(idle[pool.index].length), s.waking.push(false);
        return s;
      });
      const w = pools.map(() => 0);
      const add = (p: number, t: number, n: number, waking: boolean) => (supply[p].t.push(t), supply[p].n.push(n), supply[p].waking.push(waking));
      for (const r of view.running) {
        const p = r.pool;
        while (w[p] < ready[p].length && ready[p][w[p]] <= r.predictedEnd) add(p, ready[p][w[p]++], 1, true);
        add(p, r.predictedEnd, r.nodeCount, false);
      }
      for (let p = 0; p < pools.length; p++) while (w[p] < ready[p].length) add(p, ready[p][w[p]++], 1, true);
      const cursor = pools.map(() => 0);
      // Off or asleep nodes: counted from the view, listed (by a scan) only when some are switched on.
      const lowPower: (number[] | undefined)[] = pools.map(() => undefined);
      const taken = pools.map(() => 0);
      const wakeCount = (p: number) => (noState.has(p) ? 0 : Math.max(0, pools[p].sleepingNodes - offPendingCount[p] - taken[p]));
      const wake = (p: number, k: number): number[] => {
        const nodes = (lowPower[p] ??= lowPowerNodes(view, pools[p])).splice(0, k);
        taken[p] += nodes.length;
        return nodes;
      };
      /** Idle nodes claimed by each planned job (job id, pool, count), and waking nodes claimed per pool. */
      const idleClaims: { jobId: number; p: number; n: number }[] = [];
      const claimedWaking = pools.map(() => 0);
      for (const job of view.queue) {
        let best: { p: number; start: number; without: number; k: number; need: number } | undefined;
        for (let p = 0; p < pools.length; p++) {
          const need = nodesFor(job, pools[p]);
          if (!(need <= pools[p].nodes)) continue;
          const { start, without, k } = planStart(supply[p], cursor[p], need, wakeCount(p), now, now + figures(pools[p]).switchOnSeconds);
          if (start === Infinity) continue;
          if (best === undefined || start < best.start) best = { p, start, without, k, need };
        }
        if (best === undefined) break;
        const { p, start, without, k, need } = best;
        const f = figures(pools[p]);
        const s = supply[p];
        // Claim the earliest supply.
        for (let left = need - k; left > 0; ) {
          const c = cursor[p];
          const take = Math.min(left, s.n[c]);
          if (s.waking[c]) claimedWaking[p] += take;
          else if (s.t[c] === now && c === 0 && idle[p].length > 0) idleClaims.push({ jobId: job.id, p, n: take });
          s.n[c] -= take;
          left -= take;
          if (s.n[c] === 0) cursor[p]++;
        }
        if (k > 0) {
          const wakeTime = start - f.switchOnSeconds;
          if (wakeTime > now) {
            // Switched on later, just in time: EASY sees them as on at `start`.
            taken[p] += k;
            askWake(power, now, wakeTime);
            for (let i = 0; i < k; i++) synthetic.push(placeholder(-1 - synthetic.length, p, now, start));
          } else {
            const nodes = wake(p, k);
            if (nodes.length === 0) continue;
            for (const n of nodes) {
              wakeReady.set(n, now + f.switchOnSeconds);
              synthetic.push(placeholder(-1 - synthetic.length, p, now, now + f.switchOnSeconds));
            }
            const finite = Number.isFinite(without);
            power.push({
              kind: "setPowerState",
              nodes,
              state: "on",
              why: {
                reason: `switched on for job ${job.id}: it needs ${need} nodes of pool ${p}; with ${nodes.length} switched on it can start at ${fmt(start)} s (switch-on ${fmt(f.switchOnSeconds)} s)${finite ? `, not at ${fmt(without)} s waiting for running jobs` : "; running jobs alone never free enough"}`,
                expected: { job: job.id, nodes_needed: need, nodes_switched: nodes.length, start_s: start, switch_on_s: f.switchOnSeconds, switch_on_j: nodes.length * f.switchOnWatts * f.switchOnSeconds, ...(finite ? { start_without_s: without } : {}) },
                ...(finite ? { alternatives: [{ option: "wait for running jobs", expected: { start_s: without } }] } : {}),
              },
            });
          }
        }
        if (start > now + f.switchOnSeconds) break;
      }

      // 2. EASY on the view with waking nodes shown as jobs ending when they are on.
      const inner = easy.decide(synthetic.length === 0 ? view : withRunning(view, synthetic), happened);
      const byId = new Map<number, (typeof view.queue)[number]>();
      const startIds = new Set<number>();
      for (const d of inner) if (d.kind === "start") startIds.add(d.jobId);
      if (startIds.size > 0) for (const j of view.queue) if (startIds.has(j.id)) byId.set(j.id, j);
      for (const d of inner) {
        if (d.kind !== "start") {
          out.push(d);
          continue;
        }
        const job = byId.get(d.jobId)!;
        const pool = pools[d.pool];
        const nodes = idle[d.pool].splice(0, nodesFor(job, pool));
        const thr = threshold(pool);
        for (const n of nodes) {
          const g = gapStart.get(n);
          if (g !== undefined && now - g >= thr) {
            gapSum[d.pool] += now - g;
            gapCount[d.pool]++;
          }
          idleSince.delete(n);
          gapStart.delete(n);
        }
        jobNodes.set(d.jobId, nodes);
        out.push({ ...d, nodes });
      }

      // 3 and 4. Reserve, then switch off what has idled past the threshold.
      // Idle nodes claimed by planned jobs that did not start now stay on for them.
      const claimedIdle = pools.map(() => 0);
      /** The earliest time an idle node left on will reach its threshold: the policy comes back then. */
      let nextDue = Infinity;
      for (const c of idleClaims) if (!startIds.has(c.jobId)) claimedIdle[c.p] += c.n;
      for (const pool of pools) {
        const p = pool.index;
        if (noState.has(p)) continue;
        const f = figures(pool);
        const list = idle[p];
        const spare = list.length - claimedIdle[p] + Math.max(0, pool.wakingNodes - claimedWaking[p]);
        const nodes = spare < keepOn && wakeCount(p) > 0 ? wake(p, keepOn - spare) : [];
        if (nodes.length > 0) {
          for (const n of nodes) wakeReady.set(n, now + f.switchOnSeconds);
          power.push({ kind: "setPowerState", nodes, state: "on", why: { reason: `switched on to keep ${keepOn} idle node(s) of pool ${p} on as a reserve`, expected: { keep_on: keepOn, idle: list.length, waking: pool.wakingNodes, switch_on_s: f.switchOnSeconds, switch_on_j: nodes.length * f.switchOnWatts * f.switchOnSeconds } } });
        }
        const thr = threshold(pool);
        if (thr === Infinity) continue;
        const candidates = list.slice(Math.min(list.length, keepOn + claimedIdle[p]));
        const off: number[] = [];
        let idleFor = Infinity;
        for (const n of candidates) {
          const since = idleSince.get(n)!;
          if (since + thr <= now) {
            off.push(n);
            idleFor = Math.min(idleFor, now - since);
          } else if (since + thr < nextDue) nextDue = since + thr;
        }
        if (off.length === 0) continue;
        for (const n of off) {
          idleSince.delete(n);
          offPending.add(n);
        }
        offPendingCount[p] += off.length;
        const onJ = f.switchOnWatts * f.switchOnSeconds;
        const offJ = f.switchOffWatts * f.switchOffSeconds;
        const be = breakEvenSeconds(pool.idleWatts, f);
        const expectedIdle = gapCount[p] > 0 ? gapSum[p] / gapCount[p] : undefined;
        const remaining = expectedIdle === undefined ? undefined : Math.max(0, expectedIdle - idleFor);
        power.push({
          kind: "setPowerState",
          nodes: off,
          state,
          why: {
            reason:
              `switched ${state}: idle for ${fmt(idleFor)} s >= ${fmt(thr)} s (${params.idle_s === undefined ? "the break-even time" : "idle_s"}); ` +
              `idle draws ${fmt(pool.idleWatts)} W, ${state} ${fmt(f.offWatts)} W, a switch off and on costs ${fmt(offJ + onJ)} J` +
              (expectedIdle === undefined ? "; no idle history yet, so the ski-rental rule: waiting the break-even time first costs at most twice the best choice" : `; idle gaps this long have lasted ${fmt(expectedIdle)} s on average`),
            expected: {
              nodes: off.length,
              idle_w: pool.idleWatts,
              off_w: f.offWatts,
              switch_off_s: f.switchOffSeconds,
              switch_off_j: offJ,
              switch_on_s: f.switchOnSeconds,
              switch_on_j: onJ,
              break_even_s: be,
              idle_threshold_s: thr,
              idle_for_s: idleFor,
              ...(expectedIdle === undefined ? {} : { expected_idle_s: expectedIdle }),
            },
            ...(remaining === undefined
              ? {}
              : {
                  alternatives: [
                    { option: "stay on", expected: { joules_per_node: pool.idleWatts * remaining } },
                    { option: state, expected: { joules_per_node: offJ + onJ + f.offWatts * Math.max(0, remaining - f.switchOffSeconds - f.switchOnSeconds), wake_delay_s: f.switchOnSeconds } },
                  ],
                }),
          },
        });
      }
      if (nextDue < Infinity) askWake(power, now, nextDue);
      for (const d of power) out.push(d);
      return out;
    },
  };
}

/**
 * Earliest start of a job that needs `need` nodes, from the supply (from entry
 * `from` on) plus up to `w` nodes switched on now and ready at `ready`: the
 * start, the start without switching any on, and how many to switch on.
 */
function planStart(s: Supply, from: number, need: number, w: number, now: number, ready: number): { start: number; without: number; k: number } {
  let acc = 0;
  let accReady = 0;
  let without = Infinity;
  for (let i = from; i < s.t.length; i++) {
    acc += s.n[i];
    if (s.t[i] <= ready) accReady = acc;
    if (acc >= need) {
      without = Math.max(now, s.t[i]);
      break;
    }
  }
  // Waiting for running jobs that free enough nodes before a switch-on would complete wakes nothing.
  if (without <= ready) return { start: without, without, k: 0 };
  if (accReady + w >= need) return { start: ready, without, k: need - accReady };
  // Even every off node is too few by `ready`: the first later supply time that, with them, is enough.
  acc = 0;
  for (let i = from; i < s.t.length; i++) {
    acc += s.n[i];
    if (s.t[i] > ready && acc + w >= need) return { start: s.t[i], without, k: Math.max(0, need - acc) };
  }
  return { start: Infinity, without, k: 0 };
}

/** `view` with `extra` entries merged into its running jobs (by predicted end, then id). */
function withRunning(view: ClusterView, extra: readonly RunningJobView[]): ClusterView {
  const running = [...view.running, ...extra].sort((a, b) => a.predictedEnd - b.predictedEnd || a.id - b.id);
  return { ...view, running };
}

/** A node that will be free at `predictedEnd`, shown to EASY as a one-node job ending then. */
function placeholder(id: number, pool: number, now: number, predictedEnd: number): RunningJobView {
  return { id, submit: now, cores: 0, walltime: predictedEnd - now, user: -1, project: "", pool, device: "cpu", nodeCount: 1, nodes: [], start: now, firstStart: now, ranSeconds: 0, setupEnd: now, awaitingInputs: false, predictedEnd };
}
