/**
 * Simulation hot path, in process (no process start, no module loading): KTH
 * x8 with full accounting and --summary-only outputs under a chosen policy, and
 * CPU time and peak heap of the run. Then the attribution and accounting part
 * alone: the run's node changes (jobs joining and leaving nodes, their load
 * changing; recorded from the cluster in one more run) replayed at their times
 * against a fresh cluster (sim/cluster.ts, sim/nodeShares.ts) feeding the
 * accountant and the node timeline, as in the run, with no planner, queue or
 * events: what the per-node accounting costs, as CPU seconds and as a share of
 * the run. Usage:
 *   npx tsx bench/hotpath.ts [trace] [policy] [runs]
 * (defaults: the 227,808-job KTH-SP2 x8 trace, easy, 1 run). Figures, never pass/fail.
 */
import { cpus } from "node:os";
import { Accountant, NodeTimeline } from "../src/accounting/index.js";
import type { PlatformModel, StaticRule } from "../src/models/index.js";
import { runScenario } from "../src/run/runScenario.js";
import { shippedPath } from "../src/io/paths.js";
import { Cluster, type Tenant } from "../src/sim/cluster.js";
import { combineObservers } from "../src/sim/index.js";

const trace = process.argv[2] ?? shippedPath("../shared/data/traces/KTH-SP2-x8-scale.swf.gz");
const policy = process.argv[3] ?? "easy";
const runs = Number(process.argv[4] ?? 1);
const run = () => runScenario({ overrides: { workload: trace, policy, out: shippedPath("results/bench-hotpath"), summaryOnly: true } });
let runCpu = Infinity;
for (let r = 0; r < runs; r++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await run();
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  const heap = process.memoryUsage();
  runCpu = Math.min(runCpu, (cpu.user + cpu.system) / 1e6);
  console.log(
    `${policy}: ${out.summary.jobs} jobs, ${out.result.events} events, ${out.result.passes} passes: ` +
      `${(ms / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (${(cpu.user / 1e6).toFixed(2)} user), ` +
      `heap ${(heap.heapUsed / 2 ** 20).toFixed(0)} MB, rss ${(heap.rss / 2 ** 20).toFixed(0)} MB`,
  );
}

// --- the attribution part alone -------------------------------------------------
/** One change on a node: its time, what (0 join, 1 leave, 2 load), the tenant, and the load it takes (join, load) or the DVFS state (join). */
const ADD = 0;
const REMOVE = 1;
const BUSY = 2;
const ops: { t: Float64Array; kind: Uint8Array; load: Float64Array; who: Tenant[]; pstate: (number | undefined)[]; n: number } = {
  t: new Float64Array(1 << 20),
  kind: new Uint8Array(1 << 20),
  load: new Float64Array(5 << 20),
  who: [],
  pstate: [],
  n: 0,
};
function record(kind: number, t: Tenant, now: number, c = 0, u = 0, g = 0, f = 0, r = 0, pstate?: number): void {
  if (ops.n === ops.t.length) {
    const grow = <A extends Float64Array | Uint8Array>(a: A, k: number): A => {
      const b = new (a.constructor as new (n: number) => A)(a.length * 2);
      b.set(a.subarray(0, ops.n * k));
      return b;
    };
    ops.t = grow(ops.t, 1);
    ops.kind = grow(ops.kind, 1);
    ops.load = grow(ops.load, 5);
  }
  const i = ops.n++;
  ops.t[i] = now;
  ops.kind[i] = kind;
  const L = ops.load;
  L[5 * i] = c;
  L[5 * i + 1] = u;
  L[5 * i + 2] = g;
  L[5 * i + 3] = f;
  L[5 * i + 4] = r;
  ops.who.push(t);
  ops.pstate.push(pstate);
}
let platform: PlatformModel | undefined;
let staticRule: StaticRule = "allocated";
const proto = Cluster.prototype;
/** The cluster reuses a tenant record once its job left the node: each stay on a node is recorded as a copy of its own. */
const stay = new Map<Tenant, Tenant>();
const stayOf = (t: Tenant): Tenant => stay.get(t) ?? t;
const { addTenants, removeTenants, setBusy } = proto;
// The clock is private to the cluster: read here only to record when each change happened.
const nowOf = (c: Cluster): number => (c as unknown as { clock: { now: number } }).clock.now;
// A start's tenants join (and leave) in one call: each is recorded as a change of its own, in order.
proto.addTenants = function (this: Cluster, ts: readonly Tenant[], count: number, pstate: number | undefined) {
  platform = this.platform;
  staticRule = this.shares.staticRule;
  for (let i = 0; i < count; i++) {
    const t = ts[i];
    const copy = { ...t };
    stay.set(t, copy);
    record(ADD, copy, nowOf(this), t.busyCores, t.util, t.busyGpus, t.busyFpgas, t.reconfFpgas, pstate);
  }
  addTenants.call(this, ts, count, pstate);
};
proto.removeTenants = function (this: Cluster, ts: readonly Tenant[], count: number) {
  for (let i = 0; i < count; i++) {
    record(REMOVE, stayOf(ts[i]), nowOf(this));
    stay.delete(ts[i]);
  }
  removeTenants.call(this, ts, count);
};
proto.setBusy = function (this: Cluster, t: Tenant, c: number, u: number, g: number, f: number, r: number) {
  record(BUSY, stayOf(t), nowOf(this), c, u, g, f, r);
  setBusy.call(this, t, c, u, g, f, r);
};
await run();
Object.assign(proto, { addTenants, removeTenants, setBusy });
/** Replays the recorded changes on a fresh cluster, best CPU seconds of `n` replays. */
function replay(p: PlatformModel, accounting: boolean, n: number): number {
  let best = Infinity;
  for (let r = 0; r < n; r++) {
    const clock = { now: 0 };
    const observer = accounting ? combineObservers(new Accountant(p), new NodeTimeline(p)) : {};
    const cluster = new Cluster(p, observer, clock, staticRule);
    const cpu0 = process.cpuUsage();
    const L = ops.load;
    for (let i = 0; i < ops.n; i++) {
      clock.now = ops.t[i];
      const t = ops.who[i];
      const k = 5 * i;
      if (ops.kind[i] === ADD) {
        t.busyCores = L[k];
        t.util = L[k + 1];
        t.busyGpus = L[k + 2];
        t.busyFpgas = L[k + 3];
        t.reconfFpgas = L[k + 4];
        cluster.addTenant(t, ops.pstate[i]);
      } else if (ops.kind[i] === REMOVE) cluster.removeTenant(t);
      else cluster.setBusy(t, L[k], L[k + 1], L[k + 2], L[k + 3], L[k + 4]);
    }
    cluster.flushAll();
    observer.finished?.(clock.now);
    const cpu = process.cpuUsage(cpu0);
    best = Math.min(best, (cpu.user + cpu.system) / 1e6);
  }
  return best;
}
if (platform) {
  const n = Math.max(runs, 2);
  const bare = replay(platform, false, n);
  const full = replay(platform, true, n);
  console.log(
    `attribution and accounting alone: ${ops.n.toLocaleString("en")} node changes replayed on a ${platform.pools.reduce((a, q) => a + q.count, 0)}-node cluster (best of ${n}): ` +
      `${full.toFixed(2)} s CPU, ${((1e9 * full) / ops.n).toFixed(0)} ns per change, ${((100 * full) / runCpu).toFixed(0)} % of the run's CPU; ` +
      `of which the cluster without listeners ${bare.toFixed(2)} s (${((1e9 * bare) / ops.n).toFixed(0)} ns per change)`,
  );
}
console.log(`(${cpus()[0]?.model ?? "?"}, Node ${process.version})`);
