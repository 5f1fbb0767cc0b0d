/**
 * HEFT throughput: heftSchedule on a random layered DAG of 10,000 tasks (fan-in
 * and fan-out ~3, ~30,000 edges) over 3 sites x 16 resources, with data transfer
 * between sites, insertion on and off, plain and weighted. Prints ms and tasks/s
 * (best of the runs, and the first, cold run). Usage: npx tsx bench/heft.ts [tasks] [runs]
 */
import { cpus } from "node:os";
import { rngSeeded } from "../src/core/rng.js";
import { heftSchedule, heftUpwardRank, type HeftCosts, type HeftDag, type HeftOptions } from "../src/planner/heft.js";

const N = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 7);
const SITES = 3;
const PER_SITE = 16;
const M = SITES * PER_SITE;

const rng = rngSeeded("bench/heft");
const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));

// Layers of ~50 tasks; each task after the first layer takes ~3 parents from the previous two layers.
const LAYER = 50;
const parents: number[][] = [];
const children: number[][] = Array.from({ length: N }, () => []);
for (let i = 0; i < N; i++) {
  const layer = Math.floor(i / LAYER);
  const ps = new Set<number>();
  if (layer > 0) {
    const lo = Math.max(0, (layer - 2) * LAYER);
    const hi = layer * LAYER - 1;
    const k = int(1, 5);
    for (let q = 0; q < k; q++) ps.add(int(lo, hi));
  }
  parents.push([...ps].sort((a, b) => a - b));
  for (const p of ps) children[p].push(i);
}
const dag: HeftDag = { n: N, parents, children };
const edges = parents.reduce((s, ps) => s + ps.length, 0);

// Work per task (core-seconds at speed 1), output data per task (GB); resources differ in speed
// by site; about 10% of tasks run on site 0 only (e.g. need its GPUs or licence).
const work = Float64Array.from({ length: N }, () => 10 + rng.next() * 290);
const outGb = Float64Array.from({ length: N }, () => rng.next() * 20);
const siteOnly = Uint8Array.from({ length: N }, () => (rng.next() < 0.1 ? 1 : 0));
const speed = Float64Array.from({ length: M }, (_, r) => [1, 1.5, 0.8][Math.floor(r / PER_SITE)] * (0.9 + 0.2 * rng.next()));
const site = (r: number) => Math.floor(r / PER_SITE);
const LAN_GBPS = 10 / 8; // GB/s
const WAN_GBPS = 1 / 8;
const WAN_LATENCY = 0.05;
// Mean over ordered resource pairs: same resource 0, same site (LAN), other site (WAN).
const sameSitePairs = SITES * PER_SITE * (PER_SITE - 1);
const otherSitePairs = M * M - SITES * PER_SITE * PER_SITE;

const costs: HeftCosts = {
  m: M,
  exec: (i, r) => (siteOnly[i] && site(r) !== 0 ? Infinity : work[i] / speed[r]),
  comm: (p, _c, a, b) => (a === b ? 0 : site(a) === site(b) ? outGb[p] / LAN_GBPS : WAN_LATENCY + outGb[p] / WAN_GBPS),
  meanComm: (p) => (sameSitePairs * (outGb[p] / LAN_GBPS) + otherSitePairs * (WAN_LATENCY + outGb[p] / WAN_GBPS)) / (M * M),
  ready: (r) => (r % 4) * 30,
  // e.g. carbon: site 1 is dirtiest, site 2 cleanest; kg per core-second times duration.
  cost: (_i, r, start, finish) => (finish - start) * [0.3, 0.5, 0.05][site(r)],
};

function time(label: string, f: () => { makespan: number } | Float64Array): void {
  let best = Infinity;
  let first = 0;
  let out: { makespan: number } | Float64Array = new Float64Array();
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    out = f();
    const ms = performance.now() - t0;
    if (k === 0) first = ms;
    best = Math.min(best, ms);
  }
  const extra = "makespan" in out ? `, makespan ${out.makespan.toFixed(0)} s` : "";
  console.log(`  ${label.padEnd(44)} ${best.toFixed(1).padStart(7)} ms  ${Math.round(N / (best / 1000)).toLocaleString("en").padStart(10)} tasks/s (first run ${first.toFixed(1)} ms)${extra}`);
}

console.log(`HEFT: ${N} tasks, ${edges} edges, ${SITES} sites x ${PER_SITE} = ${M} resources; best of ${RUNS} runs`);
time("heftUpwardRank", () => heftUpwardRank(dag, costs));
const run = (o: HeftOptions) => () => heftSchedule(dag, costs, o);
time("heftSchedule insertion (default)", run({}));
time("heftSchedule insertion: false", run({ insertion: false }));
time("heftSchedule insertion, costWeight 1", run({ costWeight: 1 }));
time("heftSchedule insertion: false, costWeight 1", run({ insertion: false, costWeight: 1 }));
console.log(`(${cpus()[0]?.model ?? "unknown cpu"}, Node ${process.version})`);
