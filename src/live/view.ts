/**
 * The live world's ClusterView: a cluster snapshot (io/snapshot.ts) over the
 * platform's models, so policies and estimate() read a real cluster exactly as
 * they read the simulated one. Node ids follow the platform's pool order; in a
 * pool, the nodes of running jobs come first (in the snapshot's order), then
 * off, sleeping and waking nodes, then free ones.
 *
 * Read from the snapshot and said so: running jobs' nodes draw at full load
 * for the site power shown (a snapshot gives no utilisation), and a queued job
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
  const held = new Int32Array(figures.length);
  const running: RunningJobView[] = [];
  const jobOf = new Float64Array(next).fill(-1);
  snap.running.forEach((r, k) => {
    const p = find(r.site, r.node_type, `running[${k}]`);
    if (p < 0) return;
    const first = figures[p].firstNode + held[p];
    held[p] += r.nodes;
    const start = at(r.start);
    const nodes = Array.from({ length: r.nodes }, (_, j) => first + j);
    for (const n of nodes) if (n < next) jobOf[n] = r.id;
    // A snapshot tells what a scheduler knows of a running job: where, since when, its time limit; not its size in cores or its submit time.
    running.push(
      Object.freeze({ id: r.id, submit: start, cores: r.nodes * figures[p].coresPerNode, walltime: r.time_limit_s, user: -1, project: "unknown", pool: p, device: r.device ?? "cpu", nodeCount: r.nodes, nodes: Object.freeze(nodes), start, firstStart: start, ranSeconds: 0, setupEnd: start, awaitingInputs: false, predictedEnd: start + r.time_limit_s }),
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
    const taken = held[p] + low[p] + waking[p];
    if (taken > pool.nodes) {
      issues.push({ code: "invalid_value", file: snap.file, path: `${pool.site}/${pool.nodeType}`, message: `expected at most ${pool.nodes} nodes held by running jobs, off, asleep or waking, got ${taken} (${held[p]} held)`, value: taken });
      return poolView(pool, 0, low[p], waking[p]);
    }
    let id = pool.firstNode;
    for (let k = 0; k < held[p]; k++) states[id++] = NodeState.Busy;
    for (let k = 0; k < low[p]; k++) states[id++] = NodeState.Off;
    for (let k = 0; k < waking[p]; k++) states[id++] = NodeState.SwitchingOn;
    return poolView(pool, pool.nodes - taken, low[p], waking[p]);
  });
  if (issues.length > 0) throw new InputError(issues);
  running.sort((a, b) => a.predictedEnd - b.predictedEnd || a.id - b.id);

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
    for (const r of running) if (pools[r.pool].siteIndex === index) watts += r.nodeCount * pools[r.pool].busyWatts(r.device, 1, r.device === "cpu" ? 0 : r.device === "gpu" ? pools[r.pool].gpusPerNode : pools[r.pool].fpgasPerNode);
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
    nodeJob: (id: number) => jobOf[id] ?? -1,
    forecast(site: string) {
      const i = platform.sites.findIndex((s) => s.id === site);
      if (i < 0) throw new RangeError(`ClusterView.forecast: unknown site "${site}"`);
      return w.forecasts[i];
    },
  });
}
