/**
 * The live world's ClusterView: a cluster snapshot (io/snapshot.ts) over the
 * platform's models, so policies and estimate() read a real cluster exactly as
 * they read the simulated one. Node ids follow the platform's pool order; in a
 * pool, running jobs hold the nodes their allocation names, or else the first
 * nodes no job holds yet (in the snapshot's order); off, sleeping and waking
 * nodes are the first of those left, then free ones.
 *
 * Read from the snapshot and said so: running jobs' cores and devices draw at
 * full load for the site power shown (a snapshot gives no utilisation), a node
 * shared with running jobs has no memory free for a job that asks some, and a queued job
 * with GPUs runs on them for its time limit (its only runtime model).
 */
import { InputError, type Issue } from "../core/index.js";
import type { ScoreMethod } from "../core/index.js";
import type { ClusterSnapshot } from "../io/index.js";
import type { IntensityForecast } from "../models/index.js";
import type { PlatformModel } from "../models/index.js";
import { platformPoolFigures, poolView } from "../planner/index.js";
import { canRunOn, poolDeviceClasses } from "../planner/index.js";
import { NodeState, type ClusterView, type PoolView, type QueuedJobView, type RunningJobView, type SiteView } from "../planner/index.js";

export interface SnapshotModel {
  readonly platform: PlatformModel;
  /** One per site, in platform order. */
  readonly forecasts: readonly IntensityForecast[];
  readonly method?: ScoreMethod;
  /** Epoch seconds of view time 0 (the grid series' origin). */
  readonly t0Epoch: number;
}

/**
 * The view of the cluster at the snapshot's time.
 * @throws InputError naming the snapshot's field for a pool the platform lacks, more nodes than a pool has, or a queued job no pool can hold
 */
export function liveView(snap: ClusterSnapshot, w: SnapshotModel): ClusterView {
  const { platform } = w;
  const issues: Issue[] = [];
  const at = (iso: string) => Date.parse(iso) / 1000 - w.t0Epoch;
  const now = at(snap.time);
  const figures = platformPoolFigures(platform);
  const next = platform.pools.reduce((n, m) => n + m.count, 0);
  const find = (site: string, nodeType: string, path: string): number => {
    const i = figures.findIndex((p) => p.site === site && p.nodeType === nodeType);
    if (i < 0) {
      issues.push({ code: "unknown_reference", file: snap.file, path, message: `expected a site and node type of platform ${platform.name} (${figures.map((p) => `${p.site}/${p.nodeType}`).join(", ")}), got ${site}/${nodeType}`, value: `${site}/${nodeType}` });
    }
    return i;
  };
  // Per node: cores and GPUs held, held whole, the jobs on it.
  const allocCores = new Int32Array(next);
  const allocGpus = new Int32Array(next);
  const whole = new Uint8Array(next);
  const jobsOn: number[][] = Array.from({ length: next }, () => []);
  /** Per pool: the next node not yet given to a running job without an allocation. */
  const cursor = figures.map((f) => f.firstNode);
  const running: RunningJobView[] = [];
  snap.running.forEach((r, k) => {
    const p = find(r.site, r.node_type, `running[${k}]`);
    if (p < 0) return;
    const f = figures[p];
    const K = f.coresPerNode;
    const device = r.device ?? "cpu";
    const exclusive = r.exclusive ?? r.cores === undefined;
    const start = at(r.start);
    // Where it runs: as its allocation says; else the pool's next nodes, its cores in blocks (its nodes whole without cores).
    let take: { node: number; cores: number; gpus: number }[];
    if (r.allocation) take = r.allocation.map((a) => ({ node: f.firstNode + a.node, cores: exclusive ? K : a.cores, gpus: exclusive ? f.gpusPerNode : (a.gpus ?? 0) }));
    else {
      const cores = r.cores ?? r.nodes * K;
      take = Array.from({ length: r.nodes }, (_, j) => {
        while (cursor[p] < f.firstNode + f.nodes && jobsOn[cursor[p]].length > 0) cursor[p]++;
        const node = cursor[p]++;
        return { node, cores: exclusive ? K : Math.floor(cores / r.nodes) + (j < cores % r.nodes ? 1 : 0), gpus: exclusive ? f.gpusPerNode : 0 };
      });
    }
    for (const [j, t] of take.entries()) {
      if (t.node >= f.firstNode + f.nodes) {
        issues.push({ code: "invalid_value", file: snap.file, path: r.allocation ? `running[${k}].allocation[${j}].node` : `running[${k}].nodes`, message: `expected a node of ${f.site}/${f.nodeType}, which has ${f.nodes}, got ${r.allocation ? `node ${t.node - f.firstNode}` : "more nodes than it has free"}`, value: t.node - f.firstNode });
        return;
      }
      const n = t.node;
      const shared = jobsOn[n].length > 0 && (exclusive || whole[n] === 1);
      if (shared || allocCores[n] + t.cores > K || allocGpus[n] + t.gpus > f.gpusPerNode) {
        issues.push({ code: "invalid_value", file: snap.file, path: `running[${k}]`, message: `expected at most ${K} cores and ${f.gpusPerNode} GPUs on node ${n - f.firstNode} of ${f.site}/${f.nodeType}, and none shared with a job holding it whole, got job ${r.id} there beside job(s) ${jobsOn[n].join(", ")}`, value: r.id });
        return;
      }
      allocCores[n] += t.cores;
      allocGpus[n] += t.gpus;
      if (exclusive) whole[n] = 1;
      jobsOn[n].push(r.id);
    }
    const cores = take.reduce((a, t) => a + t.cores, 0);
    // A snapshot tells what a scheduler knows of a running job: where, since when, its time limit; not its submit time.
    running.push(
      Object.freeze({
        id: r.id,
        submit: start,
        cores: r.cores ?? cores,
        walltime: r.time_limit_s,
        user: -1,
        project: "unknown",
        pool: p,
        device,
        nodeCount: take.length,
        nodes: Object.freeze(take.map((t) => t.node)),
        allocCores: cores,
        allocation: Object.freeze(take.map((t) => Object.freeze({ node: t.node, cores: t.cores, gpus: t.gpus, fpgas: exclusive ? f.fpgasPerNode : 0, memMb: exclusive ? (f.memoryMb ?? 0) : 0 }))),
        holdsWholeNodes: exclusive,
        start,
        firstStart: start,
        ranSeconds: 0,
        setupEnd: start,
        awaitingInputs: false,
        predictedEnd: start + r.time_limit_s,
      }),
    );
  });
  const states = new Uint8Array(next).fill(NodeState.Idle);
  const low = new Int32Array(figures.length);
  const waking = new Int32Array(figures.length);
  snap.pools.forEach((sp, k) => {
    const p = find(sp.site, sp.node_type, `pools[${k}]`);
    if (p < 0) return;
    low[p] += (sp.off ?? 0) + (sp.sleeping ?? 0);
    waking[p] += sp.waking ?? 0;
  });
  const pools: PoolView[] = figures.map((pool, p) => {
    let held = 0;
    let freeCores = 0;
    for (let n = pool.firstNode; n < pool.firstNode + pool.nodes; n++) if (jobsOn[n].length > 0) held++;
    const taken = held + low[p] + waking[p];
    if (taken > pool.nodes) {
      issues.push({ code: "invalid_value", file: snap.file, path: `${pool.site}/${pool.nodeType}`, message: `expected at most ${pool.nodes} nodes held by running jobs, off, asleep or waking, got ${taken} (${held} held)`, value: taken });
      return poolView(pool, 0, low[p], waking[p], 0);
    }
    // Held nodes are busy; off, then waking nodes are the first that hold nothing; the rest are idle.
    let lowLeft = low[p];
    let wakingLeft = waking[p];
    for (let n = pool.firstNode; n < pool.firstNode + pool.nodes; n++) {
      if (jobsOn[n].length > 0) {
        states[n] = NodeState.Busy;
        if (whole[n] !== 1) freeCores += pool.coresPerNode - allocCores[n];
      } else if (lowLeft > 0) {
        states[n] = NodeState.Off;
        lowLeft--;
      } else if (wakingLeft > 0) {
        states[n] = NodeState.SwitchingOn;
        wakingLeft--;
      } else freeCores += pool.coresPerNode;
    }
    return poolView(pool, pool.nodes - taken, low[p], waking[p], freeCores);
  });
  if (issues.length > 0) throw new InputError(issues);
  const nodePool = (id: number) => figures.findIndex((f) => id >= f.firstNode && id < f.firstNode + f.nodes);
  running.sort((a, b) => a.predictedEnd - b.predictedEnd || a.id - b.id);
  const usable = (id: number) => (states[id] === NodeState.Idle || states[id] === NodeState.Busy) && whole[id] !== 1;

  const queue: QueuedJobView[] = snap.queue.map((q) => ({
    id: q.id,
    submit: at(q.submit),
    cores: q.cores,
    walltime: q.time_limit_s,
    timeLeft: q.time_limit_s,
    ranSeconds: 0,
    user: q.user ?? -1,
    project: q.account ?? "unknown",
    ...(q.gpus !== undefined ? { gpus: q.gpus, runtimes: { gpu: q.time_limit_s } } : {}),
  }));
  // A queued job no pool can ever hold would be passed over by every policy without a word: refuse it by name.
  queue.forEach((job, k) => {
    if (pools.some((p) => poolDeviceClasses(p).some((d) => canRunOn(job, p, d)))) return;
    const largest = Math.max(...pools.map((p) => p.nodes * p.coresPerNode));
    issues.push({ code: "invalid_value", file: snap.file, path: `queue[${k}]`, message: `expected a queued job some pool of platform ${platform.name} can hold (largest ${largest} cores${job.gpus !== undefined ? ", with GPUs where a pool has them" : ""}), got job ${job.id} of ${job.cores} cores${job.gpus !== undefined ? ` and ${job.gpus} GPUs` : ""}`, value: job.cores });
  });
  if (issues.length > 0) throw new InputError(issues);
  const sites: SiteView[] = platform.sites.map((site, index) => {
    let watts = 0;
    pools.forEach((pool, p) => {
      if (pool.siteIndex !== index) return;
      watts += pool.freeNodes * pool.idleWatts + low[p] * (pool.off?.watts ?? pool.idleWatts) + waking[p] * (pool.off?.switchOnWatts ?? pool.idleWatts);
    });
    // Held nodes at full load of their allocated cores, their allocated devices busy (a snapshot gives no utilisation).
    pools.forEach((pool) => {
      if (pool.siteIndex !== index) return;
      for (let n = pool.firstNode; n < pool.firstNode + pool.nodes; n++) {
        if (jobsOn[n].length === 0) continue;
        const job = running.find((r) => r.id === jobsOn[n][0])!;
        const u = whole[n] === 1 ? 1 : allocCores[n] / pool.coresPerNode;
        const devices = job.device === "gpu" ? (whole[n] === 1 ? pool.gpusPerNode : allocGpus[n]) : job.device === "fpga" ? pool.fpgasPerNode : 0;
        watts += pool.busyWatts(job.device, u, devices);
      }
    });
    return Object.freeze({ index, id: site.id, pue: site.pue, powerW: watts, powerBudgetW: site.powerBudget ? site.powerBudget.valueAt(now) : (site.powerBudgetW ?? Infinity) });
  });
  return Object.freeze({
    now,
    workflows: Object.freeze([]),
    links: Object.freeze(platform.links ?? []),
    sites: Object.freeze(sites),
    pools: Object.freeze(pools),
    queue: Object.freeze(queue.map((q) => Object.freeze(q))),
    running: Object.freeze(running),
    scoreMethod: w.method,
    nodeState: (id: number) => states[id] as NodeState,
    // A snapshot says nothing of since when a node is in its state, or when a switch completes.
    nodeSince: () => NaN,
    nodeReadyAt: () => NaN,
    nodeJob: (id: number) => jobsOn[id]?.[0] ?? -1,
    nodeJobs: (id: number) => Object.freeze([...(jobsOn[id] ?? [])]),
    // Free for a job that shares: on, and not held whole. A snapshot gives no memory use: a held node's is taken.
    nodeFreeCores: (id: number) => (usable(id) ? figures[nodePool(id)].coresPerNode - allocCores[id] : 0),
    nodeFreeGpus: (id: number) => (usable(id) ? figures[nodePool(id)].gpusPerNode - allocGpus[id] : 0),
    nodeFreeFpgas: (id: number) => (states[id] === NodeState.Idle ? figures[nodePool(id)].fpgasPerNode : 0),
    nodeFreeMemoryMb: (id: number) => (states[id] === NodeState.Idle ? (figures[nodePool(id)].memoryMb ?? Infinity) : usable(id) && figures[nodePool(id)].memoryMb === undefined ? Infinity : 0),
    forecast(site: string) {
      const i = platform.sites.findIndex((s) => s.id === site);
      if (i < 0) throw new RangeError(`ClusterView.forecast: unknown site "${site}"`);
      return w.forecasts[i];
    },
  });
}
