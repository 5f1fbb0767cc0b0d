/**
 * The simulated cluster: nodes in pools at sites, jobs submitted from a stream,
 * started by a policy's decisions, ended (or killed at walltime) by events.
 * Power is piecewise constant; every change is reported to the observer as a
 * meter interval, so accounting integrates exactly, never on a tick.
 *
 * One policy pass per instant, after every event of that instant (completions,
 * switches and intensity changes before submissions: see the kind priorities).
 */
import { Engine } from "./engine.js";
import type { JobFact, SimObserver } from "./observer.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
import type { JobSpec } from "../io/spec.js";
import type { PlatformModel, PoolModel, PowerStateModel } from "../models/platform.js";
import type { IntensityForecast } from "../models/forecast.js";
import { InputError, SimulationError } from "../core/errors.js";
import type { ScoreMethod } from "../core/score.js";
import { Network } from "./network.js";
import { WorkflowTracker, type Transfer, type WorkflowSubmission } from "./workflows.js";
import type { DeviceClass } from "../io/spec.js";
import { busyNodeWatts } from "../models/nodePower.js";
import { coveredUntil, isoAt, uncoveredIssues } from "../models/coverage.js";
import { ModelPoolView } from "../planner/poolView.js";
import { canRunOn, defaultDevice, devicesRequested, expectedRuntime, nodesNeeded, poolDeviceClasses } from "../planner/resources.js";
import {
  NodeState,
  type SiteView,
  type WorkflowView,
  type ClusterView,
  type Decision,
  type Policy,
  type QueuedJobView,
  type RefusalReason,
  type RunningJobView,
  type WorldEvent,
} from "../planner/view.js";

export interface SimulationOptions {
  readonly platform: PlatformModel;
  readonly policy: Policy;
  /** Jobs in submit order, in batches. */
  readonly jobs: AsyncIterable<readonly JobSpec[]> | Iterable<readonly JobSpec[]>;
  /** One forecast per site, in platform order. */
  readonly forecasts: readonly IntensityForecast[];
  readonly observer?: SimObserver;
  /** Strict: a job no pool can ever hold is an error. Lenient: it is skipped and counted. */
  readonly mode?: "strict" | "lenient";
  /** Workload name for messages. */
  readonly label?: string;
  /** Called every `progressEvery` finished jobs. */
  readonly onProgress?: (jobsFinished: number, now: number) => void;
  /** Normalisation and weighting policies may use for single scores. */
  readonly scoreMethod?: ScoreMethod;
  /** Workflows submitted as units; their tasks join the queue as they become ready. */
  readonly workflows?: readonly WorkflowSubmission[];
  readonly progressEvery?: number;
}

export interface SimulationResult {
  /** Time the last job ended (the end of the accounting window), s. */
  readonly end: number;
  readonly jobsSubmitted: number;
  readonly jobsFinished: number;
  readonly jobsKilled: number;
  readonly jobsRejected: number;
  readonly jobsNeverStarted: number;
  readonly events: number;
  readonly passes: number;
  readonly refusals: Readonly<Record<string, number>>;
  readonly workflowsFinished: number;
  readonly transfers: number;
  /** Runs suspended (and their jobs re-queued). */
  readonly suspensions: number;
  /** Per site id: seconds its IT power exceeded its budget. */
  readonly secondsOverBudget: Readonly<Record<string, number>>;
}

class SimJob implements QueuedJobView, RunningJobView {
  pool = -1;
  nodes: number[] = [];
  device: DeviceClass = "cpu";
  start = -1;
  /** End of the setup phase (FPGA reconfiguration); equals start without one. */
  setupEnd = -1;
  setupWattsPerNode = 0;
  predictedEnd = Infinity;
  wattsPerNode = 0;
  utilisation = 0;
  killed = false;
  /** Workflow task waiting for inputs after its start: transfers still to arrive, and its run time and setup. */
  pendingInputs = 0;
  /** DVFS state it runs in (undefined: default). */
  pstate: number | undefined = undefined;
  /** Suspension: start of its first run, share of its work done before, wall time already used, run seconds so far. */
  firstStart = -1;
  workDone = 0;
  wallUsed = 0;
  runSeconds = 0;
  private scaledRuntimes?: Readonly<Partial<Record<DeviceClass, number>>>;
  /** When its last input arrived (its start when none was missing). */
  inputsAt = -1;
  /** Bitstream it loads on its FPGAs (-1: none), recorded on the nodes once the load completes. */
  bitstreamId = -1;
  runtime = 0;
  setup = 0;
  slot = -1;
  constructor(readonly spec: JobSpec, readonly arrival: number) {}
  get id() { return this.spec.id; }
  get submit() { return this.spec.submit; }
  get cores() { return this.spec.cores; }
  get walltime() { return this.spec.walltime - this.wallUsed; }
  get user() { return this.spec.user; }
  get project() { return this.spec.project; }
  get runtimes() {
    const r = this.spec.runtimes;
    if (r === undefined || this.workDone === 0) return r;
    // A resumed job has only the rest of its work left.
    return (this.scaledRuntimes ??= Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v * (1 - this.workDone)])));
  }
  /** After a suspension, the runtime models change: drop the cached scaled copy. */
  resetScaled(): void {
    this.scaledRuntimes = undefined;
  }
  get gpus() { return this.spec.gpus; }
  get fpgas() { return this.spec.fpgas; }
  get bitstream() { return this.spec.bitstream; }
  get workflow() { return this.spec.workflow; }
  get task() { return this.spec.task; }
  get qos() { return this.spec.qos; }
  get nodeCount() { return this.nodes.length; }
}

/** Marks the slot of a suspended run until its (now void) end event fires. */
const SUSPENDED = new SimJob({ id: -1, submit: 0, runtime: 1, walltime: 1, cores: 1, user: -1, group: -1, project: "", queue: -1, partition: -1, avgCpuTime: -1 }, -1);

/** The simulator's pools: the shared model view, its counts kept by the simulation. */
class SimPool extends ModelPoolView {}

/** Actual run time of a job on a pool's device: its runtime model (or trace runtime on CPUs), CPU times scaled by speed. */
function actualRuntime(spec: JobSpec, pool: PoolModel, device: DeviceClass, pstate?: number): number | undefined {
  const base = spec.runtimes?.[device] ?? (device === "cpu" ? spec.runtime : undefined);
  if (base === undefined) return undefined;
  if (device !== "cpu") return base;
  return base / (pool.speed * (pstate === undefined ? 1 : pool.dvfs![pstate].speed));
}

// Event kinds' priority classes: completions first, then switches, intensity,
// submissions, and policy wake-ups last.
const PRIO_END = 0;
const PRIO_SWITCH = 1;
const PRIO_INTENSITY = 2;
const PRIO_SUBMIT = 3;
const PRIO_WAKE = 4;

/** Runs a workload on a platform under a policy. */
export async function simulate(opts: SimulationOptions): Promise<SimulationResult> {
  const { platform, policy, observer = {} } = opts;
  const mode = opts.mode ?? "strict";
  const label = opts.label ?? "workload";
  const engine = new Engine();

  // --- nodes, pools, sites -------------------------------------------------
  const pools: SimPool[] = [];
  let nNodes = 0;
  platform.pools.forEach((m, i) => {
    pools.push(new SimPool(i, m, platform.sites[m.site].id, m.site, nNodes));
    nNodes += m.count;
  });
  const nodeState = new Uint8Array(nNodes);
  const nodePool = new Int32Array(nNodes);
  const nodeWatts = new Float64Array(nNodes);
  /** Power-state model a sleeping/switching node is in or moving to/from. */
  const nodeLowState: (PowerStateModel | undefined)[] = new Array(nNodes);
  const nodeLowKind = new Uint8Array(nNodes); // NodeState.Off or NodeState.Sleep
  /** Bitstream loaded on each node's FPGAs (-1: none known), ids from bitstreamIds. */
  const nodeBitstream = new Int32Array(nNodes).fill(-1);
  const bitstreamIds = new Map<string, number>();
  const nSites = platform.sites.length;
  const siteIt = new Float64Array(nSites);
  const siteOverhead = new Float64Array(nSites);
  const siteBusy = new Int32Array(nSites);
  const siteLast = new Float64Array(nSites);
  // Budgets in force now; a time-varying budget moves by events (below), so it is constant between flushes.
  const budgets = platform.sites.map((site) => (site.powerBudget ? site.powerBudget.valueAt(0) : (site.powerBudgetW ?? Infinity)));
  /** Seconds each site spent above its power budget (reported, never hidden). */
  const overBudget = new Float64Array(nSites);
  const poolLast = new Float64Array(pools.length);
  const poolBusy = new Int32Array(pools.length);
  for (const p of pools) {
    for (let k = 0; k < p.model.count; k++) {
      const id = p.firstNode + k;
      nodePool[id] = p.index;
      nodeState[id] = NodeState.Idle;
      nodeWatts[id] = p.model.idleWatts;
      siteIt[p.model.site] += p.model.idleWatts;
      siteOverhead[p.model.site] += p.model.idleWatts;
    }
  }

  function flushSite(s: number): void {
    const now = engine.now;
    const from = siteLast[s];
    if (now > from) {
      if (siteIt[s] > budgets[s]) overBudget[s] += now - from;
      observer.siteInterval?.(s, from, now, siteIt[s], siteOverhead[s], siteBusy[s]);
      siteLast[s] = now;
    }
  }

  function flushPool(p: number): void {
    const now = engine.now;
    const from = poolLast[p];
    if (now > from) {
      observer.poolIdle?.(p, from, now, pools[p].model.count - poolBusy[p]);
      poolLast[p] = now;
    }
  }

  /** Sets a node's draw; the site must have been flushed at now. */
  function setWatts(node: number, w: number, busy: boolean, wasBusy: boolean): void {
    const s = pools[nodePool[node]].model.site;
    const old = nodeWatts[node];
    siteIt[s] += w - old;
    if (!wasBusy) siteOverhead[s] -= old;
    if (!busy) siteOverhead[s] += w;
    nodeWatts[node] = w;
  }

  // --- jobs ------------------------------------------------------------------
  let slots: (SimJob | undefined)[] = [];
  const freeSlots: number[] = [];
  const queued = new Map<number, SimJob>();
  const queue: SimJob[] = [];
  const running: SimJob[] = [];
  let happened: WorldEvent[] = [];
  let nonDaemon = 0;
  let submitted = 0;
  let finished = 0;
  let killed = 0;
  let rejected = 0;
  let suspended = 0;
  let passes = 0;
  const refusals: Record<string, number> = {};
  const progressEvery = opts.progressEvery ?? 10_000;

  function slotOf(job: SimJob): number {
    const slot = freeSlots.length > 0 ? freeSlots.pop()! : slots.length;
    slots[slot] = job;
    return slot;
  }

  function runningIndex(job: SimJob): number {
    // binary search by (predictedEnd, id)
    let lo = 0;
    let hi = running.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const r = running[mid];
      if (r.predictedEnd < job.predictedEnd || (r.predictedEnd === job.predictedEnd && r.id < job.id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  const fact: Mutable<JobFact> = {
    job: undefined as unknown as JobSpec,
    pool: 0,
    site: 0,
    nodeCount: 0,
    device: "cpu",
    utilisation: 0,
    wattsPerNode: 0,
    setupEnd: 0,
    setupWattsPerNode: 0,
    inputsAt: 0,
    holdWattsPerNode: 0,
    start: 0,
    end: 0,
    killed: false,
    final: true,
    firstStart: 0,
    runSeconds: 0,
  };
  /** Frees a job's nodes (now idle) and removes it from the running list. */
  function releaseNodes(job: SimJob): number {
    const pool = pools[job.pool];
    const s = pool.model.site;
    flushSite(s);
    flushPool(job.pool);
    for (const n of job.nodes) {
      nodeState[n] = NodeState.Idle;
      setWatts(n, pool.model.idleWatts, false, true);
    }
    pool.freeNodes += job.nodes.length;
    poolBusy[job.pool] -= job.nodes.length;
    siteBusy[s] -= job.nodes.length;
    const i = runningIndex(job);
    if (running[i] !== job) throw new SimulationError(`job ${job.id} missing from the running list`);
    running.splice(i, 1);
    return s;
  }

  /** Reports a run of a job (its last, or one cut short by a suspension) to the observers. */
  function emitFact(job: SimJob, site: number, final: boolean): void {
    if (!observer.jobEnded) return;
    // One reused fact object: observers must copy what they keep (see SimObserver).
    fact.job = job.spec;
    fact.pool = job.pool;
    fact.site = site;
    fact.nodeCount = job.nodes.length;
    fact.utilisation = job.utilisation;
    fact.wattsPerNode = job.wattsPerNode;
    fact.device = job.device;
    fact.setupEnd = job.setupEnd;
    fact.inputsAt = job.inputsAt;
    fact.holdWattsPerNode = pools[job.pool].model.idleWatts;
    fact.setupWattsPerNode = job.setupWattsPerNode;
    fact.start = job.start;
    fact.end = engine.now;
    fact.killed = job.killed;
    fact.final = final;
    fact.firstStart = job.firstStart;
    fact.runSeconds = job.runSeconds + (engine.now - job.start);
    observer.jobEnded(fact);
  }

  const END = engine.defineKind("jobEnded", PRIO_END, (slot) => {
    nonDaemon--;
    const job = slots[slot]!;
    slots[slot] = undefined;
    freeSlots.push(slot);
    if (job === SUSPENDED) return; // the run this event ended was suspended before
    const s = releaseNodes(job);
    finished++;
    if (job.killed) killed++;
    happened.push(job.killed ? { kind: "jobKilled", jobId: job.id, reason: "walltime" } : { kind: "jobEnded", jobId: job.id });
    emitFact(job, s, true);
    if (job.spec.workflow !== undefined) taskEnded(job, s);
    if (opts.onProgress && finished % progressEvery === 0) opts.onProgress(finished, engine.now);
  });

  /** A workflow task ended: its outputs appear at its site, ready children join the queue. */
  function taskEnded(job: SimJob, site: number): void {
    const w = job.spec.workflow!;
    const { ready, workflowDone } = tracker.ended(w, job.spec.task!, site, engine.now);
    for (const spec of ready) admit(spec);
    if (workflowDone) {
      workflowsFinished++;
      const f = tracker.flow(w);
      happened.push({ kind: "workflowEnded", workflow: w });
      observer.workflowEnded?.({ workflow: w, spec: f.sub.spec, project: f.sub.project, submit: f.sub.submit, end: engine.now, bytesMoved: f.bytesMoved, bytesStaged: f.bytesStaged, taskSite: f.siteOf, taskStart: f.startAt, taskRunStart: f.runAt, taskEnd: f.endAt, criticalPath: tracker.actualCriticalPath(w) });
    }
  }

  /** A ready job (a workflow task) joins the queue now. */
  function admit(spec: JobSpec): void {
    const job = new SimJob(spec, arrivals++);
    if (!fitsSomewhere(job)) {
      dropNeverRunnable(spec);
      return;
    }
    submitted++;
    queue.push(job);
    queued.set(job.id, job);
    happened.push({ kind: "jobSubmitted", jobId: job.id });
  }

  const WORKFLOW = engine.defineKind("workflowSubmitted", PRIO_SUBMIT, (w) => {
    nonDaemon--;
    happened.push({ kind: "workflowSubmitted", workflow: w });
    const f = tracker.flow(w);
    workflowViews.push({ index: w, spec: f.sub.spec, project: f.sub.project, submit: f.sub.submit, site: f.sub.site, firstJobId: f.sub.firstJobId, taskRuntimes: f.runtimes, taskState: f.state, taskSite: f.siteOf, fileSites: f.fileSites });
    for (const spec of tracker.submit(w, engine.now)) admit(spec);
  });

  const NET = engine.defineKind("transfersProgressed", PRIO_END, () => {
    if (engine.now === netAt) netAt = Infinity;
    for (const id of network.advance(engine.now)) {
      nonDaemon--;
      const { transfer, waiters, next } = tracker.transferDone(id, engine.now);
      for (const t of next) startTransfer(t);
      const f = tracker.flow(transfer.workflow);
      happened.push({ kind: "transferEnded", workflow: transfer.workflow, file: transfer.file, to: transfer.to });
      observer.transferEnded?.({ ...transfer, end: engine.now, project: f.sub.project });
      for (const jobId of waiters) {
        const job = staged.get(jobId);
        if (job && --job.pendingInputs === 0) inputsArrived(job);
      }
    }
    pumpNetwork();
  });

  // Setup (FPGA reconfiguration) over: the nodes move to their run draw.
  const SETUP_DONE = engine.defineKind("setupDone", PRIO_SWITCH, (slot) => {
    const job = slots[slot];
    if (!job || job.setupEnd !== engine.now) throw new SimulationError(`setup end at ${engine.now} s does not match a running job (slot ${slot})`);
    flushSite(pools[job.pool].model.site);
    for (const n of job.nodes) {
      setWatts(n, job.wattsPerNode, true, true);
      if (job.bitstreamId >= 0) nodeBitstream[n] = job.bitstreamId;
    }
  });

  const SUBMIT = engine.defineKind("jobSubmitted", PRIO_SUBMIT, (slot) => {
    nonDaemon--;
    const job = slots[slot]!;
    slots[slot] = undefined;
    freeSlots.push(slot);
    queue.push(job);
    queued.set(job.id, job);
    happened.push({ kind: "jobSubmitted", jobId: job.id });
  });

  const SWITCH = engine.defineKind("nodeSwitched", PRIO_SWITCH, (node) => {
    nonDaemon--;
    const pool = pools[nodePool[node]];
    flushSite(pool.model.site);
    const model = nodeLowState[node]!;
    if (nodeState[node] === NodeState.SwitchingOff) {
      nodeState[node] = nodeLowKind[node];
      setWatts(node, model.watts, false, false);
    } else {
      nodeState[node] = NodeState.Idle;
      setWatts(node, pool.model.idleWatts, false, false);
      pool.wakingNodes--;
      pool.freeNodes++;
    }
    happened.push({ kind: "nodesSwitched", nodes: [node], state: nodeState[node] as NodeState });
  });

  const INTENSITY = engine.defineKind("intensityChanged", PRIO_INTENSITY, (site) => {
    happened.push({ kind: "intensityChanged", site: platform.sites[site].id });
    const next = platform.sites[site].intensity.series.nextChange(engine.now);
    if (next !== Infinity) engine.schedule(next, INTENSITY, site, site);
  });

  const tracker = new WorkflowTracker(opts.workflows ?? [], platform.links ?? [], nSites);
  const network = new Network((platform.links ?? []).map((l) => ({ bandwidth: l.bandwidth, latency: l.latency })));
  /** Started workflow tasks waiting for input transfers, by job id. */
  const staged = new Map<number, SimJob>();
  let netAt = Infinity;
  let transfersStarted = 0;
  let workflowsFinished = 0;
  (opts.workflows ?? []).forEach((sub, w) => {
    nonDaemon++;
    engine.schedule(sub.submit, WORKFLOW, w, w);
  });

  const wakeTimes = new Set<number>();
  const WAKE = engine.defineKind("wokeUp", PRIO_WAKE, () => {
    nonDaemon--;
    wakeTimes.delete(engine.now);
    happened.push({ kind: "wokeUp" });
  });

  platform.sites.forEach((site, s) => {
    const next = site.intensity.series.nextChange(0);
    if (next !== Infinity && next > 0) engine.schedule(next, INTENSITY, s, s);
  });

  // A time-varying power budget: the world tells the policy when it changes (a daemon event, like intensity).
  let budgetEvents = 0;
  const BUDGET = engine.defineKind("budgetChanged", PRIO_INTENSITY, (s) => {
    budgetEvents--;
    const series = platform.sites[s].powerBudget!;
    flushSite(s);
    budgets[s] = series.valueAt(engine.now);
    happened.push({ kind: "budgetChanged", site: platform.sites[s].id });
    const next = series.nextChange(engine.now);
    if (next !== Infinity) {
      budgetEvents++;
      engine.schedule(next, BUDGET, s, s);
    }
  });
  platform.sites.forEach((site, s) => {
    const next = site.powerBudget?.nextChange(0) ?? Infinity;
    if (next !== Infinity && next > 0) {
      budgetEvents++;
      engine.schedule(next, BUDGET, s, s);
    }
  });

  // --- the view ----------------------------------------------------------------
  const sites: SiteView[] = platform.sites.map((site, index) => ({
    index,
    id: site.id,
    pue: site.pue,
    get powerW() {
      return siteIt[index];
    },
    get powerBudgetW() {
      return budgets[index];
    },
  }));
  const workflowViews: WorkflowView[] = [];
  const view: ClusterView = {
    workflows: workflowViews,
    links: platform.links ?? [],
    scoreMethod: opts.scoreMethod,
    get now() {
      return engine.now;
    },
    sites,
    pools,
    queue,
    running,
    nodeState: (id: number) => nodeState[id] as NodeState,
    forecast(site: string) {
      const i = platform.sites.findIndex((s) => s.id === site);
      if (i < 0) throw new RangeError(`ClusterView.forecast: unknown site "${site}"`);
      return opts.forecasts[i];
    },
  };

  // --- decisions -----------------------------------------------------------------
  let refusedTotal = 0;
  function refuse(decision: Decision, reason: RefusalReason): void {
    refusedTotal++;
    refusals[reason] = (refusals[reason] ?? 0) + 1;
    happened.push({ kind: "decisionRefused", decision, reason });
  }

  let startedThisPass = false;

  function applyStart(d: Extract<Decision, { kind: "start" }>): void {
    const job = queued.get(d.jobId);
    if (!job) return refuse(d, "unknown_job");
    const pool = pools[d.pool];
    if (!pool) return refuse(d, "unknown_pool");
    // Plain batch jobs (no runtime models) run on CPUs: skip the device search on the hot path.
    const plain = job.spec.runtimes === undefined && d.device === undefined;
    const device = plain ? "cpu" : (d.device ?? defaultDevice(job, pool));
    if (device === undefined || (!plain && !canRunOn(job, pool, device))) return refuse(d, "no_runtime_model");
    if (d.pstate !== undefined && (device !== "cpu" || !Number.isInteger(d.pstate) || d.pstate < 0 || d.pstate >= pool.dvfsSpeeds.length)) return refuse(d, "invalid_pstate");
    const need = nodesNeeded(job, pool, device);
    if (need > pool.freeNodes) return refuse(d, "not_enough_free_nodes");
    const w = job.spec.workflow;
    const missing = w === undefined ? [] : tracker.missingInputs(w, job.spec.task!, pool.siteIndex);
    for (const file of missing) if (tracker.route(w!, file, pool.siteIndex) < 0) return refuse(d, "no_route");
    let nodes: number[];
    if (d.nodes) {
      if (d.nodes.length !== need) return refuse(d, "wrong_node_count");
      for (const n of d.nodes) {
        if (!Number.isInteger(n) || n < pool.firstNode || n >= pool.firstNode + pool.nodes || nodeState[n] !== NodeState.Idle) return refuse(d, "node_not_free");
      }
      if (new Set(d.nodes).size !== d.nodes.length) return refuse(d, "node_not_free");
      nodes = [...d.nodes];
    } else {
      nodes = [];
      for (let n = pool.firstNode; nodes.length < need; n++) if (nodeState[n] === NodeState.Idle) nodes.push(n);
    }
    const s = pool.model.site;
    flushSite(s);
    flushPool(pool.index);
    const now = engine.now;
    const devicesPerNode = devicesRequested(job, device) / need;
    // FPGA reconfiguration when any node holds another bitstream.
    let setup = 0;
    let bitstream = -1;
    if (device === "fpga" && job.spec.bitstream !== undefined) {
      bitstream = bitstreamIds.get(job.spec.bitstream) ?? bitstreamIds.set(job.spec.bitstream, bitstreamIds.size).size - 1;
      if (nodes.some((n) => nodeBitstream[n] !== bitstream)) setup = pool.model.fpgas!.reconfigurationSeconds;
    }
    const runtime = actualRuntime(job.spec, pool.model, device, d.pstate)! * (1 - job.workDone);
    job.pool = pool.index;
    job.nodes = nodes;
    job.device = device;
    job.start = now;
    if (job.firstStart < 0) job.firstStart = now;
    job.runtime = runtime;
    job.setup = setup;
    job.setupEnd = now + setup;
    job.predictedEnd = now + setup + (Number.isFinite(job.walltime) ? job.walltime : expectedRuntime(job, pool, device, d.pstate)!);
    job.utilisation = Math.min(1, job.cores / (need * pool.coresPerNode));
    job.wattsPerNode = busyNodeWatts(pool.model, device, job.utilisation, devicesPerNode, 1, d.pstate);
    job.setupWattsPerNode = pool.model.idleWatts + (setup > 0 ? devicesPerNode * pool.model.fpgas!.reconfigurationWatts : 0);
    job.pendingInputs = missing.length;
    job.pstate = d.pstate;
    job.inputsAt = now;
    job.bitstreamId = setup > 0 ? bitstream : -1;
    const staging = missing.length > 0;
    for (const n of nodes) {
      nodeState[n] = NodeState.Busy;
      // While inputs travel the nodes are held at idle draw; then setup (if any), then the run.
      setWatts(n, staging ? pool.model.idleWatts : setup > 0 ? job.setupWattsPerNode : job.wattsPerNode, true, false);
    }
    pool.freeNodes -= need;
    poolBusy[pool.index] += need;
    siteBusy[s] += need;
    queued.delete(job.id);
    running.splice(runningIndex(job), 0, job);
    job.slot = slotOf(job);
    nonDaemon++;
    if (w !== undefined) tracker.started(w, job.spec.task!, pool.siteIndex, now);
    if (staging) {
      // Inputs first: the nodes are held (at idle draw) until the last one arrives.
      staged.set(job.id, job);
      for (const file of missing) {
        for (const t of tracker.requestTransfer(w!, file, pool.siteIndex, job.id, now)) startTransfer(t);
      }
    } else beginRun(job, now);
    startedThisPass = true;
  }

  /** Schedules the setup end and the end of a started job whose inputs are all present. */
  function beginRun(job: SimJob, now: number): void {
    if (job.spec.workflow !== undefined) tracker.running(job.spec.workflow, job.spec.task!, now + job.setup);
    const occupied = now - job.start + job.setup + job.runtime;
    job.killed = occupied > job.walltime;
    // A setup cut short by the walltime never completes (and loads nothing).
    if (job.setup > 0 && now + job.setup < job.start + job.walltime) engine.schedule(now + job.setup, SETUP_DONE, job.id, job.slot);
    engine.schedule(job.start + Math.min(occupied, job.walltime), END, job.id, job.slot);
  }

  /** A staged job's inputs are all there: its setup (if any) and run begin now. */
  function inputsArrived(job: SimJob): void {
    const now = engine.now;
    staged.delete(job.id);
    const pool = pools[job.pool];
    flushSite(pool.model.site);
    const i = runningIndex(job);
    running.splice(i, 1);
    job.inputsAt = now;
    job.setupEnd = now + job.setup;
    job.predictedEnd = now + job.setup + expectedRuntime(job, pool, job.device, job.pstate)!;
    running.splice(runningIndex(job), 0, job);
    for (const n of job.nodes) setWatts(n, job.setup > 0 ? job.setupWattsPerNode : job.wattsPerNode, true, true);
    beginRun(job, now);
  }

  function startTransfer(t: Transfer): void {
    nonDaemon++;
    transfersStarted++;
    network.start(t.id, t.link, t.bytes, engine.now);
    pumpNetwork();
  }

  /** Keeps one network event scheduled at the network's next change. */
  function pumpNetwork(): void {
    const next = network.nextEvent();
    if (next < netAt) {
      netAt = next;
      engine.schedule(next, NET, 0);
    }
  }

  function applyPower(d: Extract<Decision, { kind: "setPowerState" }>): void {
    // Check every node first: a refused decision changes nothing.
    if (new Set(d.nodes).size !== d.nodes.length) return refuse(d, "node_not_free");
    for (const n of d.nodes) {
      if (!Number.isInteger(n) || n < 0 || n >= nNodes) return refuse(d, "node_not_free");
      const state = nodeState[n];
      if (d.state === "on") {
        if (state !== NodeState.Off && state !== NodeState.Sleep) return refuse(d, "node_not_free");
      } else {
        const model = d.state === "off" ? pools[nodePool[n]].model.off : pools[nodePool[n]].model.sleep;
        if (!model) return refuse(d, "invalid_power_state");
        if (state !== NodeState.Idle) return refuse(d, "node_not_free");
      }
    }
    for (const n of d.nodes) {
      const pool = pools[nodePool[n]];
      flushSite(pool.model.site);
      if (d.state === "on") {
        const model = nodeLowState[n]!;
        nodeState[n] = NodeState.SwitchingOn;
        setWatts(n, model.switchOnWatts, false, false);
        pool.sleepingNodes--;
        pool.wakingNodes++;
        nonDaemon++;
        engine.schedule(engine.now + model.switchOnSeconds, SWITCH, n, n);
      } else {
        const model = (d.state === "off" ? pool.model.off : pool.model.sleep)!;
        nodeState[n] = NodeState.SwitchingOff;
        nodeBitstream[n] = -1; // FPGAs lose their configuration without power
        nodeLowState[n] = model;
        nodeLowKind[n] = d.state === "off" ? NodeState.Off : NodeState.Sleep;
        setWatts(n, model.switchOffWatts, false, false);
        pool.freeNodes--;
        pool.sleepingNodes++;
        nonDaemon++;
        engine.schedule(engine.now + model.switchOffSeconds, SWITCH, n, n);
      }
    }
  }

  /**
   * Suspends a running job that allows it (its QoS class is preemptible): its
   * nodes are freed, the work done so far is kept (checkpointed; no restart cost
   * is modelled), and it goes back to its place in the queue.
   */
  function applySuspend(d: Extract<Decision, { kind: "suspend" }>): void {
    const job = running.find((j) => j.id === d.jobId);
    if (!job) return refuse(d, "unknown_job");
    const now = engine.now;
    if (!job.spec.qos?.preemptible || job.spec.workflow !== undefined || job.pendingInputs > 0 || now < job.setupEnd || now === job.start) return refuse(d, "not_suspendable");
    const runtimeHere = job.runtime / (1 - job.workDone);
    job.workDone = Math.min(1, job.workDone + (now - job.setupEnd) / runtimeHere);
    const site = releaseNodes(job);
    emitFact(job, site, false);
    job.wallUsed += now - job.start;
    job.runSeconds += now - job.start;
    job.resetScaled();
    slots[job.slot] = SUSPENDED;
    job.killed = false;
    job.pool = -1;
    job.nodes = [];
    job.predictedEnd = Infinity;
    // back to its place in the queue (arrival order)
    let i = queue.length;
    while (i > 0 && queue[i - 1].arrival > job.arrival) i--;
    queue.splice(i, 0, job);
    queued.set(job.id, job);
    suspended++;
    happened.push({ kind: "jobSuspended", jobId: job.id });
  }

  function applyTransfer(d: Extract<Decision, { kind: "transfer" }>): void {
    const w = d.workflow;
    if (!(Number.isInteger(w) && w >= 0 && w < workflowViews.length)) return refuse(d, "unknown_workflow");
    const spec = tracker.flow(w).sub.spec;
    if (!(Number.isInteger(d.file) && d.file >= 0 && d.file < spec.files.length) || !(Number.isInteger(d.to) && d.to >= 0 && d.to < nSites)) return refuse(d, "unknown_file");
    if (!tracker.exists(w, d.file)) return refuse(d, "file_not_ready");
    if ((tracker.flow(w).fileSites[d.file] & (1 << d.to)) !== 0) return; // already there
    if (tracker.route(w, d.file, d.to) < 0) return refuse(d, "no_route");
    for (const t of tracker.requestTransfer(w, d.file, d.to, -1, engine.now)) startTransfer(t);
  }

  function dropJob(job: SimJob, reason: string): void {
    queued.delete(job.id);
    observer.jobDropped?.(job.spec, reason);
  }

  /** A policy's exception as a simulation error saying when, which policy, and what it was deciding on. */
  function policyFailure(err: unknown, events: readonly WorldEvent[]): SimulationError {
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const jobs = events.flatMap((e) => ("jobId" in e ? [`${e.kind} job ${e.jobId}`] : e.kind === "decisionRefused" ? [] : [e.kind]));
    const shown = jobs.slice(0, 5).join(", ") + (jobs.length > 5 ? `, and ${jobs.length - 5} more` : "");
    const head = queue.length > 0 ? `; ${queue.length} job(s) queued, the first job ${queue[0].id}` : "; no job queued";
    return new SimulationError(`policy "${policy.name}" failed at t=${engine.now} s (${isoAt(platform, engine.now)}) deciding on ${shown || "no new event"}${head}: ${msg}`, { cause: err });
  }

  function pass(): void {
    passes++;
    const events = happened;
    happened = [];
    let decisions: readonly Decision[];
    try {
      decisions = policy.decide(view, events);
    } catch (err) {
      throw policyFailure(err, events);
    }
    startedThisPass = false;
    let removed = false;
    for (const d of decisions) {
      const refusalsBefore = refusedTotal;
      switch (d.kind) {
        case "start":
          applyStart(d);
          break;
        case "reject": {
          const job = queued.get(d.jobId);
          if (!job) refuse(d, "unknown_job");
          else {
            dropJob(job, `rejected: ${d.reason}`);
            rejected++;
            removed = true;
          }
          break;
        }
        case "setPowerState":
          applyPower(d);
          break;
        case "transfer":
          applyTransfer(d);
          break;
        case "suspend":
          applySuspend(d);
          break;
        case "defer":
          if (!queued.has(d.jobId)) refuse(d, "unknown_job");
          else if (Number.isNaN(d.until)) refuse(d, "invalid_time");
          else if (!(d.until >= engine.now)) refuse(d, "in_the_past");
          else if (d.until > engine.now && !wakeTimes.has(d.until)) {
            wakeTimes.add(d.until);
            nonDaemon++;
            engine.schedule(d.until, WAKE, 0);
          }
          break;
        case "wakeAt":
          if (Number.isNaN(d.time)) refuse(d, "invalid_time");
          else if (!(d.time >= engine.now)) refuse(d, "in_the_past");
          else if (!wakeTimes.has(d.time)) {
            wakeTimes.add(d.time);
            nonDaemon++;
            engine.schedule(d.time, WAKE, 0);
          }
          break;
      }
      // Explained decisions (and deferrals) that were applied go to the record.
      const explained = d.kind === "defer" || ((d.kind === "start" || d.kind === "setPowerState" || d.kind === "transfer" || d.kind === "suspend") && d.why !== undefined);
      if (explained && refusedTotal === refusalsBefore) observer.decided?.(engine.now, d);
    }
    if (startedThisPass || removed) {
      // compact in place: no new array per pass
      let w = 0;
      for (let r = 0; r < queue.length; r++) if (queued.has(queue[r].id)) queue[w++] = queue[r];
      queue.length = w;
    }
  }

  // --- the main loop: stream submissions in, run instants before the next batch ---
  const largestPoolCores = Math.max(...pools.map((p) => p.nodes * p.coresPerNode));
  const fitsSomewhere = (job: SimJob) =>
    job.spec.runtimes === undefined && job.spec.gpus === undefined && job.spec.fpgas === undefined
      ? job.cores <= largestPoolCores || pools.some((p) => canRunOn(job, p, "cpu"))
      : pools.some((p) => poolDeviceClasses(p).some((d) => canRunOn(job, p, d)));
  let lastSubmit = -Infinity;
  let arrivals = 0;
  let streamDone = false;
  const source = Symbol.asyncIterator in opts.jobs ? (opts.jobs as AsyncIterable<readonly JobSpec[]>)[Symbol.asyncIterator]() : undefined;
  const syncSource = source ? undefined : (opts.jobs as Iterable<readonly JobSpec[]>)[Symbol.iterator]();

  /** A job that no pool can run: an input error in strict mode, counted as dropped in lenient mode. */
  function dropNeverRunnable(spec: JobSpec): void {
    const largest = Math.max(...pools.map((p) => p.nodes * p.coresPerNode));
    const issue = {
      code: "too_many_processors" as const,
      file: label,
      line: spec.line,
      path: "cores",
      message: `expected a job that fits in some pool of the platform (largest ${largest} cores) with a runtime model for a device it offers, got ${spec.cores} cores (job ${spec.id})`,
      value: spec.cores,
    };
    if (mode === "strict") throw new InputError([issue]);
    // Counted once, as dropped (it was read fine; the platform cannot hold it).
    observer.jobDropped?.(spec, "too_many_processors");
  }

  function enqueue(batch: readonly JobSpec[]): void {
    for (const spec of batch) {
      const job = new SimJob(spec, arrivals);
      if (!fitsSomewhere(job)) {
        dropNeverRunnable(spec);
        continue;
      }
      if (spec.submit < lastSubmit || spec.submit < engine.now) {
        throw new SimulationError(`${label}: job ${spec.id} submitted at ${spec.submit} s, before the previous submission at ${lastSubmit} s: the workload must be in submit order`);
      }
      lastSubmit = spec.submit;
      nonDaemon++;
      submitted++;
      engine.schedule(spec.submit, SUBMIT, arrivals++, slotOf(job));
    }
  }

  async function pull(): Promise<boolean> {
    const r = source ? await source.next() : syncSource!.next();
    if (r.done) return false;
    enqueue(r.value);
    return true;
  }

  // Past this instant some site's grid series gives no intensity: stop there, naming it,
  // rather than fail inside the accounting (the run's known span is checked before it starts).
  const horizon = coveredUntil(platform);

  /** Runs every instant strictly before `bound`; stops early when all work is done and the stream too. */
  function runBefore(bound: number): void {
    while (engine.size > 0) {
      const t = engine.peek();
      if (t >= bound) return;
      // Nothing left to do: unless jobs still wait and a budget change (finite in number) may yet let them run.
      if (streamDone && nonDaemon === 0 && (queue.length === 0 || budgetEvents === 0)) return;
      if (t > horizon) throw new InputError(uncoveredIssues(platform, 0, t, `jobs still running or waiting at ${isoAt(platform, horizon)} make the run need`));
      while (engine.size > 0 && engine.peek() === t) engine.step();
      pass();
    }
  }

  while (!streamDone) {
    if (!(await pull())) streamDone = true;
    runBefore(streamDone ? Infinity : lastSubmit);
  }

  // Jobs still waiting when nothing else can happen are reported, not lost.
  const neverStarted = queue.length;
  for (const job of queue) dropJob(job, "never_started");
  queue.length = 0;
  const end = engine.now;
  platform.sites.forEach((_, s) => flushSite(s));
  pools.forEach((_, p) => flushPool(p));
  observer.finished?.(end);
  void slots;
  slots = [];
  return {
    end,
    jobsSubmitted: submitted,
    jobsFinished: finished,
    jobsKilled: killed,
    jobsRejected: rejected,
    jobsNeverStarted: neverStarted,
    events: engine.processed,
    passes,
    refusals,
    workflowsFinished,
    transfers: transfersStarted,
    suspensions: suspended,
    secondsOverBudget: Object.fromEntries(platform.sites.map((site, i) => [site.id, overBudget[i]])),
  };
}
