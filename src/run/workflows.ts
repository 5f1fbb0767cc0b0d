/** Workflows of a scenario: loading them as submissions, and their per-workflow report. */
import { resolve } from "node:path";
import type { Accountant } from "../accounting/index.js";
import type { AdjustmentLog } from "../core/index.js";
import { InputError } from "../core/index.js";
import type { ScoreMethod } from "../core/index.js";
import { resolveFrom } from "../io/index.js";
import type { DeviceClass, ScenarioSpec, ScenarioWorkflowSpec } from "../io/index.js";
import { criticalPath, readWorkflow, type WorkflowTask } from "../io/index.js";
import type { PlatformModel } from "../models/index.js";
import type { WorkflowFact } from "../sim/index.js";
import type { WorkflowSubmission } from "../sim/index.js";

/** Job ids of workflow tasks start here (SWF job numbers stay far below), one million per workflow. */
export const WORKFLOW_JOB_IDS = 1_000_000_000;

/** A scenario workflow's runtime models: recorded CPU times, and on accelerators the CPU time / speedup of the tasks its rules name. */
export function acceleratedModels(spec: Pick<ScenarioWorkflowSpec, "accelerated">): {
  runtimes: (t: WorkflowTask) => Partial<Record<DeviceClass, number>>;
  bitstream: (t: WorkflowTask) => string | undefined;
} {
  const rules = spec.accelerated ?? [];
  const match = (t: WorkflowTask) => rules.filter((r) => t.name.startsWith(r.task_prefix) || t.id.startsWith(r.task_prefix));
  return {
    runtimes: (t) => {
      const models: Partial<Record<DeviceClass, number>> = { cpu: t.runtime };
      for (const r of match(t)) models[r.device] = t.runtime / r.speedup;
      return models;
    },
    bitstream: (t) => match(t).find((r) => r.device === "fpga")?.bitstream,
  };
}

export async function loadWorkflows(scenario: ScenarioSpec, scenarioPath: string, platform: PlatformModel, inputs: string[], log: AdjustmentLog): Promise<WorkflowSubmission[]> {
  const out: WorkflowSubmission[] = [];
  for (const [w, spec] of (scenario.workflows ?? []).entries()) {
    const path = resolve(resolveFrom(scenarioPath, spec.file));
    inputs.push(path);
    const wf = await readWorkflow(path, { mode: "lenient", log, label: spec.file });
    const site = platform.sites.findIndex((s) => s.id === spec.site);
    if (site < 0) {
      throw new InputError([{ code: "unknown_reference", file: scenarioPath, path: `workflows[${w}].site`, message: `expected a site of the platform (${platform.sites.map((s) => s.id).join(", ")}), got "${spec.site}"`, value: spec.site }]);
    }
    if (spec.initial_tier !== undefined && !(platform.links ?? []).some((l) => l.from === site && l.to === site && l.tier === spec.initial_tier)) {
      throw new InputError([{ code: "unknown_reference", file: scenarioPath, path: `workflows[${w}].initial_tier`, message: `expected a storage tier of site "${spec.site}", got "${spec.initial_tier}"`, value: spec.initial_tier }]);
    }
    const { runtimes, bitstream } = acceleratedModels(spec);
    out.push({
      spec: wf,
      submit: spec.submit_s,
      site,
      project: spec.project ?? `workflow:${wf.name}`,
      firstJobId: WORKFLOW_JOB_IDS + w * 1_000_000,
      initialTier: spec.initial_tier,
      runtimes,
      bitstream,
    });
  }
  return out;
}

export interface WorkflowSummary {
  workflow: number;
  name: string;
  file: string;
  tasks: number;
  submit_s: number;
  end_s: number;
  makespan_s: number;
  /** Longest chain of the DAG by recorded CPU runtimes: a lower bound of the makespan on reference CPUs. */
  static_critical_path_s: number;
  /** The chain that set the end in this run, and the compute time on it (the rest is waiting and data movement). */
  critical_path_tasks: number;
  critical_path_compute_s: number;
  bytes_moved: number;
  bytes_staged: number;
  energy_facility_j: number;
  cc_kgco2eq: number;
  single_score_pt: number;
  /** Tasks run per site id. */
  tasks_per_site: Record<string, number>;
}

export function workflowSummary(f: WorkflowFact, accountant: Accountant, platform: PlatformModel, method: ScoreMethod): WorkflowSummary {
  const account = accountant.ledger.workflows.get(f.workflow);
  const s = account?.summarize(platform, method);
  const perSite: Record<string, number> = {};
  for (const site of f.taskSite) perSite[platform.sites[site].id] = (perSite[platform.sites[site].id] ?? 0) + 1;
  let compute = 0;
  for (const t of f.criticalPath) compute += f.taskEnd[t] - f.taskRunStart[t];
  return {
    workflow: f.workflow,
    name: f.spec.name,
    file: f.spec.file,
    tasks: f.spec.tasks.length,
    submit_s: f.submit,
    end_s: f.end,
    makespan_s: f.end - f.submit,
    static_critical_path_s: criticalPath(f.spec).length,
    critical_path_tasks: f.criticalPath.length,
    critical_path_compute_s: compute,
    bytes_moved: f.bytesMoved,
    bytes_staged: f.bytesStaged,
    energy_facility_j: s?.energy_j.facility ?? 0,
    cc_kgco2eq: s?.impacts.CC.total ?? 0,
    single_score_pt: s?.single_score.total_pt ?? 0,
    tasks_per_site: perSite,
  };
}

export const WORKFLOW_COLUMNS = [
  "workflow", "name", "tasks", "submit_s", "end_s", "makespan_s", "static_critical_path_s", "critical_path_tasks", "critical_path_compute_s",
  "bytes_moved", "bytes_staged", "energy_facility_j", "cc_kgco2eq", "single_score_pt", "tasks_per_site",
];

export function workflowRow(w: WorkflowSummary): (string | number)[] {
  const sites = Object.entries(w.tasks_per_site).map(([k, v]) => `${k}:${v}`).join(" ");
  return [w.workflow, w.name, w.tasks, w.submit_s, w.end_s, w.makespan_s, w.static_critical_path_s, w.critical_path_tasks, w.critical_path_compute_s, w.bytes_moved, w.bytes_staged, w.energy_facility_j, w.cc_kgco2eq, w.single_score_pt, sites];
}
