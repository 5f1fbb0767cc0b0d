/** Hand-built planner views for tests that need no simulator. */
import { NodeState, type ClusterView, type IntensityForecast, type PoolView, type QueuedJobView, type RunningJobView } from "../../src/planner/view.js";

/** A pool view: 4 CPU-only nodes of 8 cores at speed 1, all free, 100 W idle and 200 W busy, unless overridden. */
export function poolView(over: Partial<PoolView> = {}): PoolView {
  return {
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
    dvfsSpeeds: [],
    idleWatts: 100,
    busyWatts: () => 200,
    embodiedPerNodeSecond: new Float64Array(0),
    ...over,
  };
}

/** A queued job view: 1 core, 100 s requested, never run, user 1 of project "p", unless overridden. */
export function queuedJob(over: Partial<QueuedJobView> & { id: number }): QueuedJobView {
  const walltime = over.walltime ?? 100;
  return { submit: 0, cores: 1, walltime, timeLeft: walltime - (over.ranSeconds ?? 0), ranSeconds: 0, user: 1, project: "p", ...over };
}

/** A running job view on pool 0's first node, started at 0 and predicted to end at 100, unless overridden. */
export function runningJob(over: Partial<RunningJobView> & { id: number }): RunningJobView {
  const start = over.start ?? 0;
  const nodes = over.nodes ?? [0];
  return {
    submit: start,
    cores: 1,
    walltime: 100,
    user: 1,
    project: "p",
    pool: 0,
    device: "cpu",
    nodeCount: nodes.length,
    nodes,
    start,
    firstStart: start,
    ranSeconds: 0,
    setupEnd: start,
    awaitingInputs: false,
    predictedEnd: start + 100,
    ...over,
  };
}

/** A cluster view at `now` of the given pools and jobs, idle nodes, constant zero forecasts, unless overridden. */
export function clusterView(over: Partial<ClusterView> = {}): ClusterView {
  const forecast: IntensityForecast = { mean: () => 0, at: () => 0 };
  return {
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
    nodeJob: () => -1,
    forecast: () => forecast,
    ...over,
  };
}
