/** Hand-built planner views for tests that need no simulator. */
import { NodeState, type ClusterView, type IntensityForecast, type PoolView, type QueuedJobView, type RunningJobView } from "../../src/planner/view.js";

/**
 * A pool view: 4 CPU-only nodes of 8 cores at speed 1, all free, 100 W idle and
 * 200 W busy, nodes shared between jobs, unless overridden. Free cores default
 * to those of the free nodes. Its shareWatts follows the default attribution
 * rule (models/nodePower.ts shareDraw) over busyWatts and idleWatts: a job
 * alone on a node with `cores` busy cores draws busyWatts(cores / coresPerNode)
 * - idleWatts (the dynamic part) + idleWatts x cores / coresPerNode (its share
 * of the static part); held idle, only the static share. Devices are not priced
 * by it (override shareWatts for pools with accelerators).
 */
export function poolView(over: Partial<PoolView> = {}): PoolView {
  const base = {
    index: 0,
    site: "s",
    nodeType: "t",
    coresPerNode: 8,
    firstNode: 0,
    nodes: 4,
    freeNodes: 4,
    sleepingNodes: 0,
    wakingNodes: 0,
    siteIndex: 0,
    speed: 1,
    gpusPerNode: 0,
    fpgasPerNode: 0,
    dvfsSpeeds: [] as readonly number[],
    idleWatts: 100,
    busyWatts: (() => 200) as PoolView["busyWatts"],
    embodiedPerNodeSecond: new Float64Array(0),
    exclusive: false,
    sharedOnly: false,
    ...over,
  };
  const shareWatts: PoolView["shareWatts"] = (device, cores, _devices, busy, pstate) => {
    const stat = (base.idleWatts * cores) / base.coresPerNode;
    return busy && cores > 0 ? base.busyWatts(device, Math.min(1, cores / base.coresPerNode), 0, pstate) - base.idleWatts + stat : stat;
  };
  return { shareWatts, ...base, freeCores: over.freeCores ?? base.freeNodes * base.coresPerNode };
}

/** A queued job view: 1 core, 100 s requested, never run, user 1 of project "p", unless overridden. */
export function queuedJob(over: Partial<QueuedJobView> & { id: number }): QueuedJobView {
  const walltime = over.walltime ?? 100;
  return { submit: 0, cores: 1, walltime, timeLeft: walltime - (over.ranSeconds ?? 0), ranSeconds: 0, user: 1, project: "p", ...over };
}

/**
 * A running job view on pool 0's first node, started at 0 and predicted to end
 * at 100, sharing its nodes, unless overridden. Its allocation defaults to its
 * cores spread over its nodes in blocks (the first cores % nodes nodes one
 * more), no devices or memory, and allocCores to its cores: give allocCores
 * (its nodes' cores) for a job that holds whole nodes.
 */
export function runningJob(over: Partial<RunningJobView> & { id: number }): RunningJobView {
  const start = over.start ?? 0;
  const nodes = over.nodes ?? [0];
  const cores = over.cores ?? 1;
  const allocation = nodes.map((node, i) => ({ node, cores: Math.floor(cores / nodes.length) + (i < cores % nodes.length ? 1 : 0), gpus: 0, fpgas: 0, memMb: 0 }));
  return {
    submit: start,
    cores,
    walltime: 100,
    user: 1,
    project: "p",
    pool: 0,
    device: "cpu",
    nodeCount: nodes.length,
    nodes,
    allocCores: cores,
    allocation,
    holdsWholeNodes: false,
    start,
    firstStart: start,
    ranSeconds: 0,
    setupEnd: start,
    awaitingInputs: false,
    predictedEnd: start + 100,
    ...over,
  };
}

/**
 * A cluster view at `now` of the given pools and jobs, idle nodes, constant
 * zero forecasts, unless overridden. Unless overridden, the per-node queries
 * follow the running jobs: nodeJobs lists the jobs whose nodes include the
 * node (nodeJob the first of them); a node that is idle or busy has its pool's
 * cores, GPUs, FPGAs and memory free less what the jobs' allocations take there
 * (nothing when one of them holds it whole); any other node has none free.
 */
export function clusterView(over: Partial<ClusterView> = {}): ClusterView {
  const forecast: IntensityForecast = { mean: () => 0, at: () => 0 };
  const jobsOn = (id: number) => v.running.filter((r) => r.nodes.includes(id));
  const poolOf = (id: number) => v.pools.find((p) => id >= p.firstNode && id < p.firstNode + p.nodes);
  const free = (id: number, total: (p: PoolView) => number, used: (a: RunningJobView["allocation"][number]) => number): number => {
    const p = poolOf(id);
    const s = v.nodeState(id);
    if (!p || (s !== NodeState.Idle && s !== NodeState.Busy)) return 0;
    let left = total(p);
    for (const r of jobsOn(id)) {
      if (r.holdsWholeNodes) return 0;
      for (const a of r.allocation) if (a.node === id) left -= used(a);
    }
    return left;
  };
  const v: ClusterView = {
    now: 0,
    workflows: [],
    links: [],
    sites: [{ index: 0, id: "s", pue: 1, powerW: 0, powerBudgetW: Infinity }],
    pools: [poolView()],
    queue: [],
    running: [],
    nodeState: () => NodeState.Idle,
    nodeSince: () => 0,
    nodeReadyAt: () => NaN,
    nodeJob: (id) => jobsOn(id)[0]?.id ?? -1,
    nodeJobs: (id) => jobsOn(id).map((r) => r.id),
    nodeFreeCores: (id) => free(id, (p) => p.coresPerNode, (a) => a.cores),
    nodeFreeGpus: (id) => free(id, (p) => p.gpusPerNode, (a) => a.gpus),
    nodeFreeFpgas: (id) => free(id, (p) => p.fpgasPerNode, (a) => a.fpgas),
    nodeFreeMemoryMb: (id) => free(id, (p) => p.memoryMb ?? Infinity, (a) => a.memMb),
    forecast: () => forecast,
    ...over,
  };
  return v;
}
