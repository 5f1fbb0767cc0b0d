/**
 * Consolidation and power management over EASY backfilling. In each pass:
 * 1. wake plan: walk the queue in order (first come, first served, one pool
 *    each) and give every job the earliest time it could start in some pool
 *    from the cores that are free now, on waking nodes, or freed by running
 *    jobs (at their predicted ends), optionally with off or asleep nodes
 *    switched on now (ready after the switch-on time). Supply and needs are
 *    counted in cores; a job holding whole nodes needs their cores and counts
 *    only the supply that comes as whole nodes (idle and waking nodes, the
 *    ends of jobs holding whole nodes, and the end of a job sharing its nodes
 *    for those it is the last job on, as EASY counts them; not cores free on
 *    nodes in use), so on pools of whole-node jobs this is the count in nodes.
 *    (Once a job counted in cores is planned on cores of nodes in use, which
 *    of them it would take is not known: shared ends then count no node for
 *    the rest of the pass.) When switching k nodes on makes the job
 *    start earlier than waiting, they are switched on now, or, when it must
 *    wait for running jobs anyway, at (start - switch-on time) via wakeAt, so
 *    they come on just in time. The walk stops after the first job that has to
 *    wait for running jobs; jobs that can wait for a running job to end no
 *    later than a switch-on would complete wake nothing;
 * 2. EASY orders and backfills, seeing waking (and planned) nodes as running
 *    jobs that end when they are on, each holding its node, so its
 *    reservation counts the switch-on (in cores, and in idle nodes for a head
 *    that holds whole nodes);
 *    each start is then packed (best fit): a job that shares nodes goes to the
 *    fullest node in use that can hold it whole, else fills nodes in use from
 *    the one with most free cores down (fewest nodes touched), and only then
 *    takes idle nodes, lowest ids first; a job holding whole nodes takes the
 *    lowest-id idle nodes. Work packs onto few nodes and low ids, and the
 *    nodes it leaves empty idle long enough to be switched off;
 * 3. reserve: when fewer than `keep_on` idle (or waking) nodes of a pool are
 *    left unclaimed, off nodes are switched on to refill it, but not those a
 *    plan switches on later for a waiting job (they are that job's). Idle
 *    nodes that waiting jobs were planned on but this pass's starts took are
 *    switched on again too (even with `keep_on` 0), from any off node: those
 *    planned for later are the waiting jobs' own;
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
 *
 * A pass costs what it plans on: each pool's supply is read as far as the
 * plan goes (Supply: the running jobs through the view's running index,
 * merged with the waking nodes' ready times), its scratch is kept from pass
 * to pass (PoolPass), and where the world keeps no reasons (view.explain
 * false) its power decisions carry none and their texts are not built. In a
 * calm pass (no node of any pool off, asleep or switching) the plan can switch
 * nothing on and shows EASY nothing: it is made after EASY, and only when its
 * claims of idle nodes count (a job still queued, idle nodes left in a pool
 * that switches nodes off); the decisions are the same (a test makes the plan
 * first in every pass and compares).
 */
import { NodeState, type ClusterView, type Decision, type Explanation, type Policy, type PoolView, type QueuedJobView, type RunningJobView, type WorldEvent } from "../view.js";

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
import { RunningReader, type RunningList } from "../runningReader.js";
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

/**
 * Core supply of one pool in time order, as the wake plan reads it: free now
 * (on nodes in use, then on idle nodes), then the pool's waking nodes (when
 * on) and running jobs (at their predicted ends) merged by time, a waking
 * node before a job ending at the same time. Each entry says whether its
 * cores come as whole nodes (idle or waking nodes, the end of a job holding
 * its nodes whole): with the nodes the end of a job sharing its nodes leaves
 * idle (sharedWhole), all a job holding whole nodes counts, since cores free
 * on nodes in use never make an idle node. Entries are made when first
 * read (has(i)): a pass plans on the first few, while the pool may run many
 * jobs. Kept from pass to pass (begin() starts again; arrays are never
 * emptied, which would drop their stores).
 */
export class Supply {
  /** Entries [0, len): time (s), cores, whether they are a waking node's, and whether they come as whole nodes. */
  readonly t: number[] = [];
  readonly n: number[] = [];
  readonly waking: boolean[] = [];
  readonly whole: boolean[] = [];
  len = 0;
  /**
   * Per entry, the running job whose end it is when that job shares its
   * nodes (its index in the reader; -1 otherwise), and (worked out when first
   * asked, in entry order, by sharedWhole) the cores of the nodes its end
   * leaves idle, as whole nodes: those where it is the last job.
   */
  private readonly run: number[] = [];
  private readonly wn: number[] = [];
  private wnLen = 0;
  /** Set once a job counted in cores claims cores of nodes in use: no end of a shared job is counted as whole nodes after. */
  noShared = false;
  /** Per node id, cores freed by the shared ends worked out so far, valid where its stamp is the pass's. */
  private readonly freed: number[] = [];
  private readonly freedStamp: number[] = [];
  private stamp = 0;
  private view: ClusterView | undefined;
  /** Entry of the cores of idle nodes now (-1: none). */
  idleEntry = -1;
  /** When each waking node of the pool will be on, earliest first: [0, readyLen); readyNode: which node it is. */
  readonly ready: number[] = [];
  readonly readyNode: number[] = [];
  readyLen = 0;
  private pool = 0;
  private coresPerNode = 1;
  private running: RunningReader | undefined;
  /** The next running job (of any pool) and waking node not yet made entries. */
  private runPos = 0;
  private wakePos = 0;

  /**
   * Starts the pass's supply of pool `pool` (`ready` already set): `busyFree`
   * cores free now on nodes in use and `idleCores` on idle nodes, then what
   * `running` frees. With `view` (whose free cores per node the running jobs
   * account for), sharedWhole counts the nodes shared jobs leave idle.
   */
  begin(pool: number, coresPerNode: number, now: number, busyFree: number, idleCores: number, running: RunningReader, view?: ClusterView): void {
    this.pool = pool;
    this.coresPerNode = coresPerNode;
    this.running = running;
    this.view = view;
    this.wnLen = 0;
    this.noShared = false;
    this.stamp++;
    this.len = 0;
    this.idleEntry = -1;
    this.runPos = 0;
    this.wakePos = 0;
    if (busyFree > 0) this.push(now, busyFree, false, false);
    if (idleCores > 0) {
      this.idleEntry = this.len;
      this.push(now, idleCores, false, true);
    }
  }

  /** True when entry i exists (made now if it was not yet). */
  has(i: number): boolean {
    while (this.len <= i) if (!this.pull()) return false;
    return true;
  }

  /** Lets go of the pass's running jobs. */
  release(): void {
    this.running = undefined;
    this.view = undefined;
  }

  /**
   * Cores of entry i (made) that come as whole nodes from the end of a job
   * sharing its nodes, not yet claimed: the nodes where it is the last job
   * (the running jobs come by predicted end: a node is left idle when the
   * cores its jobs hold are all freed, as EASY's idleNodesAt counts it). 0
   * for any other entry, without a view, or once a job counted in cores
   * claimed cores of nodes in use (which nodes it would take is not known).
   */
  sharedWhole(i: number): number {
    if (this.noShared || this.view === undefined) return 0;
    while (this.wnLen <= i) this.workOut(this.wnLen++);
    return this.wn[i];
  }

  /** Takes `take` cores of entry i's whole nodes (sharedWhole) for a job holding whole nodes. */
  takeShared(i: number, take: number): void {
    this.wn[i] -= take;
    this.n[i] -= Math.min(this.n[i], take);
  }

  /** Whether entry i still has cores to claim, in cores or as whole nodes. */
  left(i: number): boolean {
    return this.n[i] > 0 || (i < this.wnLen && this.wn[i] > 0);
  }

  private workOut(i: number): void {
    const k = this.run[i];
    if (k < 0) {
      this.wn[i] = 0;
      return;
    }
    const view = this.view!;
    const K = this.coresPerNode;
    const alloc = this.running!.at(k).allocation;
    let nodes = 0;
    for (let a = 0; a < alloc.length; a++) {
      const node = alloc[a].node;
      const f = (this.freedStamp[node] === this.stamp ? this.freed[node] : 0) + alloc[a].cores;
      this.freed[node] = f;
      this.freedStamp[node] = this.stamp;
      if (f >= K - view.nodeFreeCores(node)) nodes++;
    }
    this.wn[i] = nodes * K;
  }

  private push(t: number, n: number, waking: boolean, whole: boolean, run = -1): void {
    const k = this.len++;
    this.t[k] = t;
    this.n[k] = n;
    this.waking[k] = waking;
    this.whole[k] = whole;
    this.run[k] = run;
  }

  /** Makes the next entry; false when none is left. */
  private pull(): boolean {
    const running = this.running!;
    while (this.runPos < running.count) {
      const r = running.at(this.runPos);
      if (r.pool !== this.pool) {
        this.runPos++;
        continue;
      }
      if (this.wakePos < this.readyLen && this.ready[this.wakePos] <= r.predictedEnd) this.push(this.ready[this.wakePos++], this.coresPerNode, true, true);
      else {
        this.push(r.predictedEnd, r.allocCores, false, r.holdsWholeNodes, r.holdsWholeNodes ? -1 : this.runPos);
        this.runPos++;
      }
      return true;
    }
    if (this.wakePos < this.readyLen) {
      this.push(this.ready[this.wakePos++], this.coresPerNode, true, true);
      return true;
    }
    return false;
  }
}

/**
 * What a pass works out per pool besides its supply, kept from pass to pass
 * (reset by begin(); arrays never emptied).
 */
class PoolPass {
  readonly supply = new Supply();
  /** Idle nodes in id order: [0, idleLen). Starts packed this pass take theirs out. */
  readonly idle: number[] = [];
  idleLen = 0;
  /** Idle nodes as listed, before any start of the pass took some. */
  listed = 0;
  /** Off or asleep nodes in id order, [lowFrom, lowLen), listed when first asked for (lowLen < 0: not yet). */
  readonly low: number[] = [];
  lowLen = -1;
  lowFrom = 0;
  /** Supply entries claimed (the first not used up), low-power nodes counted as switched on, waking and idle nodes claimed by planned jobs. */
  cursor = 0;
  taken = 0;
  claimedWaking = 0;
  claimedIdle = 0;

  begin(): void {
    this.lowLen = -1;
    this.lowFrom = 0;
    this.cursor = 0;
    this.taken = 0;
    this.claimedWaking = 0;
    this.claimedIdle = 0;
  }
}

/**
 * `planFirst` (for tests): make the wake plan before EASY in every pass, calm
 * ones too; the decisions must be the same (see the calm pass in decide).
 */
export function policyConsolidate(params: ConsolidateParams = {}, internal: { readonly planFirst?: boolean } = {}): Policy<ConsolidateState> {
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
   * Nodes whose gap start is in `gapsOf` (1), kept beside the state so that
   * a pass does not look each idle node up in it again (a lookup in an object
   * keyed by node ids, with deletions, is a dictionary lookup). Only this
   * policy writes the state; a state it did not leave clears it.
   */
  let gapsOf: ConsolidateState | undefined;
  let gapSet = new Uint8Array(0);

  /**
   * Lists the idle nodes of each pool in id order in its PoolPass; an idle
   * node whose gap the state does not know yet starts it when it became idle.
   * A scan of the pool that stops once it has met its freeNodes (the nodes in
   * the idle state): from the highest id down when the pool has fewer nodes
   * off or switching than busy (those are switched off highest first, work is
   * packed on low ids), else from the lowest id up.
   */
  function listIdle(view: ClusterView, pools: readonly PoolView[], memory: ConsolidateState): void {
    if (gapsOf !== memory) {
      // A state this policy did not leave (the first, or one a store gave back): nothing known of it.
      gapsOf = memory;
      gapSet.fill(0);
    }
    // One flag per node id.
    let ids = 0;
    for (let p = 0; p < pools.length; p++) ids = Math.max(ids, pools[p].firstNode + pools[p].nodes);
    if (gapSet.length < ids) {
      const grown = new Uint8Array(ids);
      grown.set(gapSet);
      gapSet = grown;
    }
    for (let p = 0; p < pools.length; p++) {
      const pool = pools[p];
      const pp = passOf(p);
      const list = pp.idle;
      let found = 0;
      const first = pool.firstNode;
      const end = first + pool.nodes;
      const free = pool.freeNodes;
      if (view.nextIdle) {
        // The world's index of idle nodes: free of them, in id order, without asking the busy ones.
        for (let n = view.nextIdle(first, end); found < free && n < end; n = view.nextIdle(n + 1, end)) found = addIdle(view, memory, list, found, n);
        pp.idleLen = pp.listed = found;
        continue;
      }
      const down = pool.sleepingNodes + pool.wakingNodes <= pool.nodes - free - pool.sleepingNodes - pool.wakingNodes;
      const step = down ? -1 : 1;
      for (let n = down ? end - 1 : first; found < free && n >= first && n < end; n += step) {
        if (view.nodeState(n) === NodeState.Idle) found = addIdle(view, memory, list, found, n);
      }
      if (down) {
        for (let i = 0, j = found - 1; i < j; i++, j--) {
          const x = list[i];
          list[i] = list[j];
          list[j] = x;
        }
      }
      pp.idleLen = pp.listed = found;
    }
  }

  /** Lists idle node n at list[found], starting its gap in the state when new (see gapSet); returns found + 1. */
  function addIdle(view: ClusterView, memory: ConsolidateState, list: number[], found: number, n: number): number {
    if (gapSet[n] !== 1) {
      memory.gapStart[n] ??= view.nodeSince(n);
      gapSet[n] = 1;
    }
    list[found] = n;
    return found + 1;
  }

  /** Ends node n's idle gap in the state (see gapSet and ConsolidateState.gapStart). */
  function endGap(memory: ConsolidateState, n: number): void {
    memory.gapStart[n] = null;
    gapSet[n] = 0;
  }

  /**
   * Lists the nodes of a pool that are off or asleep (not switching), in id
   * order, in pp.low. The scan runs from the highest id down (nodes are
   * switched off highest first) and stops once it has met all the pool's
   * sleepingNodes (off, asleep or switching off).
   */
  function listLowPower(view: ClusterView, pool: PoolView, pp: PoolPass): void {
    const out = pp.low;
    let found = 0;
    if (hasState(pool) && pool.sleepingNodes > 0) {
      let met = 0;
      for (let n = pool.firstNode + pool.nodes - 1; n >= pool.firstNode && met < pool.sleepingNodes; n--) {
        const s = view.nodeState(n);
        if (s === NodeState.Off || s === NodeState.Sleep) {
          out[found++] = n;
          met++;
        } else if (s === NodeState.SwitchingOff) met++;
      }
      for (let i = 0, j = found - 1; i < j; i++, j--) {
        const x = out[i];
        out[i] = out[j];
        out[j] = x;
      }
    }
    pp.lowLen = found;
    pp.lowFrom = 0;
  }

  /** Sets the pool's supply.ready: when each of its waking nodes will be on, earliest first, and readyNode (a scan that stops once it has met them all). */
  function listWaking(view: ClusterView, pool: PoolView, s: Supply): void {
    const out = s.ready;
    const node = s.readyNode;
    let found = 0;
    for (let n = pool.firstNode + pool.nodes - 1; n >= pool.firstNode && found < pool.wakingNodes; n--) {
      if (view.nodeState(n) !== NodeState.SwitchingOn) continue;
      // Insertion in order (the list is short).
      const t = view.nodeReadyAt(n);
      let i = found++;
      while (i > 0 && out[i - 1] > t) {
        out[i] = out[i - 1];
        node[i] = node[i - 1];
        i--;
      }
      out[i] = t;
      node[i] = n;
    }
    s.readyLen = found;
  }

  /** Per pool, what a pass plans on (see decide), kept from pass to pass. */
  const passes: PoolPass[] = [];
  const passOf = (p: number): PoolPass => (passes[p] ??= new PoolPass());
  const running = new RunningReader();
  const used = new UsedCores();

  // The pass being decided and its pools, for the functions below (made once, not per pass).
  let passView: ClusterView;
  let passPools: readonly PoolView[];
  /** Low-power nodes of pool p not yet counted as switched on. */
  function wakeCount(p: number): number {
    const pp = passes[p];
    if (pp.lowLen < 0) listLowPower(passView, passPools[p], pp);
    return Math.max(0, pp.lowLen - pp.taken);
  }
  /** Cores that switching nodes of pool p on could add: asked only when waiting is not enough (the count may need a scan). */
  function wakeCores(p: number): number {
    const pp = passes[p];
    // No node of the pool is off or asleep: nothing to count (and no scan).
    if (pp.lowLen < 0 && passPools[p].sleepingNodes === 0) return 0;
    return wakeCount(p) * passPools[p].coresPerNode;
  }
  /**
   * Up to k low-power nodes of pool p to switch on now, lowest ids first,
   * reaching at most `planned` of those at the high end that a plan of this
   * pass switches on later, just in time (taken beyond lowFrom).
   */
  function wake(p: number, k: number, planned = Infinity): number[] {
    wakeCount(p);
    const pp = passes[p];
    const end = Math.min(pp.lowLen - Math.max(0, pp.taken - pp.lowFrom - planned), pp.lowFrom + k);
    const nodes = pp.low.slice(pp.lowFrom, end);
    pp.lowFrom = end;
    pp.taken += nodes.length;
    return nodes;
  }

  /** Power decisions of the pass, in order: [0, powerLen). */
  const power: Decision[] = [];
  let powerLen = 0;
  const addPower = (d: Decision): void => {
    power[powerLen++] = d;
  };
  function askWake(now: number, time: number): void {
    if (time > now) addPower({ kind: "wakeAt", time });
  }

  /** Idle nodes claimed by planned jobs: job id, pool, count; [0, claims). */
  const claimJob: number[] = [];
  const claimPool: number[] = [];
  const claimNodes: number[] = [];
  let claims = 0;
  /**
   * Waking nodes shown to EASY as running jobs ([0, syntheticLen) of
   * `synthetic`, objects reused from pass to pass), each holding its node
   * whole: a head that holds whole nodes counts it idle when it is on (EASY's
   * shadow time counts the nodes a running job frees, not only its cores).
   * A node planned to come on later is one of the pool's off or asleep nodes
   * not switched on this pass (the highest ids left; which one is chosen when
   * it is switched on). Their ids are negative
   * (before any job's at the same predicted end) and rise in the order they
   * are made, so that those made in order of predicted end are in EASY's order
   * already (withRunning sorts them). How those ending at the same time are
   * ordered among themselves changes nothing EASY decides: its shadow time
   * takes every job ending at a time together.
   */
  const synthetic: Placeholder[] = [];
  let syntheticLen = 0;
  const addPlaceholder = (pool: PoolView, now: number, predictedEnd: number, node: number): void => {
    const k = syntheticLen++;
    (synthetic[k] ??= new Placeholder()).set(PLACEHOLDER_IDS + k, pool, now, predictedEnd, node);
  };

  /** Why nodes of a pool are switched on for a job that needs `need` cores there: it starts at `start` with them, at `without` without. */
  function wakeWhy(jobId: number, need: number, pool: PoolView, count: number, start: number, without: number): Explanation {
    const f = figures(pool);
    const p = pool.index;
    const finite = Number.isFinite(without);
    const cached = entry(pool);
    return {
      reason: `switched on for job ${jobId}: it needs ${need} cores of pool ${p}; with ${count} node(s) switched on it can start at ${fmt(start)} s (switch-on ${(cached.onSeconds ??= fmt(f.switchOnSeconds))} s)${finite ? `, not at ${fmt(without)} s waiting for running jobs` : "; running jobs alone never free enough"}`,
      expected: { job: jobId, cores_needed: need, nodes_switched: count, start_s: start, switch_on_s: f.switchOnSeconds, switch_on_j: count * f.switchOnWatts * f.switchOnSeconds, ...(finite ? { start_without_s: without } : {}) },
      ...(finite ? { alternatives: [{ option: "wait for running jobs", expected: { start_s: without } }] } : {}),
    };
  }

  /** Why `count` idle nodes of a pool, the shortest idle for `idleFor` s, are switched to the low-power state. */
  function offWhy(pool: PoolView, count: number, idleFor: number, memory: ConsolidateState): Explanation {
    const f = figures(pool);
    const p = pool.index;
    const thr = threshold(pool);
    const onJ = f.switchOnWatts * f.switchOnSeconds;
    const offJ = f.switchOffWatts * f.switchOffSeconds;
    // What depends on the pool's figures alone (thr, its idle draw, f) is worked out once per figures (see known).
    const cached = entry(pool);
    const be = (cached.breakEven ??= breakEvenSeconds(pool.idleWatts, f));
    const figuresText = (cached.offText ??= `${fmt(thr)} s (${params.idle_s === undefined ? "the break-even time" : "idle_s"}); idle draws ${fmt(pool.idleWatts)} W, ${state} ${fmt(f.offWatts)} W, a switch off and on costs ${fmt(offJ + onJ)} J`);
    const expectedIdle = memory.gapCount[p] > 0 ? memory.gapSum[p] / memory.gapCount[p] : undefined;
    const remaining = expectedIdle === undefined ? undefined : Math.max(0, expectedIdle - idleFor);
    return {
      reason:
        `switched ${state}: idle for ${fmt(idleFor)} s >= ${figuresText}` +
        (expectedIdle === undefined ? "; no idle history yet, so the ski-rental rule: waiting the break-even time first costs at most twice the best choice" : `; idle gaps this long have lasted ${fmt(expectedIdle)} s on average`),
      expected: {
        nodes: count,
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
    };
  }

  /** Lets go of the pass's running jobs, read by the plan and by EASY through withRunning. */
  function release(): void {
    running.release();
    for (let p = 0; p < passPools.length; p++) passes[p].supply.release();
  }

  /**
   * Step 1 of a pass, the wake plan: walks the queue (first come, first
   * served, from `first`) over each pool's supply in time order (idle now,
   * waking nodes when on, running jobs at their predicted ends), switching
   * nodes on for jobs that start earlier with them, and claiming idle and
   * waking nodes for the jobs planned on them (see the module comment). Leaves
   * the running reader bound (EASY reads it through withRunning).
   */
  function planWakes(view: ClusterView, now: number, explain: boolean, queue: QueueWalk, first: QueuedJobView): void {
    const pools = passPools;
    running.bind(view);
    for (let p = 0; p < pools.length; p++) {
      const pool = pools[p];
      const s = passes[p].supply;
      if (pool.wakingNodes > 0) listWaking(view, pool, s);
      else s.readyLen = 0;
      for (let i = 0; i < s.readyLen; i++) addPlaceholder(pool, now, s.ready[i], s.readyNode[i]);
      // The idle nodes as listed (a plan made after EASY's starts were packed plans on them too).
      const idleCores = passes[p].listed * pool.coresPerNode;
      s.begin(p, pool.coresPerNode, now, pool.freeCores - idleCores, idleCores, running, view);
    }
    for (let job: QueuedJobView | undefined = first; job !== undefined; job = queue.next()) {
      // The best plan (pool -1: none), in scalars: this runs for every job the walk reaches.
      let p = -1;
      let start = Infinity;
      let without = Infinity;
      let k = 0;
      let need = 0;
      let whole = false;
      for (let q = 0; q < pools.length; q++) {
        const needQ = coresFor(job, pools[q]);
        if (needQ === Infinity) continue;
        const KQ = pools[q].coresPerNode;
        planStart(passes[q].supply, passes[q].cursor, needQ, holdsWholeNodes(job, pools[q]) ? KQ : 0, q, wakeCores, now, now + figures(pools[q]).switchOnSeconds);
        if (plan.start === Infinity) continue;
        // Cores short are switched on as whole nodes.
        if (p < 0 || plan.start < start) {
          p = q;
          start = plan.start;
          without = plan.without;
          k = Math.ceil(plan.k / KQ);
          need = needQ;
          whole = holdsWholeNodes(job, pools[q]);
        }
      }
      if (p < 0) break;
      const f = figures(pools[p]);
      const pp = passes[p];
      const s = pp.supply;
      const K = pools[p].coresPerNode;
      // Claim the earliest supply (for a job holding whole nodes, the whole nodes in it: the cursor then
      // passes over the entries used up, which may leave others before them). The job the walk stops at
      // claims only what is read after the walk, idle nodes now and waking nodes: with none waking, its
      // claim ends at the idle entry (before a walk of every running job it waits for).
      const last = start > now + f.switchOnSeconds && s.readyLen === 0 ? s.idleEntry : Infinity;
      for (let left = need - k * K, c = pp.cursor; left > 0 && c <= last && s.has(c); c++) {
        const take = Math.min(left, whole ? wholeCores(s, c, K) : s.n[c]);
        if (take === 0) continue;
        if (s.waking[c]) pp.claimedWaking += take / K;
        else if (c === s.idleEntry) {
          claimJob[claims] = job.id;
          claimPool[claims] = p;
          claimNodes[claims++] = Math.ceil(take / K);
        }
        if (whole && !s.whole[c]) s.takeShared(c, take);
        else {
          s.n[c] -= take;
          if (!whole && !s.whole[c]) s.noShared = true;
        }
        left -= take;
      }
      while (pp.cursor < s.len && !s.left(pp.cursor)) pp.cursor++;
      if (k > 0) {
        const wakeTime = start - f.switchOnSeconds;
        if (wakeTime > now) {
          // Switched on later, just in time: EASY sees them as on at `start`. Those switched on now for queued
          // jobs come from the low end of the off nodes (wake), these stand for nodes from the high end: the two
          // never meet (k <= wakeCount); the reserve, after EASY, takes them only for waiting jobs (see step 3).
          wakeCount(p);
          const top = pp.lowLen - 1 - (pp.taken - pp.lowFrom);
          pp.taken += k;
          askWake(now, wakeTime);
          for (let i = 0; i < k; i++) addPlaceholder(pools[p], now, start, pp.low[top - i]);
        } else {
          const nodes = wake(p, k);
          if (nodes.length === 0) continue;
          for (let i = 0; i < nodes.length; i++) addPlaceholder(pools[p], now, now + f.switchOnSeconds, nodes[i]);
          addPower(explain ? { kind: "setPowerState", nodes, state: "on", why: wakeWhy(job.id, need, pools[p], nodes.length, start, without) } : { kind: "setPowerState", nodes, state: "on" });
        }
      }
      if (start > now + f.switchOnSeconds) break;
    }
  }

  return {
    name: "consolidate",
    version: "1",
    params: { idle_s: params.idle_s ?? "break_even", keep_on: keepOn, state, ...Object.fromEntries(Object.entries(params).filter(([k]) => !["idle_s", "keep_on", "state"].includes(k))) },
    initialState: () => ({ gapStart: {}, gapSum: [], gapCount: [] }),
    decide(view: ClusterView, happened: readonly WorldEvent[], memory: ConsolidateState): readonly Decision[] {
      const now = view.now;
      const pools = view.pools;
      // A world that keeps no reasons (a run writing its summary only) is given none: they are not built.
      const explain = view.explain !== false;
      passView = view;
      passPools = pools;
      for (let p = memory.gapSum.length; p < pools.length; p++) {
        memory.gapSum.push(0);
        memory.gapCount.push(0);
      }
      for (let p = 0; p < pools.length; p++) passOf(p).begin();
      listIdle(view, pools, memory);
      powerLen = 0;
      claims = 0;
      syntheticLen = 0;

      // 1. Wake plan (planWakes). With nothing queued there is nothing to plan, and EASY starts nothing: neither is
      // made. In a calm pass (no node of any pool off, asleep or switching) the plan can switch nothing on and
      // shows EASY nothing: it is made after EASY, and only when its claims of idle nodes count (see below).
      let queue = walk.start(view);
      const first = queue.next();
      let calm = internal.planFirst !== true;
      for (let p = 0; calm && p < pools.length; p++) if (pools[p].sleepingNodes > 0 || pools[p].wakingNodes > 0) calm = false;
      if (first !== undefined && !calm) planWakes(view, now, explain, queue, first);

      // 2. EASY on the view with waking nodes shown as jobs ending when they are on.
      const inner = first === undefined ? NONE : easy.decideWith(view, happened, syntheticLen === 0 ? undefined : withRunning(running, synthetic, syntheticLen));
      if (first !== undefined && !calm) release();
      let out: Decision[] | undefined;
      if (inner.length > 0) {
        out = [];
        const index = view.queueIndex !== undefined && view.queueIndex.view === view ? view.queueIndex : undefined;
        // Without the world's index (a view made by hand), the queue by id, made once.
        let byId: Map<number, QueuedJobView> | undefined;
        used.begin();
        for (const d of inner) {
          if (d.kind !== "start") {
            out.push(d);
            continue;
          }
          let job = index?.byId(d.jobId);
          if (index === undefined) {
            byId ??= new Map(view.queue.map((j) => [j.id, j]));
            job = byId.get(d.jobId);
          }
          const pool = pools[d.pool];
          const pp = passes[d.pool];
          const nodes = pack(view, job!, pool, pp, used);
          const thr = threshold(pool);
          for (let i = 0; i < packed.fromIdle.length; i++) {
            const n = packed.fromIdle[i];
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
      }

      // The calm pass's plan: its claims count only for the idle nodes a pool that switches nodes off has
      // left after the starts, and only if some job is still queued (the claims of jobs started now do not).
      if (first !== undefined && calm && startCount(inner) < queuedCount(view)) {
        let claimsCount = false;
        for (let p = 0; p < pools.length; p++) if (passes[p].idleLen > keepOn && hasState(pools[p]) && threshold(pools[p]) < Infinity) claimsCount = true;
        if (claimsCount) {
          queue = walk.start(view);
          planWakes(view, now, explain, queue, queue.next()!);
          release();
        }
      }
      // Idle nodes claimed by planned jobs that did not start now stay on for them (a pass starts few jobs: a
      // scan of them, or a set when many start).
      const startSet = claims > 0 && inner.length > 16 ? startedIds(inner) : undefined;
      for (let c = 0; c < claims; c++) if (!(startSet !== undefined ? startSet.has(claimJob[c]) : starts(inner, claimJob[c]))) passes[claimPool[c]].claimedIdle += claimNodes[c];

      // 3 and 4. Reserve, then switch off what has idled past the threshold.
      /** The earliest time an idle node left on will reach its threshold: the policy comes back then. */
      let nextDue = Infinity;
      for (let q = 0; q < pools.length; q++) {
        const pool = pools[q];
        const p = pool.index;
        if (!hasState(pool)) continue;
        const f = figures(pool);
        const pp = passes[p];
        const list = pp.idle;
        const idleLen = pp.idleLen;
        const spare = idleLen - pp.claimedIdle + Math.max(0, pool.wakingNodes - pp.claimedWaking);
        if (spare < keepOn && wakeCount(p) > 0) {
          // The reserve proper may not take the nodes planned for waiting jobs; nodes in place of the idle ones they lost may.
          const nodes = wake(p, keepOn - spare, Math.max(0, -spare));
          if (nodes.length > 0) {
            // Said as it is: in place of lost idle nodes (spare < 0), for the reserve, or both.
            const lost = Math.max(0, -spare);
            const what = lost > 0 ? `in place of ${lost} idle node(s) of pool ${p} that waiting jobs were planned on and jobs started now took` + (keepOn > 0 ? ` and to keep ${keepOn} idle on as a reserve` : "") : `to keep ${keepOn} idle node(s) of pool ${p} on as a reserve`;
            const why: Explanation | undefined = explain ? { reason: `switched on ${what}`, expected: { keep_on: keepOn, idle: idleLen, waking: pool.wakingNodes, ...(lost > 0 ? { idle_lost: lost } : {}), switch_on_s: f.switchOnSeconds, switch_on_j: nodes.length * f.switchOnWatts * f.switchOnSeconds } } : undefined;
            addPower(why ? { kind: "setPowerState", nodes, state: "on", why } : { kind: "setPowerState", nodes, state: "on" });
          }
        }
        const thr = threshold(pool);
        if (thr === Infinity) continue;
        let off: number[] | undefined;
        let idleFor = Infinity;
        for (let i = Math.min(idleLen, keepOn + pp.claimedIdle); i < idleLen; i++) {
          const n = list[i];
          const since = view.nodeSince(n);
          if (since + thr <= now) {
            (off ??= []).push(n);
            idleFor = Math.min(idleFor, now - since);
          } else if (since + thr < nextDue) nextDue = since + thr;
        }
        if (off === undefined) continue;
        addPower(explain ? { kind: "setPowerState", nodes: off, state, why: offWhy(pool, off.length, idleFor, memory) } : { kind: "setPowerState", nodes: off, state });
      }
      if (nextDue < Infinity) askWake(now, nextDue);
      if (powerLen > 0) {
        out ??= [];
        for (let i = 0; i < powerLen; i++) {
          out.push(power[i]);
          power[i] = NO_DECISION;
        }
      }
      return out ?? NONE;
    },
  };
}

/** What EASY decides when nothing is queued, and a pass that decides nothing. */
const NONE: readonly Decision[] = Object.freeze([]);
/** What a power slot holds between passes (not the last pass's decisions, which the world may still hold). */
const NO_DECISION: Decision = Object.freeze({ kind: "wakeAt", time: 0 });

/** How many of the decisions are starts. */
function startCount(decisions: readonly Decision[]): number {
  let n = 0;
  for (let i = 0; i < decisions.length; i++) if (decisions[i].kind === "start") n++;
  return n;
}

/** Jobs queued in the view (through its queue index where it has one: the queue is not made). */
function queuedCount(view: ClusterView): number {
  const index = view.queueIndex;
  return index !== undefined && index.view === view ? index.length : view.queue.length;
}

/** True when the decisions start job `id` (a scan). */
function starts(decisions: readonly Decision[], id: number): boolean {
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i];
    if (d.kind === "start" && d.jobId === id) return true;
  }
  return false;
}

/** The ids of the jobs the decisions start. */
function startedIds(decisions: readonly Decision[]): Set<number> {
  const ids = new Set<number>();
  for (const d of decisions) if (d.kind === "start") ids.add(d.jobId);
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

/** Cores of supply entry i that come as whole nodes of K cores (see Supply and Supply.sharedWhole). */
function wholeCores(s: Supply, i: number, K: number): number {
  return s.whole[i] ? s.n[i] - (s.n[i] % K) : s.sharedWhole(i);
}

/**
 * Earliest start of a job that needs `need` cores, from the supply (from entry
 * `from` on) plus up to `wakeCores(pool)` cores switched on now and ready at
 * `ready`: the start, the start without switching any on, and how many to
 * switch on (in `plan`, valid until the next call). `wholeK` > 0: the job
 * holds whole nodes of that many cores, and counts only the supply's whole
 * nodes.
 */
function planStart(s: Supply, from: number, need: number, wholeK: number, pool: number, wakeCores: (pool: number) => number, now: number, ready: number): typeof plan {
  let acc = 0;
  let accReady = 0;
  let without = Infinity;
  for (let i = from; s.has(i); i++) {
    acc += wholeK > 0 ? wholeCores(s, i, wholeK) : s.n[i];
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
  // Nothing to switch on: the walk below would stop where the one above did (without > ready), or nowhere.
  if (w === 0) return answer(without, without, 0);
  // Even every off node is too few by `ready`: the first later supply time that, with them, is enough.
  acc = 0;
  for (let i = from; s.has(i); i++) {
    acc += wholeK > 0 ? wholeCores(s, i, wholeK) : s.n[i];
    if (s.t[i] > ready && acc + w >= need) return answer(s.t[i], without, Math.max(0, need - acc));
  }
  return answer(Infinity, without, 0);
}

const byEnd = (a: RunningJobView, b: RunningJobView): number => a.predictedEnd - b.predictedEnd || a.id - b.id;

/**
 * The running jobs with the first `m` entries of `extra` merged in (by
 * predicted end, then id), for EASY (not a derived view: one per pass made the
 * view a prototype, which slowed every read of it), merged as EASY reads them:
 * it reads as far as its shadow time, where a copy of the whole list read
 * every running job (over KTH-SP2 x8, 21 a pass where placeholders are shown).
 * `extra` is sorted in place. One list, begun again by each call: EASY keeps
 * nothing of it past the pass.
 */
export function withRunning(running: RunningReader, extra: RunningJobView[], m: number): RunningList {
  return merging.begin(running, extra, m);
}

class MergedRunning implements RunningList {
  length = 0;
  /** Entries merged so far, [0, made). */
  private readonly list: RunningJobView[] = [];
  private made = 0;
  private running: RunningReader | undefined;
  /** The running jobs sorted, for a view made by hand whose list is not in order. */
  private base: readonly RunningJobView[] | undefined;
  private count = 0;
  private extra: RunningJobView[] = [];
  private m = 0;
  /** The next running job (index i; undefined past the last) and extra entry (index e) not yet merged. */
  private i = 0;
  private r: RunningJobView | undefined;
  private e = 0;

  begin(running: RunningReader, extra: RunningJobView[], m: number): this {
    // The few extra entries are sorted (an insertion sort in place: no two are equal, ids differ).
    for (let k = 1; k < m; k++) {
      const x = extra[k];
      let i = k;
      while (i > 0 && (extra[i - 1].predictedEnd > x.predictedEnd || (extra[i - 1].predictedEnd === x.predictedEnd && extra[i - 1].id > x.id))) {
        extra[i] = extra[i - 1];
        i--;
      }
      extra[i] = x;
    }
    const count = running.count;
    // The world's running jobs are in that order already; those of a view made by hand are sorted first when they are not.
    let base: readonly RunningJobView[] | undefined;
    for (let k = 1; !running.ordered && k < count; k++) {
      if (byEnd(running.at(k - 1), running.at(k)) > 0) {
        const all: RunningJobView[] = [];
        for (let j = 0; j < count; j++) all.push(running.at(j));
        base = all.sort(byEnd);
        break;
      }
    }
    this.running = running;
    this.base = base;
    this.count = count;
    this.extra = extra;
    this.m = m;
    this.length = count + m;
    this.made = 0;
    this.i = 0;
    this.e = 0;
    this.r = count > 0 ? this.runningAt(0) : undefined;
    return this;
  }

  get(k: number): RunningJobView {
    while (this.made <= k) this.mergeOne();
    return this.list[k];
  }

  private runningAt(i: number): RunningJobView {
    return this.base !== undefined ? this.base[i] : this.running!.at(i);
  }

  /** Merges the next entry: a running job before an extra entry by (predicted end, id), fields compared apart. */
  private mergeOne(): void {
    const r = this.r;
    const x = this.e < this.m ? this.extra[this.e] : undefined;
    if (r !== undefined && (x === undefined || r.predictedEnd < x.predictedEnd || (r.predictedEnd === x.predictedEnd && r.id <= x.id))) {
      this.list[this.made++] = r;
      this.r = ++this.i < this.count ? this.runningAt(this.i) : undefined;
    } else {
      this.list[this.made++] = x!;
      this.e++;
    }
  }
}

const merging = new MergedRunning();

const NO_NODES: readonly number[] = Object.freeze([]);
/** The first placeholder's id (see synthetic in policyConsolidate). */
const PLACEHOLDER_IDS = -(2 ** 31);
const NO_ALLOCATION: RunningJobView["allocation"] = Object.freeze([]);

/**
 * A node that will be free at `predictedEnd`, shown to EASY as a job holding
 * that one node whole and ending then: it frees its cores and, for a head
 * that needs whole nodes, the node (shadowTime's idle nodes count the nodes a
 * running job holds). Reused from pass to pass (set()): EASY reads them
 * within the pass and keeps none.
 */
class Placeholder implements RunningJobView {
  id = 0;
  submit = 0;
  cores = 0;
  walltime = 0;
  readonly user = -1;
  readonly project = "";
  pool = 0;
  readonly device = "cpu";
  readonly nodeCount = 1;
  /** Its node (one array per placeholder, rewritten by set()). */
  readonly nodes: number[] = [0];
  allocCores = 0;
  readonly allocation: RunningJobView["allocation"] = NO_ALLOCATION;
  readonly holdsWholeNodes = true;
  start = 0;
  firstStart = 0;
  readonly ranSeconds = 0;
  setupEnd = 0;
  readonly awaitingInputs = false;
  predictedEnd = 0;

  set(id: number, pool: PoolView, now: number, predictedEnd: number, node: number): void {
    this.id = id;
    this.nodes[0] = node;
    this.submit = this.start = this.firstStart = this.setupEnd = now;
    this.cores = this.allocCores = pool.coresPerNode;
    this.walltime = predictedEnd - now;
    this.pool = pool.index;
    this.predictedEnd = predictedEnd;
  }
}

/**
 * Cores this pass's starts took per node, valid where the node's stamp is the
 * pass's (begin() starts a pass without clearing anything), and the nodes
 * taken, in the order first taken.
 */
class UsedCores {
  private readonly cores: number[] = [];
  private readonly stamp: number[] = [];
  private pass = 0;
  readonly nodes: number[] = [];
  count = 0;

  begin(): void {
    this.pass++;
    this.count = 0;
  }

  has(n: number): boolean {
    return this.stamp[n] === this.pass;
  }

  of(n: number): number {
    return this.stamp[n] === this.pass ? this.cores[n] : 0;
  }

  set(n: number, cores: number): void {
    if (this.stamp[n] !== this.pass) {
      this.stamp[n] = this.pass;
      this.nodes[this.count++] = n;
    }
    this.cores[n] = cores;
  }
}

/** What pack() gives besides the start's nodes: the idle nodes it took (valid until the next call). */
const packed = { fromIdle: NO_NODES as readonly number[] };

/** Free cores of node n for the next start of the pass. */
const freeOf = (view: ClusterView, used: UsedCores, n: number): number => view.nodeFreeCores(n) - used.of(n);

/**
 * The nodes a start is packed on, in the order placement fills them (see the
 * module comment; undefined for a job whose memory or devices placement must
 * weigh), and in packed.fromIdle the idle nodes it takes (removed from the
 * pool's idle list). `used` holds the cores this pass's earlier starts took
 * per node.
 */
function pack(view: ClusterView, job: QueuedJobView, pool: PoolView, pp: PoolPass, used: UsedCores): number[] | undefined {
  const K = pool.coresPerNode;
  const idle = pp.idle;
  if (holdsWholeNodes(job, pool)) {
    const need = Math.min(coresFor(job, pool) / K, pp.idleLen);
    const fromIdle = idle.slice(0, need);
    removeIdle(pp, 0, need);
    for (const n of fromIdle) used.set(n, K);
    packed.fromIdle = fromIdle;
    return fromIdle;
  }
  let inUse: number[] | undefined;
  if (pool.freeCores > pool.freeNodes * K) {
    for (let n = pool.firstNode; n < pool.firstNode + pool.nodes; n++) {
      if (view.nodeState(n) === NodeState.Busy || (used.has(n) && view.nodeState(n) === NodeState.Idle)) if (freeOf(view, used, n) > 0) (inUse ??= []).push(n);
    }
  } else {
    // No busy node had a free core when the pass began (the pool's free cores are all on its idle
    // nodes): only nodes this pass's starts took from idle can be partly used. Without a scan of the pool.
    for (let i = 0; i < used.count; i++) {
      const n = used.nodes[i];
      if (n >= pool.firstNode && n < pool.firstNode + pool.nodes && view.nodeState(n) === NodeState.Idle && freeOf(view, used, n) > 0) (inUse ??= []).push(n);
    }
    inUse?.sort((a, b) => a - b);
  }
  let left = job.cores;
  const nodes: number[] = [];
  if (inUse !== undefined) {
    let tightest = -1;
    for (const n of inUse) if (freeOf(view, used, n) >= job.cores && (tightest < 0 || freeOf(view, used, n) < freeOf(view, used, tightest))) tightest = n;
    // The fullest node in use that holds it whole; else nodes in use from most free cores down, as many as it needs.
    for (const n of tightest >= 0 ? [tightest] : inUse.sort((a, b) => freeOf(view, used, b) - freeOf(view, used, a) || a - b)) {
      if (left === 0) break;
      nodes.push(n);
      left -= Math.min(left, freeOf(view, used, n));
    }
  }
  // Then idle nodes, lowest ids first: no longer idle (the rest of the list closes up behind them, in one sweep).
  const firstIdle = nodes.length;
  let kept = 0;
  for (let k = 0; k < pp.idleLen; k++) {
    const n = idle[k];
    if (left > 0 && !used.has(n)) {
      nodes.push(n);
      left -= Math.min(left, K);
    } else idle[kept++] = n;
  }
  pp.idleLen = kept;
  packed.fromIdle = firstIdle === nodes.length ? NO_NODES : firstIdle === 0 ? nodes : nodes.slice(firstIdle);
  // What it takes, for the next starts of the pass.
  let rest = job.cores;
  for (const n of nodes) {
    if (rest === 0) break;
    const c = Math.min(rest, freeOf(view, used, n));
    if (c > 0) used.set(n, used.of(n) + c);
    rest -= c;
  }
  // Memory and devices are placement's to weigh: such a job's nodes are not named.
  const plainCpu = job.runtimes === undefined && job.memPerCoreMb === undefined && job.memPerNodeMb === undefined && job.gpus === undefined && job.fpgas === undefined && job.exactNodes === undefined;
  return plainCpu ? nodes : undefined;
}

/** Takes idle nodes [k, k + m) out of the pool's idle list. */
function removeIdle(pp: PoolPass, k: number, m: number): void {
  const idle = pp.idle;
  for (let i = k + m; i < pp.idleLen; i++) idle[i - m] = idle[i];
  pp.idleLen -= m;
}
