/**
 * The simulated world: nodes in pools at sites (sim/cluster.ts), jobs submitted
 * from a stream (sim/jobs.ts), started by a policy's decisions, ended (or
 * killed at walltime) by events; workflows whose tasks join the queue as they
 * become ready, and their transfers (sim/workflows.ts, sim/network.ts). It is a
 * World (planner/world.ts): one decision pass per instant, after every event
 * of that instant (completions, switches and intensity changes before
 * submissions: see the kind priorities), on a frozen view (sim/view.ts), the
 * decisions checked by the checker both worlds share (planner/decisions.ts).
 */
import { InputError, SimulationError } from "../core/index.js";
import type { ScoreMethod } from "../core/index.js";
import type { JobSpec } from "../io/index.js";
import { coveredUntil, isoAt, uncoveredIssues } from "../models/index.js";
import type { IntensityForecast } from "../models/index.js";
import { busyNodeWatts } from "../models/index.js";
import type { PlatformModel } from "../models/index.js";
import { checkDefer, checkPower, checkReject, checkStart, checkSuspend, checkTime, checkTransfer, type Placement } from "../planner/index.js";
import { cannotHold, canRunOn, cpuLoad, devicesRequested, expectedRuntime, leastNeeds, poolDeviceClasses, queuedJobView } from "../planner/index.js";
import { NodeState, poolView, sharedAllocation } from "../planner/index.js";
import type { Decision, Policy, QueuedJobView, RefusalReason, WorldEvent } from "../planner/index.js";
import { decisionPass, type Refusal, type World } from "../planner/index.js";
import { Cluster, type StaticRule, type Tenant } from "./cluster.js";
import { SimDecisionContext } from "./decisionContext.js";
import { Engine } from "./engine.js";
import { EventLog } from "./eventLog.js";
import { actualRuntime, JobTable, SimJob } from "./jobs.js";
import { keepWarm } from "./keepWarm.js";
import { Network } from "./network.js";
import { SlotTable } from "./slots.js";
import type { JobFact, SimObserver } from "./observer.js";
import { ViewProjector } from "./view.js";
import { WorkflowTracker, type Transfer, type WorkflowSubmission } from "./workflows.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Node states (NodeState's values are 0 to 5): room per node in the switchedEvents table. */
const NODE_STATES = 6;

/** Nodes switching together (see `switching` in simulate). */
interface SwitchGroup {
  readonly nodes: number[];
  from: number;
  seq: number;
}

export interface SimulationOptions {
  readonly platform: PlatformModel;
  /** Any policy, stateful or not (planner/view.ts Policy). */
  readonly policy: Policy<unknown>;
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
  /** How a shared node's static power is split among its jobs (sim/cluster.ts; default "allocated"). */
  readonly staticRule?: StaticRule;
  /** Round-trip the policy's state through JSON after every pass, as a live world's store would (planner/world.ts PassOptions). */
  readonly checkPolicyState?: boolean;
  /**
   * Whether the policy hears of grid intensity changes (default true): an
   * intensityChanged event, and a pass, at every row of a site's series. Only
   * for a policy that reads neither (the estimate's probe on an idle platform):
   * up to a submission two months into a year of 15-min rows, those passes
   * cost its cold start about 60 ms of CPU.
   */
  readonly intensityEvents?: boolean;
  /** Whether decisions' reasons are kept (ClusterView.explain; default true): false when no observer records them, so policies may skip building them. */
  readonly explain?: boolean;
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

/** Marks the slot of a suspended run until its (now void) end event fires. */
const SUSPENDED = new SimJob({ id: -1, submit: 0, runtime: 1, walltime: 1, cores: 1, user: -1, group: -1, project: "", queue: -1, partition: -1, avgCpuTime: -1 }, -1);

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
  const cluster = new Cluster(platform, observer, engine, opts.staticRule);
  const jobs = new JobTable();
  const tracker = new WorkflowTracker(opts.workflows ?? [], platform.links ?? [], platform.sites.length);
  const network = new Network((platform.links ?? []).map((l) => ({ bandwidth: l.bandwidth, latency: l.latency })));
  const views = new ViewProjector(platform, cluster, jobs, tracker, opts.forecasts, opts.scoreMethod, engine, opts.explain ?? true);
  const pools = platform.pools;
  /** Each pool's figures as a view, for checks that read no counts (the checker asks the cluster for free nodes). */
  const fixedPools = views.figures.map((f) => poolView(f, f.nodes, 0, 0));

  // --- counters and the events since the last pass ------------------------------
  /** Running jobs by slot (their end and setup events' payload). */
  const slots = new SlotTable<SimJob>();
  /**
   * Jobs read but not yet submitted, by slot (their submission events' payload).
   * Their records are made at submission: a batch of the stream is read ahead
   * of the clock, and records made then outlived young-generation collections.
   */
  const submitting = new SlotTable<JobSpec>();
  /**
   * Nodes of one power decision that finish switching at one time, by slot
   * (their event's payload): one event for them all, not one per node
   * (consolidate over KTH-SP2 x8 switches about 590 k nodes, several per
   * decision). Ids ascending; those from `from` on are still switching.
   */
  const switching = new SlotTable<SwitchGroup>();
  const happened = new EventLog();
  let nonDaemon = 0;
  let submitted = 0;
  let finished = 0;
  let killed = 0;
  let rejected = 0;
  let suspended = 0;
  let passes = 0;
  let arrivals = 0;
  let transfersStarted = 0;
  let workflowsFinished = 0;
  const refusals: Record<string, number> = {};
  const progressEvery = opts.progressEvery ?? 10_000;

  const fact: Mutable<JobFact> = {
    job: undefined as unknown as JobSpec,
    pool: 0,
    site: 0,
    nodeCount: 0,
    nodeShare: 0,
    allocCores: 0,
    allocGpus: 0,
    allocFpgas: 0,
    allocMemMb: 0,
    allocation: [],
    exclusive: false,
    device: "cpu",
    utilisation: 0,
    setupEnd: 0,
    inputsAt: 0,
    start: 0,
    end: 0,
    killed: false,
    final: true,
    firstStart: 0,
    runSeconds: 0,
    restartSeconds: 0,
  };

  /** Frees a job's nodes (now idle) and removes it from the running list; returns its site. */
  function releaseNodes(job: SimJob): number {
    // The records go back to the cluster for reuse: none of this run's is read after this.
    cluster.removeTenants(job.tenants, job.tenantCount);
    job.tenantCount = 0;
    if (!jobs.removeRunning(job)) throw new SimulationError(`job ${job.id} missing from the running list`);
    views.forget(job);
    return pools[job.pool].site;
  }

  /** Reports a run of a job (its last, or one cut short by a suspension) to the observers. */
  function emitFact(job: SimJob, site: number, final: boolean): void {
    if (!observer.jobEnded) return;
    // One reused fact object: observers must copy what they keep (see SimObserver).
    fact.job = job.spec;
    fact.pool = job.pool;
    fact.site = site;
    fact.nodeCount = job.nodes.length;
    const m = pools[job.pool];
    let cores = 0;
    let gpus = 0;
    let fpgas = 0;
    let mem = 0;
    const allocation = job.allocation;
    for (let i = 0; i < allocation.length; i++) {
      const a = allocation[i];
      cores += a.cores;
      gpus += a.gpus;
      fpgas += a.fpgas;
      mem += a.memMb;
    }
    fact.nodeShare = job.wholeNodes ? job.nodes.length : cores / m.coresPerNode;
    fact.allocCores = cores;
    fact.allocGpus = gpus;
    fact.allocFpgas = fpgas;
    fact.allocMemMb = mem;
    fact.allocation = job.allocation;
    fact.exclusive = job.wholeNodes;
    fact.utilisation = job.utilisation;
    fact.device = job.device;
    fact.setupEnd = job.setupEnd;
    fact.inputsAt = job.inputsAt;
    fact.start = job.start;
    fact.end = engine.now;
    fact.killed = job.killed;
    fact.final = final;
    fact.firstStart = job.firstStart;
    fact.runSeconds = job.runSeconds + (engine.now - job.start);
    fact.restartSeconds = Math.min(job.restart, engine.now - job.start);
    observer.jobEnded(fact);
  }

  // --- events --------------------------------------------------------------------
  const END = engine.defineKind("jobEnded", PRIO_END, (slot) => {
    nonDaemon--;
    const job = slots.take(slot);
    if (job === SUSPENDED) return; // the run this event ended was suspended before
    const s = releaseNodes(job);
    finished++;
    if (job.killed) killed++;
    happened.push(job.killed ? { kind: "jobKilled", jobId: job.id, reason: "walltime" } : { kind: "jobEnded", jobId: job.id });
    emitFact(job, s, true);
    if (job.spec.workflow !== undefined) taskEnded(job, s);
    jobs.recycle(job);
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
    const arrival = arrivals++;
    if (!fitsSomewhere(spec)) {
      dropNeverRunnable(spec);
      return;
    }
    submitted++;
    const job = jobs.record(spec, arrival);
    keyed(job);
    jobs.enqueue(job);
    happened.push({ kind: "jobSubmitted", jobId: job.id });
  }

  /** Sets what the queue's index keeps of a job about to be queued: its least cores and run time over pools. */
  function keyed(job: SimJob): void {
    const need = leastNeeds(views.queued(job), fixedPools);
    job.leastCores = need.cores;
    job.leastSeconds = need.seconds;
  }

  const WORKFLOW = engine.defineKind("workflowSubmitted", PRIO_SUBMIT, (w) => {
    nonDaemon--;
    happened.push({ kind: "workflowSubmitted", workflow: w });
    const ready = tracker.submit(w, engine.now);
    views.addWorkflow(w);
    for (const spec of ready) admit(spec);
  });

  /** Started workflow tasks waiting for input transfers, by job id. */
  const staged = new Map<number, SimJob>();
  let netAt = Infinity;
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
    const job = slots.get(slot);
    if (!job || job.setupEnd !== engine.now) throw new SimulationError(`setup end at ${engine.now} s does not match a running job (slot ${slot})`);
    running(job);
    if (job.bitstreamId >= 0) for (const n of job.nodes) cluster.bitstream[n] = job.bitstreamId;
  });

  // The key is the job's arrival number.
  const SUBMIT = engine.defineKind("jobSubmitted", PRIO_SUBMIT, (slot, arrival) => {
    nonDaemon--;
    const job = jobs.record(submitting.take(slot), arrival);
    keyed(job);
    jobs.enqueue(job);
    happened.push({ kind: "jobSubmitted", jobId: job.id });
  });

  /**
   * Each node's nodesSwitched event for each state it may reach, made once and frozen: world events are
   * read-only data, and consolidate over KTH-SP2 x8 reports 590 k switches (68 MB of events made anew).
   */
  const switchedEvents = new Array<WorldEvent | undefined>(cluster.nodeCount * NODE_STATES).fill(undefined);
  const switchedEvent = (node: number, state: NodeState): WorldEvent =>
    (switchedEvents[node * NODE_STATES + state] ??= Object.freeze({ kind: "nodesSwitched", nodes: Object.freeze([node]), state }));

  // A group's nodes end their switch in id order, each where an event of its own (keyed by the node) would
  // run: the group yields to any event due between two of its nodes, going on after it under the next node's
  // key and its own sequence number. Runs, event counts aside, are the same as with an event per node.
  const SWITCH = engine.defineKind("nodeSwitched", PRIO_SWITCH, (slot) => {
    const group = switching.get(slot)!;
    const { nodes, from, seq } = group;
    const now = engine.now;
    let i = from;
    for (; i < nodes.length; i++) {
      const node = nodes[i];
      if (i > from && engine.comesFirst(now, SWITCH, node, seq)) break;
      // One world event per node, as the live world reports them (test/contract/worlds.test.ts).
      happened.push(switchedEvent(node, cluster.endSwitch(node)));
    }
    if (i < nodes.length) {
      group.from = i;
      engine.schedule(now, SWITCH, nodes[i], slot, seq);
    } else {
      nonDaemon--;
      switching.take(slot);
    }
  });

  const INTENSITY = engine.defineKind("intensityChanged", PRIO_INTENSITY, (site) => {
    happened.push({ kind: "intensityChanged", site: platform.sites[site].id });
    const next = platform.sites[site].intensity.series.nextChange(engine.now);
    if (next !== Infinity) engine.schedule(next, INTENSITY, site, site);
  });
  if (opts.intensityEvents !== false) {
    platform.sites.forEach((site, s) => {
      const next = site.intensity.series.nextChange(0);
      if (next !== Infinity && next > 0) engine.schedule(next, INTENSITY, s, s);
    });
  }

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
  /** Asks for a pass at t (once per instant); at now, another pass follows this one in the same instant. */
  function wakeAt(t: number): void {
    if (!wakeTimes.has(t)) {
      wakeTimes.add(t);
      nonDaemon++;
      engine.schedule(t, WAKE, 0);
    }
  }

  // A time-varying power budget: the world tells the policy when it changes (a daemon event, like intensity).
  let budgetEvents = 0;
  const BUDGET = engine.defineKind("budgetChanged", PRIO_INTENSITY, (s) => {
    budgetEvents--;
    const series = platform.sites[s].powerBudget!;
    cluster.flushSite(s);
    cluster.budgets[s] = series.valueAt(engine.now);
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

  // --- applying decisions ------------------------------------------------------------
  const context = new SimDecisionContext(engine, cluster, jobs, views, tracker, fixedPools, platform.sites.length);

  const applyRefusals: Refusal[] = [];
  /** What apply returns when nothing was refused (shared: most passes refuse nothing). */
  const NO_REFUSALS: readonly Refusal[] = Object.freeze([]);

  function refuse(decision: Decision, reason: RefusalReason): void {
    refusals[reason] = (refusals[reason] ?? 0) + 1;
    applyRefusals.push({ decision, reason });
    happened.push({ kind: "decisionRefused", decision, reason });
  }

  function applyStart(d: Extract<Decision, { kind: "start" }>, at: Placement): void {
    const job = jobs.queued(d.jobId)!;
    const p = at.pool.index;
    const model = pools[p];
    const { device, nodes } = at;
    const need = nodes.length;
    const now = engine.now;
    // FPGA reconfiguration when any node holds another bitstream.
    let setup = 0;
    let bitstream = -1;
    if (device === "fpga" && job.spec.bitstream !== undefined) {
      bitstream = bitstreamIds.get(job.spec.bitstream) ?? bitstreamIds.set(job.spec.bitstream, bitstreamIds.size).size - 1;
      if (nodes.some((n) => cluster.bitstream[n] !== bitstream)) setup = model.fpgas!.reconfigurationSeconds;
    }
    job.pool = p;
    // Fresh arrays of this start (checkStart's): frozen, the running view shares them.
    job.nodes = Object.freeze(nodes as number[]);
    job.allocation = sharedAllocation(at.takes);
    job.device = device;
    job.start = now;
    if (job.firstStart < 0) job.firstStart = now;
    job.runtime = actualRuntime(job.spec, model, device, d.pstate)! * (1 - job.workDone);
    // The work left of a resumed job is a fraction of its run time, which rounds: a job whose
    // walltime is its run time would be left an ulp over its time left, and killed (mislabelled) at
    // its end. Within a relative 1e-9 the work left is the time left.
    if (job.workDone > 0 && Math.abs(job.runtime - job.timeLeft) <= 1e-9 * job.timeLeft) job.runtime = job.timeLeft;
    // A resumed run first reads back its checkpoint: its class's checkpoint_s at the job's draw, beyond its walltime.
    job.restart = job.lastSuspendedAt !== undefined ? (job.spec.qos?.checkpoint_s ?? 0) : 0;
    job.runtime += job.restart;
    job.setup = setup;
    job.setupEnd = now + setup;
    job.predictedEnd = now + setup + job.restart + (Number.isFinite(job.timeLeft) ? job.timeLeft : expectedRuntime(at.job, at.pool, device, d.pstate)!);
    // Whole nodes: the job's cores and devices spread evenly over them, as whole-node jobs always were; shared: what it took of each.
    // Either way its cores are busy its CPU load of the time (its recorded usage, capped at 1).
    job.wholeNodes = at.wholeNodes;
    job.utilisation = (at.wholeNodes ? Math.min(1, job.spec.cores / (need * model.coresPerNode)) : 1) * cpuLoad(job.spec);
    const devicesPerNode = at.wholeNodes ? devicesRequested(at.job, device) / need : 0;
    const tenants = job.tenants;
    const count = at.takes.length;
    for (let i = 0; i < count; i++) tenants[i] = cluster.tenant(job.spec, at.takes[i], at.wholeNodes, devicesPerNode);
    job.tenantCount = count;
    job.pendingInputs = at.missing.length;
    job.pstate = d.pstate;
    job.inputsAt = now;
    job.bitstreamId = setup > 0 ? bitstream : -1;
    const staging = at.missing.length > 0;
    // While inputs travel the job holds its allocation without running; then setup (if any), then the run.
    // Without inputs to wait for, its tenants join their nodes already in that phase (one change per node, not two).
    if (!staging) {
      for (let i = 0; i < count; i++) {
        const t = tenants[i];
        const l = loadOf(job, t, setup > 0);
        t.busyCores = l.cores;
        t.util = l.util;
        t.busyGpus = l.gpus;
        t.busyFpgas = l.fpgas;
        t.reconfFpgas = l.reconf;
      }
    }
    cluster.addTenants(tenants, count, d.pstate);
    jobs.unqueue(job);
    views.forget(job);
    jobs.addRunning(job);
    job.slot = slots.put(job);
    nonDaemon++;
    const w = job.spec.workflow;
    if (w !== undefined) tracker.started(w, job.spec.task!, at.pool.siteIndex, now);
    if (staging) {
      // Inputs first: the nodes are held (at idle draw) until the last one arrives.
      staged.set(job.id, job);
      for (const file of at.missing) {
        for (const t of tracker.requestTransfer(w!, file, at.pool.siteIndex, job.id, now)) startTransfer(t);
      }
    } else beginRun(job, now);
  }

  /** What each of a job's tenants keeps busy in a phase (reused: read at once). */
  const load = { cores: 0, util: 0, gpus: 0, fpgas: 0, reconf: 0 };
  /** A tenant's load in setup (its FPGAs reconfiguring, its cores idle) or in its run (its cores and devices busy). */
  function loadOf(job: SimJob, t: Tenant, setup: boolean): typeof load {
    load.cores = load.util = load.gpus = load.fpgas = load.reconf = 0;
    if (setup) load.reconf = t.exclusive ? t.devicesPerNode : t.fpgas;
    else if (t.exclusive) {
      const m = pools[job.pool];
      const gpu = job.device === "gpu";
      const fpga = job.device === "fpga";
      const d = Math.min(t.devicesPerNode, gpu ? (m.gpus?.count ?? 0) : fpga ? (m.fpgas?.count ?? 0) : 0);
      load.cores = job.utilisation * m.coresPerNode;
      load.util = job.utilisation;
      load.gpus = gpu ? d : 0;
      load.fpgas = fpga ? d : 0;
    } else {
      load.cores = t.cores * job.utilisation;
      load.gpus = t.gpus;
      load.fpgas = t.fpgas;
    }
    return load;
  }

  /** The job enters its setup (FPGA reconfiguration) or its run on the nodes it holds. */
  function phaseBegins(job: SimJob, setup: boolean): void {
    const tenants = job.tenants;
    for (let i = 0; i < job.tenantCount; i++) {
      const t = tenants[i];
      const l = loadOf(job, t, setup);
      cluster.setBusy(t, l.cores, l.util, l.gpus, l.fpgas, l.reconf);
    }
  }
  const setupBegins = (job: SimJob): void => phaseBegins(job, true);
  const running = (job: SimJob): void => phaseBegins(job, false);

  /** Schedules the setup end and the end of a started job whose inputs are all present. */
  function beginRun(job: SimJob, now: number): void {
    if (job.spec.workflow !== undefined) tracker.running(job.spec.workflow, job.spec.task!, now + job.setup);
    const occupied = now - job.start + job.setup + job.runtime;
    // The restart is not counted against the walltime.
    const limit = job.timeLeft + job.restart;
    job.killed = occupied > limit;
    // A setup cut short by the walltime never completes (and loads nothing).
    if (job.setup > 0 && now + job.setup < job.start + limit) engine.schedule(now + job.setup, SETUP_DONE, job.id, job.slot);
    engine.schedule(job.start + Math.min(occupied, limit), END, job.id, job.slot);
  }

  /** A staged job's inputs are all there: its setup (if any) and run begin now. */
  function inputsArrived(job: SimJob): void {
    const now = engine.now;
    staged.delete(job.id);
    job.pendingInputs = 0;
    job.inputsAt = now;
    job.setupEnd = now + job.setup;
    views.forget(job);
    jobs.movePredictedEnd(job, now + job.setup + expectedRuntime(views.queued(job), fixedPools[job.pool], job.device, job.pstate)!);
    views.forget(job);
    (job.setup > 0 ? setupBegins : running)(job);
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

  /** Switches the decision's nodes (in its order), then schedules one event per time they finish at (see SWITCH). */
  function applyPower(d: Extract<Decision, { kind: "setPowerState" }>): void {
    const nodes = d.nodes;
    if (nodes.length === 0) return;
    if (switchAt.length < nodes.length) switchAt = new Float64Array(Math.max(nodes.length, 2 * switchAt.length));
    let same = true;
    for (let i = 0; i < nodes.length; i++) {
      switchAt[i] = cluster.beginSwitch(nodes[i], d.state);
      if (switchAt[i] !== switchAt[0]) same = false;
    }
    if (same) return switchGroup(switchAt[0], nodes.slice());
    // Nodes waking from different low-power states: a group per time.
    const times = [...new Set(switchAt.subarray(0, nodes.length))];
    for (const t of times) switchGroup(t, nodes.filter((_, i) => switchAt[i] === t));
  }
  let switchAt = new Float64Array(16);

  function switchGroup(at: number, nodes: number[]): void {
    for (let i = 1; i < nodes.length; i++) {
      if (nodes[i] < nodes[i - 1]) {
        nodes.sort((a, b) => a - b);
        break;
      }
    }
    nonDaemon++;
    const group: SwitchGroup = { nodes, from: 0, seq: 0 };
    const slot = switching.put(group);
    engine.schedule(at, SWITCH, nodes[0], slot);
    group.seq = engine.lastSeq;
  }

  /**
   * Suspends a running job that allows it: its nodes are freed, the work done
   * so far is kept (checkpointed; its class's checkpoint_s is paid when it
   * resumes), and it goes back to its place in the queue.
   */
  function applySuspend(id: number): void {
    const job = jobs.runningById(id)!;
    const now = engine.now;
    const runtimeHere = (job.runtime - job.restart) / (1 - job.workDone);
    // Work is done after the restart: a run suspended while still restarting did none.
    job.workDone = Math.min(1, job.workDone + Math.max(0, now - job.setupEnd - job.restart) / runtimeHere);
    const site = releaseNodes(job);
    // Suspended, not killed: the run ends here with its work kept (the kill it was heading for is void).
    job.killed = false;
    emitFact(job, site, false);
    job.wallUsed += Math.max(0, now - job.start - job.restart);
    job.runSeconds += now - job.start;
    job.lastSuspendedAt = now;
    job.resetScaled();
    slots.set(job.slot, SUSPENDED);
    job.killed = false;
    job.pool = -1;
    job.nodes = [];
    job.predictedEnd = Infinity;
    views.forget(job);
    keyed(job);
    jobs.requeue(job);
    suspended++;
    happened.push({ kind: "jobSuspended", jobId: job.id });
  }

  function applyOne(d: Decision): void {
    switch (d.kind) {
      case "start": {
        const at = checkStart(d, context);
        if (typeof at === "string") refuse(d, at);
        else applyStart(d, at);
        return;
      }
      case "reject": {
        const why = checkReject(d, context);
        if (why) return refuse(d, why);
        dropJob(jobs.queued(d.jobId)!, `rejected: ${d.reason}`);
        rejected++;
        return;
      }
      case "setPowerState": {
        const why = checkPower(d, context);
        return why ? refuse(d, why) : applyPower(d);
      }
      case "transfer": {
        const why = checkTransfer(d, context);
        if (why === "noop") return;
        if (why) return refuse(d, why);
        for (const t of tracker.requestTransfer(d.workflow, d.file, d.to, -1, engine.now)) startTransfer(t);
        return;
      }
      case "suspend": {
        const run = checkSuspend(d, context);
        return typeof run === "string" ? refuse(d, run) : applySuspend(d.jobId);
      }
      case "defer": {
        const why = checkDefer(d, context);
        if (why) return refuse(d, why);
        const job = jobs.queued(d.jobId)!;
        job.deferredUntil = d.until;
        views.forget(job);
        jobs.version++;
        // A deferral to now needs no second pass (the job is eligible in this one).
        return d.until > engine.now ? wakeAt(d.until) : undefined;
      }
      case "wakeAt": {
        const why = checkTime(d.time, context);
        return why ? refuse(d, why) : wakeAt(d.time);
      }
    }
  }

  function applyAll(decisions: readonly Decision[]): readonly Refusal[] {
    if (applyRefusals.length > 0) applyRefusals.length = 0;
    for (let i = 0; i < decisions.length; i++) {
      const d = decisions[i];
      const before = applyRefusals.length;
      applyOne(d);
      // Explained decisions (and deferrals) that were applied go to the record.
      const explained = d.kind === "defer" || ((d.kind === "start" || d.kind === "setPowerState" || d.kind === "transfer" || d.kind === "suspend") && d.why !== undefined);
      if (explained && applyRefusals.length === before) observer.decided?.(engine.now, d);
    }
    return applyRefusals.length > 0 ? [...applyRefusals] : NO_REFUSALS;
  }

  const bitstreamIds = new Map<string, number>();

  function dropJob(job: SimJob, reason: string): void {
    jobs.unqueue(job);
    observer.jobDropped?.(job.spec, reason);
    jobs.recycle(job);
  }

  const world: World = {
    view: () => views.view(),
    takeEvents: () => happened.take(),
    apply: applyAll,
    policyState: policy.initialState?.(),
    describeTime: (t) => isoAt(platform, t),
  };
  const passOptions = { checkState: opts.checkPolicyState ?? false };

  function pass(): void {
    passes++;
    decisionPass(world, policy, passOptions);
  }

  // --- the main loop: stream submissions in, run instants before the next batch ---
  const largestPool = fixedPools.reduce((a, p) => (p.nodes * p.coresPerNode > a.nodes * a.coresPerNode ? p : a), fixedPools[0]);
  const largestPoolCores = largestPool.nodes * largestPool.coresPerNode;
  // A job asking whole nodes needs ceil(cores / cores per node) of them: it fits a pool of whole nodes with as many cores.
  const largestWholeCores = fixedPools.reduce((a, p) => (p.sharedOnly ? a : Math.max(a, p.nodes * p.coresPerNode)), 0);
  /** The job as the resource rules see it before it runs. */
  const asQueued = (spec: JobSpec): QueuedJobView => queuedJobView(spec, { wallUsed: 0, ranSeconds: 0 });
  /** True when some pool can ever hold the job (a job not yet run needs what its spec asks). */
  function fitsSomewhere(spec: JobSpec): boolean {
    const plain = spec.runtimes === undefined && spec.gpus === undefined && spec.fpgas === undefined && spec.exactNodes === undefined && spec.memPerCoreMb === undefined && spec.memPerNodeMb === undefined;
    // Without a view made for the check (every job of an --exclusive run asks whole nodes).
    if (plain && spec.cores <= (spec.exclusive === true ? largestWholeCores : largestPoolCores)) return true;
    const job = asQueued(spec);
    if (spec.runtimes === undefined) return fixedPools.some((p) => canRunOn(job, p, "cpu"));
    return fixedPools.some((p) => poolDeviceClasses(p).some((dev) => canRunOn(job, p, dev)));
  }
  let lastSubmit = -Infinity;
  let streamDone = false;
  const source = Symbol.asyncIterator in opts.jobs ? (opts.jobs as AsyncIterable<readonly JobSpec[]>)[Symbol.asyncIterator]() : undefined;
  const syncSource = source ? undefined : (opts.jobs as Iterable<readonly JobSpec[]>)[Symbol.iterator]();

  /** A job that no pool can run: an input error in strict mode (the job, its request, why each pool cannot hold it, the largest pool), counted by reason in lenient mode. */
  function dropNeverRunnable(spec: JobSpec): void {
    const job = asQueued(spec);
    const faults = fixedPools.map((p) => {
      const device = spec.runtimes === undefined ? "cpu" : (poolDeviceClasses(p).find((d) => spec.runtimes?.[d] !== undefined) ?? "cpu");
      return { pool: p, fault: cannotHold(job, p, device) };
    });
    const first = faults.find((f) => f.fault !== undefined)?.fault;
    const code = first?.code ?? "too_many_processors";
    const request = [
      `${spec.cores} cores`,
      spec.gpus !== undefined ? `${spec.gpus} GPUs` : "",
      spec.fpgas !== undefined ? `${spec.fpgas} FPGAs` : "",
      spec.exactNodes !== undefined ? `on exactly ${spec.exactNodes} nodes` : "",
      spec.memPerNodeMb !== undefined ? `${spec.memPerNodeMb} MB per node` : spec.memPerCoreMb !== undefined ? `${spec.memPerCoreMb} MB per core` : "",
      spec.exclusive ? "whole nodes" : "",
    ].filter((x) => x !== "").join(", ");
    const why = first ? faults.filter((f) => f.fault).map((f) => `pool ${f.pool.index} (${f.pool.nodeType} at ${f.pool.site}): ${f.fault!.why}`).join("; ") : "no pool has a runtime model for a device it offers";
    const largest = `${largestPool.nodes} x ${largestPool.nodeType} at ${largestPool.site}, ${largestPool.coresPerNode} cores${largestPool.gpusPerNode ? ` and ${largestPool.gpusPerNode} GPUs` : ""}${largestPool.memoryMb !== undefined ? ` and ${largestPool.memoryMb} MB` : ""} per node`;
    const issue = {
      code,
      file: label,
      line: spec.line,
      path: code === "too_many_processors" ? "cores" : code === "too_many_devices" ? (spec.fpgas !== undefined ? "fpgas" : "gpus") : code === "too_much_memory" ? "memory" : "exclusive",
      message: `expected a job some pool of the platform can hold (largest: ${largest}), got job ${spec.id} asking ${request}: ${why}`,
      value: spec.cores,
    };
    if (mode === "strict") throw new InputError([issue]);
    // Counted once, as dropped by its reason (it was read fine; the platform cannot hold it).
    observer.jobDropped?.(spec, code);
  }

  function enqueue(batch: readonly JobSpec[]): void {
    for (let i = 0; i < batch.length; i++) {
      const spec = batch[i];
      if (!fitsSomewhere(spec)) {
        dropNeverRunnable(spec);
        continue;
      }
      if (spec.submit < lastSubmit || spec.submit < engine.now) {
        throw new SimulationError(`${label}: job ${spec.id} submitted at ${spec.submit} s, before the previous submission at ${lastSubmit} s: the workload must be in submit order`);
      }
      lastSubmit = spec.submit;
      nonDaemon++;
      submitted++;
      engine.schedule(spec.submit, SUBMIT, arrivals++, submitting.put(spec));
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
      if (streamDone && nonDaemon === 0 && (jobs.queue.length === 0 || budgetEvents === 0)) return;
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
  const neverStarted = jobs.queue.length;
  for (const job of jobs.queue) observer.jobDropped?.(job.spec, "never_started");
  jobs.clearQueue();
  const end = engine.now;
  cluster.flushAll();
  observer.finished?.(end);
  slots.clear();
  // The next run in this thread starts with these closures' optimized code (sim/keepWarm.ts): a sweep lane's variants.
  keepWarm("simulate", [releaseNodes, emitFact, taskEnded, admit, keyed, wakeAt, refuse, applyStart, loadOf, phaseBegins, setupBegins, running, beginRun, inputsArrived, startTransfer, pumpNetwork, applyPower, switchGroup, applySuspend, applyOne, applyAll, dropJob, pass, asQueued, fitsSomewhere, dropNeverRunnable, enqueue, pull, runBefore, engine, world, observer]);
  keepWarm(`policy:${policy.name}`, [policy]);
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
    secondsOverBudget: Object.fromEntries(platform.sites.map((site, i) => [site.id, cluster.overBudget[i]])),
  };
}
