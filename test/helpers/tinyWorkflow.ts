/**
 * Hand-built workflows, linked platforms and a workflow-aware runner for golden
 * and property tests (no WfFormat files involved). Tasks are named; files are
 * named with their size in bytes; indices follow the order given.
 */
import { Accountant } from "../../src/accounting/accountant.js";
import { rngSeeded } from "../../src/core/rng.js";
import type { DeviceClass, JobSpec } from "../../src/io/spec.js";
import type { WorkflowSpec, WorkflowTask } from "../../src/io/wfformat.js";
import { forecastFromActual } from "../../src/models/forecast.js";
import type { LinkModel, PlatformModel } from "../../src/models/platform.js";
import type { Policy } from "../../src/planner/view.js";
import { combineObservers, type JobFact, type TransferFact, type WorkflowFact } from "../../src/sim/observer.js";
import { simulate, type SimulationResult } from "../../src/sim/simulation.js";
import type { WorkflowSubmission } from "../../src/sim/workflows.js";

export interface TinyTask {
  readonly id: string;
  /** Ids of parent tasks, all listed before this one. */
  readonly parents?: readonly string[];
  /** Names of files read and written. */
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  readonly cores?: number;
  /** Recorded runtime (s); the simulator uses the submission's runtime models instead. */
  readonly runtime?: number;
}

/**
 * A WorkflowSpec from tasks in topological order: children are derived from
 * parents, initial files are the files no task writes.
 * @throws Error on an unknown parent or file name, or a parent listed after its child
 */
export function tinyWorkflow(name: string, files: Readonly<Record<string, number>>, tasks: readonly TinyTask[]): WorkflowSpec {
  const fileNames = Object.keys(files);
  const fileIndex = (f: string): number => {
    const i = fileNames.indexOf(f);
    if (i < 0) throw new Error(`tinyWorkflow ${name}: unknown file "${f}"`);
    return i;
  };
  const index = new Map<string, number>();
  const kids: number[][] = tasks.map(() => []);
  const par: number[][] = [];
  tasks.forEach((t, i) => {
    par.push(
      (t.parents ?? []).map((p) => {
        const j = index.get(p);
        if (j === undefined) throw new Error(`tinyWorkflow ${name}: task "${t.id}": parent "${p}" unknown or not listed before it`);
        kids[j].push(i);
        return j;
      }),
    );
    index.set(t.id, i);
  });
  const produced = new Set<number>();
  const out: WorkflowTask[] = tasks.map((t, i) => {
    const outputs = (t.outputs ?? []).map(fileIndex);
    for (const f of outputs) produced.add(f);
    return {
      index: i,
      id: t.id,
      name: t.id,
      parents: par[i],
      children: kids[i],
      inputs: (t.inputs ?? []).map(fileIndex),
      outputs,
      runtime: t.runtime ?? 1,
      cores: t.cores ?? 1,
    };
  });
  return {
    name,
    file: `<${name}>`,
    schemaVersion: "1.5",
    tasks: out,
    files: fileNames.map((id) => ({ id, bytes: files[id] })),
    machines: [],
    initialFiles: fileNames.map((_, i) => i).filter((i) => !produced.has(i)),
  };
}

/** Index of a named file of a workflow. */
export function fileOf(spec: WorkflowSpec, id: string): number {
  const i = spec.files.findIndex((f) => f.id === id);
  if (i < 0) throw new Error(`workflow ${spec.name}: no file "${id}"`);
  return i;
}

/** Index of a named task of a workflow. */
export function taskOf(spec: WorkflowSpec, id: string): number {
  const i = spec.tasks.findIndex((t) => t.id === id);
  if (i < 0) throw new Error(`workflow ${spec.name}: no task "${id}"`);
  return i;
}

/** A submission whose runtime models are given per task id (every task must have one). */
export function submission(
  spec: WorkflowSpec,
  opts: { submit?: number; site?: number; project?: string; firstJobId?: number; models: Readonly<Record<string, Partial<Record<DeviceClass, number>>>>; bitstream?: Readonly<Record<string, string>> },
): WorkflowSubmission {
  for (const t of spec.tasks) if (!opts.models[t.id]) throw new Error(`submission ${spec.name}: no runtime model for task "${t.id}"`);
  return {
    spec,
    submit: opts.submit ?? 0,
    site: opts.site ?? 0,
    project: opts.project ?? `workflow:${spec.name}`,
    firstJobId: opts.firstJobId ?? 1000,
    runtimes: (t) => opts.models[t.id],
    bitstream: opts.bitstream ? (t) => opts.bitstream![t.id] : undefined,
  };
}

/** Energy per byte of a link, J: at the sending site, the receiving site, in the network. */
export interface JoulesPerByte {
  readonly source: number;
  readonly destination: number;
  readonly network: number;
}

/** A directed link. */
export function link(from: number, to: number, bandwidth: number, latency: number, joulesPerByte: JoulesPerByte = { source: 0, destination: 0, network: 0 }): LinkModel {
  return { from, to, bandwidth, latency, joulesPerByte };
}

/** `platform` with these directed links (in this order: link index = position). */
export function withLinks(platform: PlatformModel, links: readonly LinkModel[]): PlatformModel {
  return { ...platform, links };
}

export interface WorkflowRun {
  readonly result: SimulationResult;
  readonly accountant: Accountant;
  /** Every job end, copied, in order. */
  readonly jobs: JobFact[];
  /** Per job id: the last fact (see `jobs` for duplicates). */
  readonly facts: Map<number, JobFact>;
  /** Per job id: IT and facility energy charged to it. */
  readonly charges: Map<number, { itJ: number; facilityJ: number }>;
  readonly transfers: TransferFact[];
  readonly workflows: WorkflowFact[];
  readonly intervals: { site: number; from: number; to: number; itWatts: number; overheadWatts: number; busy: number }[];
  readonly dropped: { job: JobSpec; reason: string }[];
}

/** Runs workflows (and optional batch jobs) on a platform under a policy, forecasts = actual. */
export async function runWorkflows(platform: PlatformModel, policy: Policy<unknown>, workflows: readonly WorkflowSubmission[], jobs: readonly JobSpec[] = []): Promise<WorkflowRun> {
  const charges = new Map<number, { itJ: number; facilityJ: number }>();
  const accountant = new Accountant(platform, (c) => charges.set(c.fact.job.id, { itJ: c.itJ, facilityJ: c.facilityJ }));
  const jobFacts: JobFact[] = [];
  const facts = new Map<number, JobFact>();
  const transfers: TransferFact[] = [];
  const flows: WorkflowFact[] = [];
  const intervals: WorkflowRun["intervals"] = [];
  const dropped: WorkflowRun["dropped"] = [];
  const result = await simulate({
    platform,
    policy,
    jobs: jobs.length > 0 ? [jobs] : [],
    workflows,
    forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: combineObservers(accountant, {
      jobEnded: (f) => {
        const copy = { ...f };
        jobFacts.push(copy);
        facts.set(f.job.id, copy);
      },
      jobDropped: (job, reason) => dropped.push({ job, reason }),
      transferEnded: (f) => transfers.push({ ...f }),
      workflowEnded: (f) => flows.push({ ...f, taskSite: Int32Array.from(f.taskSite), taskStart: Float64Array.from(f.taskStart), taskEnd: Float64Array.from(f.taskEnd), criticalPath: [...f.criticalPath] }),
      siteInterval: (site, from, to, itWatts, overheadWatts, busy) => intervals.push({ site, from, to, itWatts, overheadWatts, busy }),
    }),
  });
  return { result, accountant, jobs: jobFacts, facts, charges, transfers, workflows: flows, intervals, dropped };
}
