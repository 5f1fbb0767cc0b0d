/**
 * What the simulator tells the outside (accounting, outputs, progress): facts,
 * not impacts. Accounting subscribes to these; the simulator never imports it.
 */
import type { DeviceClass, JobSpec } from "../io/index.js";
import type { WorkflowSpec } from "../io/index.js";
import type { Decision } from "../planner/index.js";
import type { Transfer } from "./workflows.js";

export interface JobFact {
  readonly job: JobSpec;
  readonly pool: number;
  readonly site: number;
  readonly nodeCount: number;
  /** Device class it ran on. */
  readonly device: DeviceClass;
  /** Utilisation of each of its nodes' CPUs, (0, 1]. */
  readonly utilisation: number;
  /** Draw of each node while the job runs, W. */
  readonly wattsPerNode: number;
  readonly start: number;
  /**
   * Its phases: held at holdWattsPerNode (idle) from start until its inputs
   * arrived (inputsAt; = start without staging), then setup (FPGA
   * reconfiguration) at setupWattsPerNode until setupEnd, then the run.
   */
  readonly inputsAt: number;
  readonly holdWattsPerNode: number;
  readonly setupEnd: number;
  readonly setupWattsPerNode: number;
  readonly end: number;
  /** True when killed at its walltime. */
  readonly killed: boolean;
  /** False for a run cut short by a suspension (the job runs again later); true for its last run. */
  readonly final: boolean;
  /** Start of its first run, and its run seconds over all runs so far (this one included). */
  readonly firstStart: number;
  readonly runSeconds: number;
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
  /** Nodes of a pool running no job over [from, to] (their embodied impacts are overhead). */
  poolIdle?(pool: number, from: number, to: number, idleNodes: number): void;
  /** The run is over at time `end`: every interval up to it has been reported. */
  finished?(end: number): void;
}

/** One observer that forwards every call to each of `observers` in order. */
export function combineObservers(...observers: SimObserver[]): SimObserver {
  return {
    jobEnded: (f) => observers.forEach((o) => o.jobEnded?.(f)),
    jobDropped: (j, r) => observers.forEach((o) => o.jobDropped?.(j, r)),
    siteInterval: (s, a, b, it, ovh, busy) => {
      for (const o of observers) o.siteInterval?.(s, a, b, it, ovh, busy);
    },
    poolIdle: (p, a, b, n) => {
      for (const o of observers) o.poolIdle?.(p, a, b, n);
    },
    finished: (end) => observers.forEach((o) => o.finished?.(end)),
    workflowEnded: (f) => observers.forEach((o) => o.workflowEnded?.(f)),
    decided: (t, d) => observers.forEach((o) => o.decided?.(t, d)),
    transferEnded: (f) => observers.forEach((o) => o.transferEnded?.(f)),
  };
}
