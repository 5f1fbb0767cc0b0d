/**
 * Where the view an estimate reads comes from, in the simulated world: a probe
 * job submitted at the submission time, estimated in the policy pass it
 * triggers and withdrawn, on the idle platform or on the platform loaded by
 * the scenario's own workload replayed up to then (the live world supplies its
 * own ViewSource, cli/clusterSource.ts). The estimate then sees exactly what a
 * policy would see.
 */
import { AdjustmentLog } from "../core/index.js";
import { resolveFrom } from "../io/index.js";
import type { JobSpec, PlatformSpec, ScenarioSpec } from "../io/index.js";
import { openSwf } from "../io/index.js";
import type { ForecastError } from "../models/index.js";
import { type ClusterView, type Decision, type Policy, type QueuedJobView } from "../planner/index.js";
import { restrictView } from "../planner/index.js";
import { simulate } from "../sim/index.js";
import type { WorkflowSubmission } from "../sim/index.js";
import { choosePolicy } from "./policyModule.js";
import { qosAssigner } from "./runScenario.js";
import type { World } from "./world.js";
import { loadWorkflows } from "./workflows.js";

/** Job id of the probe (below the workflow task ids of run/workflows.ts). */
export const PROBE_ID = 999_999_999;

/** A scenario's world, loaded for estimates. */
export interface EstimateWorld {
  readonly scenario: ScenarioSpec;
  readonly scenarioPath: string;
  readonly platformSpec: PlatformSpec;
  readonly world: World;
  readonly t0Epoch: number;
  readonly forecast: ForecastError;
}

/** What the view showed at the submission time: the probe's result, and the jobs running and queued. */
export interface Seen<T> {
  readonly value: T;
  readonly running: number;
  readonly queued: number;
}

/**
 * Where the view an estimate reads comes from: the simulator (an idle platform,
 * or loaded by the scenario's replayed workload), or a live cluster (live/).
 * `see` calls `probe` with the view at `at` and the job as it would be queued
 * there; undefined when it could never be queued.
 */
export interface ViewSource {
  readonly mode: "idle" | "loaded" | "live";
  see<T>(w: EstimateWorld, at: number, spec: JobSpec, notes: string[], probe: (view: ClusterView, job: QueuedJobView) => T): Promise<Seen<T> | undefined>;
}

/** The simulator as the view source (see viewAt). */
export function simulatedSource(loaded: boolean): ViewSource {
  return { mode: loaded ? "loaded" : "idle", see: (w, at, spec, notes, probe) => viewAt(w, at, loaded, spec, notes, probe) };
}

/**
 * Runs the simulator to `at` and calls `probe` with the view there; undefined
 * when the probe was never queued (no pool can ever hold it). Idle: the
 * platform alone. EstimateWorld: the scenario's workload submitted up to `at` (its
 * QoS classes assigned, its workflows submitted), under its policy, which
 * never sees the probe job; what the replay skipped or repaired goes to notes.
 */
async function viewAt<T>(l: EstimateWorld, at: number, loaded: boolean, spec: JobSpec, notes: string[], probe: (view: ClusterView, job: ClusterView["queue"][number]) => T): Promise<Seen<T> | undefined> {
  let result: Seen<T> | undefined;
  const inner: Policy<unknown> | undefined = loaded ? (await choosePolicy(l.scenario, l.scenarioPath)).policy : undefined;
  // The scenario's policy keeps its own state, stored by the world through this probe's.
  const policy: Policy<unknown> = {
    name: "estimate-probe",
    version: "1",
    params: {},
    ...(inner?.initialState ? { initialState: () => inner.initialState!() } : {}),
    decide(view, events, state) {
      const out: Decision[] = [];
      const job = view.queue.find((j) => j.id === PROBE_ID);
      if (job && !result) {
        result = { value: probe(view, job), running: view.running.length, queued: view.queue.length - 1 };
        out.push({ kind: "reject", jobId: PROBE_ID, reason: "estimate probe" });
      }
      if (inner) out.push(...inner.decide(job ? restrictView(view, undefined, (j) => j.id !== PROBE_ID) : view, events, state));
      return out;
    },
  };
  const log = new AdjustmentLog();
  const dropped = new Map<string, number>();
  let workflows: WorkflowSubmission[] = [];
  if (loaded) {
    workflows = (await loadWorkflows(l.scenario, l.scenarioPath, l.world.platform, [], log)).filter((w) => w.submit <= at);
  }
  await simulate({
    platform: l.world.platform,
    policy,
    jobs: loaded ? workloadUpTo(l, at, spec, log) : [[spec]],
    workflows,
    forecasts: l.world.forecasts,
    scoreMethod: l.world.method,
    mode: "lenient",
    label: "estimate",
    // Idle: no policy but the probe, which reads no event, so no pass at each intensity change up to `at`.
    intensityEvents: loaded,
    // The replay keeps no decision's reason.
    explain: false,
    observer: { jobDropped: (j, reason) => void (j.id !== PROBE_ID && dropped.set(reason, (dropped.get(reason) ?? 0) + 1)) },
  });
  for (const [code, n] of log.counts) notes.push(`replay: ${n} record(s) of the scenario's inputs skipped or repaired (${code})`);
  for (const [reason, n] of dropped) notes.push(`replay: ${n} job(s) of the scenario never ran (${reason})`);
  return result;
}

/** The scenario's jobs submitted up to `at` (with its QoS classes), then the probe, queued after them. */
async function* workloadUpTo(l: EstimateWorld, at: number, probe: JobSpec, log: AdjustmentLog): AsyncIterable<JobSpec[]> {
  const swf = await openSwf(resolveFrom(l.scenarioPath, l.scenario.workload.file), { mode: "lenient", log, label: l.scenario.workload.file });
  const assign = qosAssigner(l.scenario, l.scenario.seed);
  for await (const batch of swf.batches(4096)) {
    const upTo = batch.filter((j) => j.submit <= at);
    if (upTo.length > 0) yield assign ? upTo.map(assign) : upTo;
    if (upTo.length < batch.length) break;
  }
  yield [probe];
}
