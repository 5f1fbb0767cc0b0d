/**
 * The cluster's tenant path alone (sim/cluster.ts addTenants, removeTenants,
 * setBusy over models/nodeShares.ts), as the simulator calls it: one run
 * records every start's tenants joining together, every end's leaving
 * together and every load change, with their times; the calls are then
 * replayed on a fresh cluster (its tenant records made and reused by the
 * cluster, as in a run) feeding the accountant and the node timeline, with no
 * planner, queue or events. Given cluster modules (esbuild bundles of versions
 * of src/sim/cluster.ts, each exporting Cluster), each is replayed in turn on
 * the same calls, in the same process, and checked to report the same shares,
 * meters and packing. Usage:
 *   npx tsx bench/tenants.ts [trace] [cluster.mjs ...] [replays]
 * (defaults: the 227,808-job KTH-SP2 x8 trace, src/sim/cluster.ts, 5 replays;
 * "" for the default trace). A module of a version, e.g.:
 *   mkdir /tmp/v && git archive REV | tar -x -C /tmp/v && ln -s $PWD/node_modules /tmp/v/
 *   npx esbuild --bundle --format=esm --platform=node /tmp/v/src/sim/cluster.ts --outfile=/tmp/v/cluster.mjs
 * (kept below a package.json of impactsim's). TENANTS_BARE=1 replays without
 * the accountant and the node timeline. Figures, never pass/fail; on a busy
 * machine compare the least of several replays.
 */
import { cpus } from "node:os";
import { Accountant, NodeTimeline } from "../src/accounting/index.js";
import type { PlatformModel, StaticRule } from "../src/models/index.js";
import type { NodeTake } from "../src/planner/index.js";
import { runScenario } from "../src/run/runScenario.js";
import { shippedPath } from "../src/io/paths.js";
import { Cluster, type Tenant } from "../src/sim/cluster.js";
import { combineObservers, type SimObserver } from "../src/sim/index.js";

const trace = process.argv[2] || shippedPath("../shared/data/traces/KTH-SP2-x8-scale.swf.gz");
const replays = Number(process.argv.slice(3).find((a) => /^\d+$/.test(a)) ?? 5);

type ClusterClass = new (p: PlatformModel, o: SimObserver, clock: { now: number }, rule: StaticRule) => Cluster;

/**
 * One call: 0 addTenants, 1 removeTenants, 2 setBusy; its time, its tenants
 * (stay ids: one per job's stay on a node) and, per tenant, its load (busy
 * cores, util, busy GPUs, busy FPGAs, reconfiguring FPGAs) for a join or setBusy.
 */
interface Call {
  kind: 0 | 1 | 2;
  now: number;
  stays: Int32Array;
  load: Float64Array;
  pstate: number | undefined;
}
const calls: Call[] = [];
/** Each stay's record as it joined (copied: the cluster reuses its records). */
const stays: Tenant[] = [];
let platform: PlatformModel | undefined;
let staticRule: StaticRule = "allocated";
const proto = Cluster.prototype;
const stayOf = new Map<Tenant, number>();
const nowOf = (c: Cluster): number => (c as unknown as { clock: { now: number } }).clock.now;
const loads = (ts: readonly Tenant[], count: number): Float64Array => {
  const l = new Float64Array(5 * count);
  for (let i = 0; i < count; i++) {
    const t = ts[i];
    l.set([t.busyCores, t.util, t.busyGpus, t.busyFpgas, t.reconfFpgas], 5 * i);
  }
  return l;
};
const { addTenants, removeTenants, setBusy } = proto;
proto.addTenants = function (this: Cluster, ts: readonly Tenant[], count: number, pstate: number | undefined) {
  platform = this.platform;
  staticRule = this.shares.staticRule;
  const ids = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    ids[i] = stays.length;
    stayOf.set(ts[i], stays.length);
    stays.push({ ...ts[i] });
  }
  calls.push({ kind: 0, now: nowOf(this), stays: ids, load: loads(ts, count), pstate });
  addTenants.call(this, ts, count, pstate);
};
proto.removeTenants = function (this: Cluster, ts: readonly Tenant[], count: number) {
  const ids = Int32Array.from(ts.slice(0, count), (t) => stayOf.get(t)!);
  for (let i = 0; i < count; i++) stayOf.delete(ts[i]);
  calls.push({ kind: 1, now: nowOf(this), stays: ids, load: new Float64Array(0), pstate: undefined });
  removeTenants.call(this, ts, count);
};
proto.setBusy = function (this: Cluster, t: Tenant, c: number, u: number, g: number, f: number, r: number) {
  calls.push({ kind: 2, now: nowOf(this), stays: Int32Array.of(stayOf.get(t)!), load: Float64Array.of(c, u, g, f, r), pstate: undefined });
  setBusy.call(this, t, c, u, g, f, r);
};
const out = await runScenario({ overrides: { workload: trace, policy: "easy", out: shippedPath("results/bench-tenants"), summaryOnly: true } });
Object.assign(proto, { addTenants, removeTenants, setBusy });
if (!platform) throw new Error("bench/tenants.ts: no job started");
const p = platform;
let tenants = 0;
let most = 0;
for (const c of calls) if (c.kind !== 2) tenants += c.stays.length;
for (const c of calls) most = Math.max(most, c.stays.length);

/**
 * Replays the calls on a fresh cluster of `C`, its tenant records made by the
 * cluster (tenant()) and reused as in a run; CPU seconds, and the shares,
 * meters and packing reported, as a check that both agree.
 */
function replay(C: ClusterClass): { cpu: number; check: string } {
  const clock = { now: 0 };
  const accountant = new Accountant(p);
  const timeline = new NodeTimeline(p);
  // The jobs' shares summed in arrival order: both clusters must report the same ones in the same order.
  const shares = { joules: 0, node: 0 };
  const observer = combineObservers(...(process.env.TENANTS_BARE ? [] : [accountant, timeline]), {
    jobShare: (_j, _s, _p, from, to, watts, held) => {
      shares.joules += watts * (to - from);
      shares.node += held.node * (to - from);
    },
  });
  const cluster = new C(p, observer, clock, staticRule);
  const live: Tenant[] = new Array(stays.length);
  const batch: Tenant[] = new Array(most);
  const cpu0 = process.cpuUsage();
  for (let k = 0; k < calls.length; k++) {
    const c = calls[k];
    clock.now = c.now;
    const ids = c.stays;
    const L = c.load;
    const n = ids.length;
    if (c.kind === 0) {
      for (let i = 0; i < n; i++) {
        const s = stays[ids[i]];
        const t = (live[ids[i]] = cluster.tenant(s.spec, s as unknown as NodeTake, s.exclusive, s.devicesPerNode));
        t.busyCores = L[5 * i];
        t.util = L[5 * i + 1];
        t.busyGpus = L[5 * i + 2];
        t.busyFpgas = L[5 * i + 3];
        t.reconfFpgas = L[5 * i + 4];
        batch[i] = t;
      }
      cluster.addTenants(batch, n, c.pstate);
    } else if (c.kind === 1) {
      for (let i = 0; i < n; i++) batch[i] = live[ids[i]];
      cluster.removeTenants(batch, n);
    } else cluster.setBusy(live[ids[0]], L[0], L[1], L[2], L[3], L[4]);
  }
  cluster.flushAll();
  observer.finished?.(clock.now);
  const cpu = process.cpuUsage(cpu0);
  return { cpu: (cpu.user + cpu.system) / 1e6, check: JSON.stringify([shares, p.sites.map((_, s) => accountant.meter(s)), timeline.packing()]) };
}

const modules: { name: string; C: ClusterClass }[] = [];
for (const path of process.argv.slice(3).filter((a) => !/^\d+$/.test(a))) modules.push({ name: path, C: ((await import(path)) as { Cluster: ClusterClass }).Cluster });
if (modules.length === 0) modules.push({ name: "src/sim/cluster.ts", C: Cluster as ClusterClass });
const best = modules.map(() => Infinity);
let check: string | undefined;
for (let r = 0; r < replays; r++) {
  modules.forEach((m, i) => {
    const a = replay(m.C);
    best[i] = Math.min(best[i], a.cpu);
    if (check !== undefined && a.check !== check) throw new Error(`bench/tenants.ts: ${m.name} disagrees (shares, meters or packing)`);
    check = a.check;
  });
}
const ns = (s: number) => ((1e9 * s) / tenants).toFixed(0);
console.log(`${out.summary.jobs} jobs: ${calls.length.toLocaleString("en")} calls, ${tenants.toLocaleString("en")} tenants joining or leaving, least of ${replays} alternated replays:`);
modules.forEach((m, i) => console.log(`  ${m.name}: ${best[i].toFixed(3)} s CPU, ${ns(best[i])} ns per tenant joining or leaving (${process.env.TENANTS_BARE ? "no accountant or node timeline" : "accountant and node timeline included"})${i > 0 ? `; ${(best[i] / best[0]).toFixed(3)}x the first` : ""}`));
console.log(`(${cpus()[0]?.model ?? "?"}, Node ${process.version})`);
