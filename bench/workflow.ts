/**
 * A 10,000-task workflow scheduled with HEFT on three sites, through the whole
 * simulator (planning, dispatch, input staging over links, accounting).
 * Synthetic layered DAG (fan-in ~3); 3 sites x 16 nodes; 1.25 GB/s links.
 * Exported for bench/run.ts; run alone with `npx tsx bench/workflow.ts`.
 */
import { Accountant } from "../src/accounting/accountant.js";
import { N_COORDS, N_PHASES, categoryIndex } from "../src/core/categories.js";
import { rngSeeded } from "../src/core/rng.js";
import { TimeSeries } from "../src/core/timeseries.js";
import type { WorkflowSpec, WorkflowTask } from "../src/io/wfformat.js";
import { forecastFromActual } from "../src/models/forecast.js";
import type { PlatformModel } from "../src/models/platform.js";
import { powerCurveLinear } from "../src/models/power.js";
import { policyHeft } from "../src/planner/index.js";
import { simulate } from "../src/sim/simulation.js";

export function syntheticWorkflow(n: number, seed = "bench/workflow"): WorkflowSpec {
  const rng = rngSeeded(seed);
  const layer = 50;
  const tasks: WorkflowTask[] = [];
  const children: number[][] = Array.from({ length: n }, () => []);
  const files = Array.from({ length: n + 1 }, (_, i) => ({ id: `f${i}`, bytes: Math.floor(rng.next() * 2e8) }));
  const parentsOf: number[][] = [];
  for (let i = 0; i < n; i++) {
    const l = Math.floor(i / layer);
    const ps = new Set<number>();
    if (l > 0) for (let k = 0; k < 1 + Math.floor(rng.next() * 5); k++) ps.add(Math.max(0, (l - 2) * layer) + Math.floor(rng.next() * (Math.min(l, 2) * layer)));
    parentsOf.push([...ps].sort((a, b) => a - b));
    for (const p of ps) children[p].push(i);
  }
  for (let i = 0; i < n; i++) {
    const ps = parentsOf[i];
    tasks.push({
      index: i,
      id: `t${i}`,
      name: `t${i}`,
      parents: ps,
      children: children[i],
      inputs: ps.length === 0 ? [n] : ps.map((p) => p),
      outputs: [i],
      runtime: 10 + rng.next() * 290,
      cores: 1,
    });
  }
  return { name: "synthetic", file: "synthetic", schemaVersion: "1.5", tasks, files, machines: [], initialFiles: [n] };
}

export function threeSitePlatform(): PlatformModel {
  const CC = categoryIndex("CC");
  const ENERGY = categoryIndex("ENERGY");
  const site = (id: string, kgPerKwh: number) => {
    const v = new Float64Array(N_COORDS);
    v[CC] = kgPerKwh / 3.6e6;
    v[ENERGY] = 1;
    return { id, pue: 1.2, intensity: { series: TimeSeries.constant(v), basis: new Uint8Array(N_COORDS), source: "bench" } };
  };
  const pool = (s: number, speed: number) => ({
    site: s,
    nodeType: `n${s}`,
    coresPerNode: 8,
    count: 16,
    curve: powerCurveLinear({ idle: 100, max: 300 }),
    speed,
    idleWatts: 100,
    embodiedPerNodeSecond: new Float64Array(N_PHASES * N_COORDS),
    embodiedBasis: new Uint8Array(N_PHASES * N_COORDS),
  });
  const links = [];
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) if (a !== b) links.push({ from: a, to: b, bandwidth: 1.25e9, latency: 0.01, joulesPerByte: { source: 1e-8, destination: 1e-8, network: 5e-8 } });
  return { name: "bench-3-site", sites: [site("a", 0.05), site("b", 0.3), site("c", 0.7)], pools: [pool(0, 1), pool(1, 1.5), pool(2, 0.8)], links };
}

export async function benchWorkflow(n = 10_000, impactWeight = 0): Promise<{ seconds: number; makespan: number; transfers: number }> {
  const platform = threeSitePlatform();
  const spec = syntheticWorkflow(n);
  const t0 = performance.now();
  let end = 0;
  const result = await simulate({
    platform,
    policy: policyHeft({ impact_weight: impactWeight }),
    jobs: [],
    forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: Object.assign(new Accountant(platform), { workflowEnded: (f: { end: number }) => (end = f.end) }),
    workflows: [{ spec, submit: 0, site: 0, project: "bench", firstJobId: 1_000_000_000 }],
  });
  return { seconds: (performance.now() - t0) / 1000, makespan: end, transfers: result.transfers };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const w of [0, 1]) {
    const r = await benchWorkflow(10_000, w);
    console.log(`10,000-task workflow, HEFT (impact_weight ${w}), 3 sites x 16 nodes, whole simulation: ${r.seconds.toFixed(3)} s, makespan ${r.makespan.toFixed(0)} s, ${r.transfers} transfers`);
  }
}
