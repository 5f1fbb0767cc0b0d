/**
 * What the simulator tells the outside (accounting, outputs, progress): facts,
 * not impacts. Accounting subscribes to these; the simulator never imports it.
 */
import type { DeviceClass, JobSpec } from "../io/index.js";
import type { WorkflowSpec } from "../io/index.js";
import type { Decision } from "../planner/index.js";
import type { Transfer } from "./workflows.js";
import type { PartShares } from "./cluster.js";

export type { PartShares };

export interface JobFact {
  readonly job: JobSpec;
  readonly pool: number;
  readonly site: number;
  readonly nodeCount: number;
  /** Node-equivalents it held: its allocated cores over each node's cores, summed (= nodeCount when exclusive). */
  readonly nodeShare: number;
  /** Cores, GPUs, FPGAs (all allocated on this run's nodes) and memory (MB), in all. */
  readonly allocCores: number;
  readonly allocGpus: number;
  readonly allocFpgas: number;
  readonly allocMemMb: number;
  /** What it held of each of its nodes (the simulator's own records: read, do not keep). */
  readonly allocation: readonly { readonly node: number; readonly cores: number; readonly gpus: number; readonly fpgas: number; readonly memMb: number }[];
  readonly exclusive: boolean;
  /** Device class it ran on. */
  readonly device: DeviceClass;
  /** Busy cores over allocated cores while it ran, [0, 1]: its CPU load (recorded usage, capped at 1), times its cores over its nodes' cores when exclusive. */
  readonly utilisation: number;
  readonly start: number;
  /**
   * Its phases: holding its nodes without running from start until its inputs
   * arrived (inputsAt; = start without staging), then setup (FPGA
   * reconfiguration) until setupEnd, then the run.
   */
  readonly inputsAt: number;
  readonly setupEnd: number;
  readonly end: number;
  /** True when killed at its walltime. */
  readonly killed: boolean;
  /** False for a run cut short by a suspension (the job runs again later); true for its last run. */
  readonly final: boolean;
  /** Start of its first run, and its run seconds over all runs so far (this one included). */
  readonly firstStart: number;
  readonly runSeconds: number;
  /** Seconds of this run spent restarting from a checkpoint (its QoS class's checkpoint_s on a resumed run; absent or 0 otherwise). */
  readonly restartSeconds?: number;
}

/** A workflow finished: every task ended. */
export interface WorkflowFact {
  readonly workflow: number;
  readonly spec: WorkflowSpec;
  readonly project: string;
  readonly submit: number;
  readonly end: number;
  /** Bytes moved between sites, and staged from slower storage tiers within sites. */
  readonly bytesMoved: number;
  readonly bytesStaged: number;
  /** Per task: site index, start and end. */
  readonly taskSite: Int32Array;
  readonly taskStart: Float64Array;
  /** Per task: when its run began (after input staging and setup). */
  readonly taskRunStart: Float64Array;
  readonly taskEnd: Float64Array;
  /** Tasks of the chain that determined the end (each started after its last parent). */
  readonly criticalPath: readonly number[];
}

/** A file transfer between sites (or from a storage tier) finished. */
export interface TransferFact extends Transfer {
  readonly project: string;
  readonly end: number;
}

export interface SimObserver {
  /** A decision that carried an explanation (or a deferral) was applied at `time`. */
  decided?(time: number, decision: Decision): void;
  workflowEnded?(fact: WorkflowFact): void;
  transferEnded?(fact: TransferFact): void;
  /** A job finished (completed or killed). The fact object is reused: copy what you keep. */
  jobEnded?(fact: JobFact): void;
  /** A job that was never started, with why (rejected by the policy, or left when the run ended). */
  jobDropped?(job: JobSpec, reason: string): void;
  /**
   * Meter reading of a site over [from, to], where power was constant: IT watts
   * of the whole site, and of the nodes running no job (idle, off, asleep,
   * switching). Consecutive calls tile [0, end] for each site. Positional
   * arguments: this is called on every power change.
   */
  siteInterval?(site: number, from: number, to: number, itWatts: number, overheadWatts: number, busyNodes: number): void;
  /**
   * What no job held of a pool over [from, to], in node-equivalents of each
   * embodied part (the node, its GPUs, its FPGAs): their embodied impacts are
   * overhead. The object is reused.
   */
  poolIdle?(pool: number, from: number, to: number, idle: Readonly<PartShares>): void;
  /**
   * A job's share of a node's draw over [from, to], where it was constant (W),
   * and the node-equivalents of each embodied part it held there. Called for
   * every job on a node at every change on that node. The object is reused.
   */
  jobShare?(job: JobSpec, site: number, pool: number, from: number, to: number, watts: number, held: Readonly<PartShares>): void;
  /**
   * A node's stay in one state (NodeState) over [from, to]: the energy it drew
   * (J) and the integrals of its busy and allocated cores (core-seconds).
   * Consecutive calls tile [0, end] for each node; a busy stay runs from the
   * first allocation on the node to the moment it holds nothing.
   */
  nodeInterval?(node: number, state: number, from: number, to: number, joules: number, busyCoreSeconds: number, allocCoreSeconds: number): void;
  /** The run is over at time `end`: every interval up to it has been reported. */
  finished?(end: number): void;
}

/** One observer that forwards every call to each of `observers` in order. */
export function combineObservers(...observers: SimObserver[]): SimObserver {
  // Each call goes straight to its one listener when there is one (the usual case), else through a loop over the
  // listeners: no closure made per call (a forEach with an arrow capturing the fact was one per job end).
  const jobEnded = observers.filter((o) => o.jobEnded);
  const jobDropped = observers.filter((o) => o.jobDropped);
  const siteInterval = observers.filter((o) => o.siteInterval);
  const poolIdle = observers.filter((o) => o.poolIdle);
  const jobShare = observers.filter((o) => o.jobShare);
  const nodeInterval = observers.filter((o) => o.nodeInterval);
  const finished = observers.filter((o) => o.finished);
  const workflowEnded = observers.filter((o) => o.workflowEnded);
  const decided = observers.filter((o) => o.decided);
  const transferEnded = observers.filter((o) => o.transferEnded);
  return {
    jobEnded: fanOut1(jobEnded.map((o) => o.jobEnded!.bind(o))),
    jobDropped: (j, r) => {
      for (const o of jobDropped) o.jobDropped!(j, r);
    },
    siteInterval:
      siteInterval.length === 1
        ? siteInterval[0].siteInterval!.bind(siteInterval[0])
        : siteInterval.length === 2
          ? both(siteInterval[0].siteInterval!.bind(siteInterval[0]), siteInterval[1].siteInterval!.bind(siteInterval[1]))
          : (s, a, b, it, ovh, busy) => {
              for (const o of siteInterval) o.siteInterval!(s, a, b, it, ovh, busy);
            },
    poolIdle:
      poolIdle.length === 1
        ? poolIdle[0].poolIdle!.bind(poolIdle[0])
        : (p, a, b, n) => {
            for (const o of poolIdle) o.poolIdle!(p, a, b, n);
          },
    jobShare:
      jobShare.length === 1
        ? jobShare[0].jobShare!.bind(jobShare[0])
        : (j, s, p, a, b, w, h) => {
            for (const o of jobShare) o.jobShare!(j, s, p, a, b, w, h);
          },
    // Only when someone listens: the simulator keeps per-node integrals for it.
    ...(nodeInterval.length > 0
      ? {
          nodeInterval:
            nodeInterval.length === 1
              ? nodeInterval[0].nodeInterval!.bind(nodeInterval[0])
              : (n: number, st: number, a: number, b: number, j: number, busy: number, alloc: number) => {
                  for (const o of nodeInterval) o.nodeInterval!(n, st, a, b, j, busy, alloc);
                },
        }
      : {}),
    finished: (end) => {
      for (const o of finished) o.finished!(end);
    },
    workflowEnded: (f) => {
      for (const o of workflowEnded) o.workflowEnded!(f);
    },
    decided: (t, d) => {
      for (const o of decided) o.decided!(t, d);
    },
    transferEnded: (f) => {
      for (const o of transferEnded) o.transferEnded!(f);
    },
  };
}

/**
 * One function calling each of `fs` with the argument, in order: a listener
 * itself when there is one, else a function calling two to four of them
 * directly (a job's end has three in a summary-only run: the accountant, the
 * metrics and the metrics per QoS class; four with pieces.csv), else a loop.
 */
function fanOut1<T>(fs: ((x: T) => void)[]): (x: T) => void {
  if (fs.length === 1) return fs[0];
  if (fs.length === 2) {
    const [a, b] = fs;
    return (x) => {
      a(x);
      b(x);
    };
  }
  if (fs.length === 3) {
    const [a, b, c] = fs;
    return (x) => {
      a(x);
      b(x);
      c(x);
    };
  }
  if (fs.length === 4) {
    const [a, b, c, d] = fs;
    return (x) => {
      a(x);
      b(x);
      c(x);
      d(x);
    };
  }
  return (x) => {
    for (const f of fs) f(x);
  };
}

type SiteInterval = NonNullable<SimObserver["siteInterval"]>;

/** A site's meter reading to two listeners by direct calls (the accountant and sites.csv's series, in a run writing its outputs). */
function both(f: SiteInterval, g: SiteInterval): SiteInterval {
  return (s, a, b, it, ovh, busy) => {
    f(s, a, b, it, ovh, busy);
    g(s, a, b, it, ovh, busy);
  };
}
