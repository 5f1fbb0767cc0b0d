/**
 * Consolidation and power management over EASY backfilling. In each pass:
 * 1. wake plan: walk the queue in order (first come, first served, one pool
 *    each) and give every job the earliest time it could start in some pool
 *    from the cores that are free now, on waking nodes, or freed by running
 *    jobs (at their predicted ends), optionally with off or asleep nodes
 *    switched on now (ready after the switch-on time). Supply and needs are
 *    counted in cores (a job holding whole nodes needs their cores), so on
 *    pools of whole-node jobs this is the count in nodes. When switching k
 *    nodes on makes the job
 *    start earlier than waiting, they are switched on now, or, when it must
 *    wait for running jobs anyway, at (start - switch-on time) via wakeAt, so
 *    they come on just in time. The walk stops after the first job that has to
 *    wait for running jobs; jobs that can wait for a running job to end no
 *    later than a switch-on would complete wake nothing;
 * 2. EASY orders and backfills, seeing waking (and planned) nodes as running
 *    jobs that end when they are on, so its reservation counts the switch-on;
 *    each start is then packed (best fit): a job that shares nodes goes to the
 *    fullest node in use that can hold it whole, else fills nodes in use from
 *    the one with most free cores down (fewest nodes touched), and only then
 *    takes idle nodes, lowest ids first; a job holding whole nodes takes the
 *    lowest-id idle nodes. Work packs onto few nodes and low ids, and the
 *    nodes it leaves empty idle long enough to be switched off;
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
 * What it knows of the nodes comes from the view: since when each is idle
 * (view.nodeSince), when a waking node will be on (view.nodeReadyAt), which
 * are off, asleep or switching. Pools whose nodes lack the low-power state are
 * left on. The only thing it remembers across calls is in its state (plain
 * JSON the world stores): when each node's current idle gap began (kept across
 * an off/on cycle) and, per pool, the sum and count of idle gaps that lasted at
 * least the threshold, for the expected idle time it reports.
 *
 * Switch times and draws are the pool's own where the view gives them (its
 * power-state model); params override them, and the defaults for a pool
 * without figures are relative to its idle draw: assumptions, not measurements.
 */
import { NodeState, type ClusterView, type Decision, type Policy, type PoolView, type QueuedJobView, type RunningJobView, type WorldEvent } from "../view.js";

/** What consolidation remembers across calls (JSON data, stored by the world). */
export interface ConsolidateState {
  /**
   * Per node id: when its current idle gap began (kept while it is off); null
   * (or absent) once the gap has ended. An ended gap is set to null rather than
   * deleted: deleting keys turns the object into a dictionary, and a pass looks
   * nodes up in it once per idle gap (about 400,000 times over KTH-SP2).
   */
  gapStart: Record<string, number | null>;
  /** Per pool: sum (s) and count of completed idle gaps that lasted at least the threshold. */
  gapSum: number[];
  gapCount: number[];
}
import { coresFor, QueueWalk } from "./common.js";
import { holdsWholeNodes } from "../resources.js";
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

/** Core supply of one pool in time order: free now (on nodes in use, then on idle nodes), on waking nodes, freed by running jobs. */
interface Supply {
  t: number[];
  n: number[];
  waking: boolean[];
  /** Entry of the cores of idle nodes now (-1: none). */
  idleEntry: number;
}

export function policyConsolidate(params: ConsolidateParams = {}): Policy<ConsolidateState> {
  checkParams(params);
  const keepOn = params.keep_on ?? 0;
  const state = params.state ?? "off";
  const easy = policyEasyBackfill();
  const walk = new QueueWalk();

  // The pool's own power-state figures when the world gives them; parameters (documented defaults) otherwise.
  const figuresOf = (pool: PoolView): PowerStateFigures => {
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
  // Per pool index, the figures and threshold last worked out, with what they came from: a pass asks for
  // them per queued job and per start, and a pool's view is made afresh whenever its counts change. With them,
  // once asked for, the parts of the decisions' reasons that depend on them alone (numbers formatted by fmt:
  // over KTH-SP2, 12,000 power decisions).
  const known: { idleWatts: number; state: PoolView["off"]; figures: PowerStateFigures; threshold: number; breakEven?: number; offText?: string; onSeconds?: string }[] = [];
  const entry = (pool: PoolView) => {
    const state = (params.state ?? "off") === "off" ? pool.off : pool.sleep;
    let k = known[pool.index];
    if (k === undefined || k.idleWatts !== pool.idleWatts || k.state !== state) {
      const f = figuresOf(pool);
      k = known[pool.index] = { idleWatts: pool.idleWatts, state, figures: f, threshold: params.idle_s ?? breakEvenSeconds(pool.idleWatts, f) };
    }
    return k;
  };
  const figures = (pool: PoolView): PowerStateFigures => entry(pool).figures;
  const threshold = (pool: PoolView): number => entry(pool).threshold;

  /** True when the pool's nodes have the low-power state the policy uses. */
  const hasState = (pool: PoolView): boolean => (state === "off" ? pool.off : pool.sleep) !== undefined;

  /**
   * Nodes whose gap start is in `gapsOf` (true), kept beside the state so that
   * a pass does not look each idle node up in it again (a lookup in an object
   * keyed by node ids, with deletions, is a dictionary lookup). Only this
   * policy writes the state; a state it did not leave clears it.
   */
  let gapsOf: ConsolidateState | undefined;
  const gapSet: boolean[] = [];

  /**
   * Idle nodes of each pool in id order (a scan of pools with free nodes); an
   * idle node whose gap the state does not know yet starts it when it became idle.
   */
  function idleByPool(view: ClusterView, memory: ConsolidateState): number[][] {
    if (gapsOf !== memory) {
      // A state this policy did not leave (the first, or one a store gave back): nothing known of it.
      gapsOf = memory;
      gapSet.length = 0;
    }
    return view.pools.map((pool) => {
      const list: number[] = [];
      if (pool.freeNodes === 0) return list;
      // From the highest id down (work is packed on low ids, so the idle ones are found first), then reversed.
      for (let n = pool.firstNode + pool.nodes - 1; n >= pool.firstNode && list.length < pool.freeNodes; n--) {
        if (view.nodeState(n) !== NodeState.Idle) continue;
        if (gapSet[n] !== true) {
          memory.gapStart[n] ??= view.nodeSince(n);
          gapSet[n] = true;
        }
        list.push(n);
      }
      return list.reverse();
    });
  }

  /** Ends node n's idle gap in the state (see gapSet and ConsolidateState.gapStart). */
  function endGap(memory: ConsolidateState, n: number): void {
    memory.gapStart[n] = null;
    gapSet[n] = false;
  }

  /**
   * Nodes of a pool that are off or asleep (not switching), in id order. The
   * scan runs from the highest id down (nodes are switched off highest first)
   * and stops once it has met all the pool's sleepingNodes (off, asleep or
   * switching off).
   */
  function lowPowerNodes(view: ClusterView, pool: PoolView): number[] {
    const out: number[] = [];
    if (pool.sleepingNodes === 0) return out;
    let met = 0;
    for (let n = pool.firstNode + pool.nodes - 1; n >= pool.firstNode && met < pool.sleepingNodes; n--) {
      const s = view.nodeState(n);
      if (s === NodeState.Off || s === NodeState.Sleep) {
        out.push(n);
        met++;
      } else if (s === NodeState.SwitchingOff) met++;
    }
    return out.reverse();
  }

  /** When each waking node of a pool will be on, earliest first (a scan that stops once it has met them all). */
  function wakingReady(view: ClusterView, pool: PoolView): number[] {
    const out: number[] = [];
    if (pool.wakingNodes === 0) return out;
    for (let n = pool.firstNode + pool.nodes - 1; n >= pool.firstNode && out.length < pool.wakingNodes; n--) if (view.nodeState(n) === NodeState.SwitchingOn) out.push(view.nodeReadyAt(n));
    return out.sort((x, y) => x - y);
  }

  /** Per pool, the supply a pass plans on (see decide). */
  const supplies: Supply[] = [];

  function askWake(out: Decision[], now: number, time: number): void {
    if (time > now) out.push({ kind: "wakeAt", time });
  }

  return {
    name: "consolidate",
    version: "1",
    params: { idle_s: params.idle_s ?? "break_even", keep_on: keepOn, state, ...Object.fromEntries(Object.entries(params).filter(([k]) => !["idle_s", "keep_on", "state"].includes(k))) },
    initialState: () => ({ gapStart: {}, gapSum: [], gapCount: [] }),
    decide(view: ClusterView, happened: readonly WorldEvent[], memory: ConsolidateState): readonly Decision[] {
      const now = view.now;
      const pools = view.pools;
      for (let p = memory.gapSum.length; p < pools.length; p++) {
        memory.gapSum.push(0);
        memory.gapCount.push(0);
      }
      const idle = idleByPool(view, memory);
      const out: Decision[] = [];
      const power: Decision[] = [];

      // 1. Wake plan. Supply per pool in time order: idle now, waking nodes when on, running jobs' predicted ends.
      // With nothing queued there is nothing to plan, and EASY starts nothing: neither is built.
      const queue = walk.start(view);
      const first = queue.next();
      const synthetic: RunningJobView[] = [];
      // Each pool's supply is kept from pass to pass (arrays emptied, not made again): a pass plans on few entries.
      const supply = supplies;
      if (first !== undefined) {
        const ready: number[][] = pools.map((pool) => wakingReady(view, pool));
        for (const pool of pools) for (const t of ready[pool.index]) synthetic.push(placeholder(-1 - synthetic.length, pool, now, t));
        for (const pool of pools) {
          const s = (supply[pool.index] ??= { t: [], n: [], waking: [], idleEntry: -1 });
          s.t.length = s.n.length = s.waking.length = 0;
          s.idleEntry = -1;
          const idleCores = idle[pool.index].length * pool.coresPerNode;
          if (pool.freeCores > idleCores) s.t.push(now), s.n.push(pool.freeCores - idleCores), s.waking.push(false);
          if (idleCores > 0) (s.idleEntry = s.t.length), s.t.push(now), s.n.push(idleCores), s.waking.push(false);
        }
        const w = pools.map(() => 0);
        const add = (p: number, t: number, n: number, waking: boolean) => (supply[p].t.push(t), supply[p].n.push(n), supply[p].waking.push(waking));
        for (const r of view.running) {
          const p = r.pool;
          const K = pools[p].coresPerNode;
          while (w[p] < ready[p].length && ready[p][w[p]] <= r.predictedEnd) add(p, ready[p][w[p]++], K, true);
          add(p, r.predictedEnd, r.allocCores, false);
        }
        for (let p = 0; p < pools.length; p++) while (w[p] < ready[p].length) add(p, ready[p][w[p]++], pools[p].coresPerNode, true);
      }
      const cursor = pools.map(() => 0);
      // Off or asleep nodes: listed (by a scan of the pool) the first time a pass asks how many there are.
      const lowPower: (number[] | undefined)[] = pools.map(() => undefined);
      const lowList = (p: number): number[] => (lowPower[p] ??= hasState(pools[p]) && pools[p].sleepingNodes > 0 ? lowPowerNodes(view, pools[p]) : []);
      const lowCount = pools.map(() => -1);
      const taken = pools.map(() => 0);
      const wakeCount = (p: number) => Math.max(0, (lowCount[p] < 0 ? (lowCount[p] = lowList(p).length) : lowCount[p]) - taken[p]);
      /** Cores that switching nodes of pool p on could add: asked only when waiting is not enough (the count may need a scan). */
      const wakeCores = (p: number) => wakeCount(p) * pools[p].coresPerNode;
      const wake = (p: number, k: number): number[] => {
        wakeCount(p);
        const nodes = lowList(p).splice(0, k);
        taken[p] += nodes.length;
        return nodes;
      };
      /** Idle nodes claimed by each planned job (job id, pool, count), and waking nodes claimed per pool. */
      const idleClaims: { jobId: number; p: number; n: number }[] = [];
      const claimedWaking = pools.map(() => 0);
      for (let job = first; job !== undefined; job = queue.next()) {
        // The best plan (pool -1: none), in scalars: this runs for every job the walk reaches.
        let p = -1;
        let start = Infinity;
        let without = Infinity;
        let k = 0;
        let need = 0;
        for (let q = 0; q < pools.length; q++) {
          const needQ = coresFor(job, pools[q]);
          if (needQ === Infinity) continue;
          const KQ = pools[q].coresPerNode;
          planStart(supply[q], cursor[q], needQ, q, wakeCores, now, now + figures(pools[q]).switchOnSeconds);
          if (plan.start === Infinity) continue;
          // Cores short are switched on as whole nodes.
          if (p < 0 || plan.start < start) {
            p = q;
            start = plan.start;
            without = plan.without;
            k = Math.ceil(plan.k / KQ);
            need = needQ;
          }
        }
        if (p < 0) break;
        const f = figures(pools[p]);
        const s = supply[p];
        const K = pools[p].coresPerNode;
        // Claim the earliest supply.
        for (let left = need - k * K; left > 0 && cursor[p] < s.t.length; ) {
          const c = cursor[p];
          const take = Math.min(left, s.n[c]);
          if (s.waking[c]) claimedWaking[p] += take / K;
          else if (c === s.idleEntry) idleClaims.push({ jobId: job.id, p, n: Math.ceil(take / K) });
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
            for (let i = 0; i < k; i++) synthetic.push(placeholder(-1 - synthetic.length, pools[p], now, start));
          } else {
            const nodes = wake(p, k);
            if (nodes.length === 0) continue;
            for (let i = 0; i < nodes.length; i++) synthetic.push(placeholder(-1 - synthetic.length, pools[p], now, now + f.switchOnSeconds));
            const finite = Number.isFinite(without);
            const cached = entry(pools[p]);
            power.push({
              kind: "setPowerState",
              nodes,
              state: "on",
              why: {
                reason: `switched on for job ${job.id}: it needs ${need} cores of pool ${p}; with ${nodes.length} node(s) switched on it can start at ${fmt(start)} s (switch-on ${(cached.onSeconds ??= fmt(f.switchOnSeconds))} s)${finite ? `, not at ${fmt(without)} s waiting for running jobs` : "; running jobs alone never free enough"}`,
                expected: { job: job.id, cores_needed: need, nodes_switched: nodes.length, start_s: start, switch_on_s: f.switchOnSeconds, switch_on_j: nodes.length * f.switchOnWatts * f.switchOnSeconds, ...(finite ? { start_without_s: without } : {}) },
                ...(finite ? { alternatives: [{ option: "wait for running jobs", expected: { start_s: without } }] } : {}),
              },
            });
          }
        }
        if (start > now + f.switchOnSeconds) break;
      }

      // 2. EASY on the view with waking nodes shown as jobs ending when they are on.
      const inner = first === undefined ? NONE : easy.decideWith(view, happened, synthetic.length === 0 ? undefined : withRunning(view, synthetic));
      // Most passes start nothing: the maps are made only for those that do.
      const startIds: ReadonlySet<number> = inner.length === 0 ? NO_IDS : new Set(startsOf(inner));
      const byId = new Map<number, (typeof view.queue)[number]>();
      if (startIds.size > 0) {
        const index = view.queueIndex !== undefined && view.queueIndex.view === view ? view.queueIndex : undefined;
        if (index !== undefined) for (const id of startIds) byId.set(id, index.byId(id)!);
        else for (const j of view.queue) if (startIds.has(j.id)) byId.set(j.id, j);
      }
      const used = new Map<number, number>();
      for (const d of inner) {
        if (d.kind !== "start") {
          out.push(d);
          continue;
        }
        const job = byId.get(d.jobId)!;
        const pool = pools[d.pool];
        const { nodes, fromIdle } = pack(view, job, pool, idle[d.pool], used);
        const thr = threshold(pool);
        for (const n of fromIdle) {
          const g = memory.gapStart[n];
          if (g !== undefined && g !== null && now - g >= thr) {
            memory.gapSum[d.pool] += now - g;
            memory.gapCount[d.pool]++;
          }
          endGap(memory, n);
        }
        // A start of EASY's is { kind, jobId, pool }: the same with its nodes, made without a spread.
        out.push(nodes ? { kind: "start", jobId: d.jobId, pool: d.pool, nodes } : d);
      }

      // 3 and 4. Reserve, then switch off what has idled past the threshold.
      // Idle nodes claimed by planned jobs that did not start now stay on for them.
      const claimedIdle = pools.map(() => 0);
      /** The earliest time an idle node left on will reach its threshold: the policy comes back then. */
      let nextDue = Infinity;
      for (const c of idleClaims) if (!startIds.has(c.jobId)) claimedIdle[c.p] += c.n;
      for (const pool of pools) {
        const p = pool.index;
        if (!hasState(pool)) continue;
        const f = figures(pool);
        const list = idle[p];
        const spare = list.length - claimedIdle[p] + Math.max(0, pool.wakingNodes - claimedWaking[p]);
        const nodes = spare < keepOn && wakeCount(p) > 0 ? wake(p, keepOn - spare) : [];
        if (nodes.length > 0) {
          power.push({ kind: "setPowerState", nodes, state: "on", why: { reason: `switched on to keep ${keepOn} idle node(s) of pool ${p} on as a reserve`, expected: { keep_on: keepOn, idle: list.length, waking: pool.wakingNodes, switch_on_s: f.switchOnSeconds, switch_on_j: nodes.length * f.switchOnWatts * f.switchOnSeconds } } });
        }
        const thr = threshold(pool);
        if (thr === Infinity) continue;
        const off: number[] = [];
        let idleFor = Infinity;
        for (let i = Math.min(list.length, keepOn + claimedIdle[p]); i < list.length; i++) {
          const n = list[i];
          const since = view.nodeSince(n);
          if (since + thr <= now) {
            off.push(n);
            idleFor = Math.min(idleFor, now - since);
          } else if (since + thr < nextDue) nextDue = since + thr;
        }
        if (off.length === 0) continue;
        const onJ = f.switchOnWatts * f.switchOnSeconds;
        const offJ = f.switchOffWatts * f.switchOffSeconds;
        // What depends on the pool's figures alone (thr, its idle draw, f) is worked out once per figures (see known).
        const cached = entry(pool);
        const be = (cached.breakEven ??= breakEvenSeconds(pool.idleWatts, f));
        const figuresText = (cached.offText ??= `${fmt(thr)} s (${params.idle_s === undefined ? "the break-even time" : "idle_s"}); idle draws ${fmt(pool.idleWatts)} W, ${state} ${fmt(f.offWatts)} W, a switch off and on costs ${fmt(offJ + onJ)} J`);
        const expectedIdle = memory.gapCount[p] > 0 ? memory.gapSum[p] / memory.gapCount[p] : undefined;
        const remaining = expectedIdle === undefined ? undefined : Math.max(0, expectedIdle - idleFor);
        power.push({
          kind: "setPowerState",
          nodes: off,
          state,
          why: {
            reason:
              `switched ${state}: idle for ${fmt(idleFor)} s >= ${figuresText}` +
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

/** What EASY decides when nothing is queued, and the starts of a pass that starts nothing. */
const NONE: readonly Decision[] = Object.freeze([]);
const NO_IDS: ReadonlySet<number> = new Set<number>();

/** The ids of the jobs the decisions start. */
function startsOf(decisions: readonly Decision[]): number[] {
  const ids: number[] = [];
  for (const d of decisions) if (d.kind === "start") ids.push(d.jobId);
  return ids;
}

/** planStart's answer (one object, rewritten at each call: it runs for every pool of every job a pass plans). */
const plan = { start: Infinity, without: Infinity, k: 0 };

/** Sets `plan` and returns it. */
function answer(start: number, without: number, k: number): typeof plan {
  plan.start = start;
  plan.without = without;
  plan.k = k;
  return plan;
}

/**
 * Earliest start of a job that needs `need` cores, from the supply (from entry
 * `from` on) plus up to `wakeCores(pool)` cores switched on now and ready at
 * `ready`: the start, the start without switching any on, and how many to
 * switch on (in `plan`, valid until the next call).
 */
function planStart(s: Supply, from: number, need: number, pool: number, wakeCores: (pool: number) => number, now: number, ready: number): typeof plan {
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
  if (without <= ready) return answer(without, without, 0);
  const w = wakeCores(pool);
  if (accReady + w >= need) return answer(ready, without, need - accReady);
  // Even every off node is too few by `ready`: the first later supply time that, with them, is enough.
  acc = 0;
  for (let i = from; i < s.t.length; i++) {
    acc += s.n[i];
    if (s.t[i] > ready && acc + w >= need) return answer(s.t[i], without, Math.max(0, need - acc));
  }
  return answer(Infinity, without, 0);
}

/** The view's running jobs with `extra` entries merged in (by predicted end, then id), for EASY (not a derived view: one per pass made the view a prototype, which slowed every read of it). */
function withRunning(view: ClusterView, extra: readonly RunningJobView[]): readonly RunningJobView[] {
  // view.running is in that order already: the few extra entries are sorted and merged in (not the whole list sorted again).
  const byEnd = (a: RunningJobView, b: RunningJobView): number => a.predictedEnd - b.predictedEnd || a.id - b.id;
  const more = [...extra].sort(byEnd);
  let base = view.running;
  // A view out of that order (one made by hand) is sorted first.
  for (let k = 1; k < base.length; k++) {
    if (byEnd(base[k - 1], base[k]) > 0) {
      base = [...base].sort(byEnd);
      break;
    }
  }
  const running: RunningJobView[] = [];
  let i = 0;
  for (const x of more) {
    while (i < base.length && byEnd(base[i], x) <= 0) running.push(base[i++]);
    running.push(x);
  }
  while (i < base.length) running.push(base[i++]);
  return running;
}

/** A node that will be free at `predictedEnd`, shown to EASY as a one-node job ending then. */
function placeholder(id: number, pool: PoolView, now: number, predictedEnd: number): RunningJobView {
  const cores = pool.coresPerNode;
  return { id, submit: now, cores, walltime: predictedEnd - now, user: -1, project: "", pool: pool.index, device: "cpu", nodeCount: 1, nodes: [], allocCores: cores, allocation: [], holdsWholeNodes: true, start: now, firstStart: now, ranSeconds: 0, setupEnd: now, awaitingInputs: false, predictedEnd };
}

/**
 * The nodes a start is packed on, in the order placement fills them (see the
 * module comment; undefined for a job whose memory or devices placement must
 * weigh), and the idle nodes it takes (removed from `idle`). `used` holds the
 * cores this pass's earlier starts took per node.
 */
function pack(view: ClusterView, job: QueuedJobView, pool: PoolView, idle: number[], used: Map<number, number>): { nodes: number[] | undefined; fromIdle: number[] } {
  const K = pool.coresPerNode;
  if (holdsWholeNodes(job, pool)) {
    const need = coresFor(job, pool) / K;
    const fromIdle = idle.splice(0, need);
    for (const n of fromIdle) used.set(n, K);
    return { nodes: fromIdle, fromIdle };
  }
  const free = (n: number) => view.nodeFreeCores(n) - (used.get(n) ?? 0);
  const inUse: number[] = [];
  if (pool.freeCores > pool.freeNodes * K) {
    for (let n = pool.firstNode; n < pool.firstNode + pool.nodes; n++) {
      if (view.nodeState(n) === NodeState.Busy || (used.has(n) && view.nodeState(n) === NodeState.Idle)) if (free(n) > 0) inUse.push(n);
    }
  } else {
    // No busy node had a free core when the pass began (the pool's free cores are all on its idle
    // nodes): only nodes this pass's starts took from idle can be partly used. Without a scan of the pool.
    for (const n of used.keys()) if (n >= pool.firstNode && n < pool.firstNode + pool.nodes && view.nodeState(n) === NodeState.Idle && free(n) > 0) inUse.push(n);
    inUse.sort((a, b) => a - b);
  }
  let tightest = -1;
  for (const n of inUse) if (free(n) >= job.cores && (tightest < 0 || free(n) < free(tightest))) tightest = n;
  // The fullest node in use that holds it whole; else nodes in use from most free cores down, as many as it needs.
  let left = job.cores;
  const order: number[] = [];
  for (const n of tightest >= 0 ? [tightest] : inUse.sort((a, b) => free(b) - free(a) || a - b)) {
    if (left === 0) break;
    order.push(n);
    left -= Math.min(left, free(n));
  }
  // Then idle nodes, lowest ids first: no longer idle.
  const fromIdle: number[] = [];
  for (let k = 0; k < idle.length && left > 0; ) {
    const n = idle[k];
    if (used.has(n)) {
      k++;
      continue;
    }
    idle.splice(k, 1);
    fromIdle.push(n);
    left -= Math.min(left, K);
  }
  const nodes = [...order, ...fromIdle];
  // What it takes, for the next starts of the pass.
  let rest = job.cores;
  for (const n of nodes) {
    if (rest === 0) break;
    const c = Math.min(rest, free(n));
    if (c > 0) used.set(n, (used.get(n) ?? 0) + c);
    rest -= c;
  }
  // Memory and devices are placement's to weigh: such a job's nodes are not named.
  const plainCpu = job.runtimes === undefined && job.memPerCoreMb === undefined && job.memPerNodeMb === undefined && job.gpus === undefined && job.fpgas === undefined && job.exactNodes === undefined;
  return { nodes: plainCpu ? nodes : undefined, fromIdle };
}
