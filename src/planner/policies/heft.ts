/**
 * HEFT for workflows (Topcuoglu et al. 2002) over the nodes of every site,
 * with CPU/GPU/FPGA runtime models and inter-site transfers, and an
 * impact-aware variant (impact_weight > 0). When a workflow arrives its tasks
 * are planned with planWorkflow (planner/workflowPlan.ts, shared with the
 * estimates). As tasks become ready they start on their planned node when it
 * has room for them (free cores and devices; an idle node where tasks hold
 * nodes whole), else on the first node of the same pool that has; outputs are
 * pushed ahead to the sites of the children that need them. Batch jobs get
 * what is left, under EASY.
 */
import type { DeviceClass } from "../../io/index.js";
import { holdsWholeNodes } from "../resources.js";
import { planWorkflow, taskJob } from "../workflowPlan.js";
import { NodeState, type ClusterView, type Decision, type Policy, type QueuedJobView, type WorkflowView, type WorldEvent } from "../view.js";
import { policyEasyBackfill } from "./easy.js";
import { restrictView } from "./restrict.js";

export interface HeftParams {
  /** Weight of the expected climate-change impact against finish time (0: plain HEFT). */
  readonly impact_weight?: number;
  /** Insertion-based slot search (default true). */
  readonly insertion?: boolean;
}

interface Plan {
  readonly node: Int32Array;
  readonly site: Int32Array;
  readonly device: DeviceClass[];
  readonly start: Float64Array;
  /** Pool index of every node id. */
  readonly poolOfNode: Int32Array;
  /** Transfers already asked for: file * sites + site. */
  readonly pushed: Set<number>;
}

interface Pending {
  readonly workflow: number;
  readonly task: number;
  readonly key: number;
  readonly id: number;
}

/** WorkflowView.taskState of a task waiting in the queue. */
const TASK_READY = 1;

export function policyHeft(params: HeftParams = {}): Policy {
  const impactWeight = params.impact_weight ?? 0;
  if (!(impactWeight >= 0)) throw new RangeError(`policyHeft: expected impact_weight >= 0, got ${impactWeight}`);
  const insertion = params.insertion ?? true;
  const plans = new Map<number, Plan>();
  const batch = policyEasyBackfill();
  /** Ready planned tasks, sorted by planned start then job id (kept across passes). */
  const pending: Pending[] = [];

  function insertPending(e: Pending): void {
    let lo = 0;
    let hi = pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = pending[mid];
      if (m.key < e.key || (m.key === e.key && m.id < e.id)) lo = mid + 1;
      else hi = mid;
    }
    pending.splice(lo, 0, e);
  }

  function plan(view: ClusterView, w: WorkflowView): Plan {
    const p = planWorkflow(view, w, { impactWeight, insertion });
    return { node: p.node, site: p.site, device: p.device, start: p.start, poolOfNode: p.poolOfNode, pushed: new Set() };
  }

  /** Pushes a finished task's outputs to the planned sites of its children. */
  function push(view: ClusterView, w: WorkflowView, p: Plan, task: number, out: Decision[]): void {
    const S = view.sites.length;
    const t = w.spec.tasks[task];
    const outs = new Set(t.outputs);
    for (const c of t.children) {
      const to = p.site[c];
      for (const f of w.spec.tasks[c].inputs) {
        if (!outs.has(f) || (w.fileSites[f] & (1 << to)) !== 0 || p.pushed.has(f * S + to)) continue;
        p.pushed.add(f * S + to);
        out.push({ kind: "transfer", workflow: w.index, file: f, to });
      }
    }
  }

  return {
    name: "heft",
    version: "1",
    params: { impact_weight: impactWeight, insertion },
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      const out: Decision[] = [];
      for (const e of happened) {
        if (e.kind === "workflowSubmitted") plans.set(e.workflow, plan(view, view.workflows[e.workflow]));
        else if (e.kind === "jobSubmitted") {
          for (const [wi, p] of plans) {
            const task = e.jobId - view.workflows[wi].firstJobId;
            if (task >= 0 && task < p.node.length) {
              insertPending({ workflow: wi, task, key: p.start[task], id: e.jobId });
              break;
            }
          }
        }
        else if (e.kind === "jobEnded" || e.kind === "jobKilled") {
          for (const [wi, p] of plans) {
            const w = view.workflows[wi];
            const task = e.jobId - w.firstJobId;
            if (task >= 0 && task < w.spec.tasks.length) {
              push(view, w, p, task, out);
              break;
            }
          }
        }
      }
      // What this pass's starts took: cores and devices per node, and free cores and idle nodes per pool.
      const cores = view.pools.map((p) => p.freeCores);
      const idle = view.pools.map((p) => p.freeNodes);
      let free = 0;
      for (const c of cores) free += c;
      if (free > 0) {
        const usedCores = new Map<number, number>();
        const usedDevices = new Map<number, number>();
        let keep = 0;
        for (let k = 0; k < pending.length; k++) {
          const entry = pending[k];
          const w = view.workflows[entry.workflow];
          // Tasks no longer waiting (started, or started by someone else) leave the list.
          if (w.taskState[entry.task] !== TASK_READY) continue;
          pending[keep++] = entry;
          if (free === 0) continue;
          const p = plans.get(entry.workflow)!;
          const planned = p.node[entry.task];
          const pool = view.pools[p.poolOfNode[planned]];
          if (cores[pool.index] === 0) continue;
          const job = taskJob(w, entry.task);
          const device = p.device[entry.task];
          const whole = holdsWholeNodes(job, pool);
          const want = device === "cpu" ? 0 : device === "gpu" ? (job.gpus ?? 1) : (job.fpgas ?? 1);
          const room = (n: number) => {
            if (view.nodeState(n) === NodeState.Idle && !usedCores.has(n)) return true;
            if (whole) return false;
            const devices = device === "gpu" ? view.nodeFreeGpus(n) : device === "fpga" ? view.nodeFreeFpgas(n) : 0;
            return view.nodeFreeCores(n) - (usedCores.get(n) ?? 0) >= job.cores && devices - (usedDevices.get(n) ?? 0) >= want;
          };
          let node = -1;
          if (room(planned)) node = planned;
          else for (let n = pool.firstNode; n < pool.firstNode + pool.nodes && node < 0; n++) if (room(n)) node = n;
          if (node < 0) continue;
          const c = whole ? pool.coresPerNode : job.cores;
          if (view.nodeState(node) === NodeState.Idle && !usedCores.has(node)) idle[pool.index]--;
          usedCores.set(node, (usedCores.get(node) ?? 0) + c);
          usedDevices.set(node, (usedDevices.get(node) ?? 0) + want);
          cores[pool.index] -= c;
          free -= c;
          out.push({ kind: "start", jobId: w.firstJobId + entry.task, pool: pool.index, nodes: [node], device });
        }
        pending.length = keep;
      }
      if (view.queue.some((j) => j.workflow === undefined)) out.push(...batch.decide(restrictView(view, { cores, nodes: idle }, (j) => j.workflow === undefined), happened));
      return out;
    },
  };
}
