/**
 * A policy written from scratch (docs/writing-a-policy.md): first come, first
 * served, each job on the site whose forecast intensity is lowest over the time
 * it asked for, and a running count of the core-seconds started per project, to
 * show where a policy keeps what it remembers. Jobs share nodes, so the policy
 * counts free cores (a job that asks for whole nodes, `exclusive`, needs idle
 * nodes instead). Run it:
 *
 *   npx tsx docs/examples/greenest-first.ts
 *
 * It prints the figures of the bundled default scenario under this policy and
 * under plain FCFS (the same queue order, the first site that fits) and EASY, then replays a few jobs in the live world over the in-memory
 * scheduler and prints the decisions, which are the simulator's too.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  categoryIndex,
  decisionPass,
  FakeScheduler,
  forecastFromActual,
  LiveWorld,
  N_COORDS,
  N_PHASES,
  holdsWholeNodes,
  nodesNeeded,
  powerCurveLinear,
  rngSeeded,
  runScenario,
  simulate,
  TimeSeries,
  type Decision,
  type JobSpec,
  type PlatformModel,
  type Policy,
  type RunSummary,
} from "impactsim";

/** What the policy remembers between calls: plain JSON, stored by the world. */
interface State {
  started: Record<string, number>;
}

export function greenestFirst(): Policy<State> {
  return {
    name: "greenest-first",
    version: "1",
    params: {},
    initialState: () => ({ started: {} }),
    decide(view, _events, state) {
      // What this pass's starts leave: free cores, and idle nodes for jobs that hold them whole.
      const cores = view.pools.map((p) => p.freeCores);
      const idle = view.pools.map((p) => p.freeNodes);
      const out: Decision[] = [];
      for (const job of view.queue) {
        let best = -1;
        let cleanest = Infinity;
        for (const pool of view.pools) {
          const whole = holdsWholeNodes(job, pool);
          if (whole ? nodesNeeded(job, pool) > idle[pool.index] : job.cores > cores[pool.index]) continue;
          const intensity = view.forecast(pool.site).mean(view.now, view.now + job.timeLeft);
          if (intensity < cleanest) [best, cleanest] = [pool.index, intensity];
        }
        if (best < 0) break; // first come, first served: the head waits, and everyone behind it
        const pool = view.pools[best];
        if (holdsWholeNodes(job, pool)) {
          idle[best] -= nodesNeeded(job, pool);
          cores[best] -= nodesNeeded(job, pool) * pool.coresPerNode;
        } else {
          cores[best] -= job.cores;
          // Its cores go to nodes in use first; what they cannot hold takes idle nodes.
          const partial = cores[best] + job.cores - idle[best] * pool.coresPerNode;
          idle[best] -= Math.max(0, Math.ceil((job.cores - partial) / pool.coresPerNode));
        }
        state.started[job.project] = (state.started[job.project] ?? 0) + job.cores * job.timeLeft;
        out.push({ kind: "start", jobId: job.id, pool: best });
      }
      return out;
    },
  };
}

const line = (label: string, s: RunSummary) =>
  `${label.padEnd(15)} jobs ${s.jobs}  mean wait ${(s.mean_wait_s / 3600).toFixed(2)} h  facility ${(s.energy_j.facility / 3.6e9).toFixed(1)} MWh  CO2e ${s.impacts.CC.total.toFixed(0)} kg`;

// 1. The bundled default scenario (HPC2N trace, French and German sites), with full accounting.
const dir = mkdtempSync(join(tmpdir(), "impactsim-example-"));
const green = await runScenario({ policy: greenestFirst(), overrides: { out: join(dir, "green"), summaryOnly: true } });
const fcfs = await runScenario({ overrides: { policy: "fcfs", out: join(dir, "fcfs"), summaryOnly: true } });
const easy = await runScenario({ overrides: { policy: "easy", out: join(dir, "easy"), summaryOnly: true } });
console.log(line("greenest-first", green.summary));
console.log(line("fcfs", fcfs.summary));
console.log(line("easy", easy.summary));

// 2. The same policy in both worlds, on a toy platform: site "a" drops from 0.4 to 0.05 kg/kWh at 1000 s,
// site "b" stays at 0.2; one node each. Both worlds show it the same views and apply the same decisions.
/** A carbon intensity (kg CO2e/kWh) stepping at `starts` (s), as a per-joule series over every coordinate (energy is 1 per joule). */
function intensity(starts: number[], kgPerKwh: number[]): TimeSeries {
  const values = new Float64Array(starts.length * N_COORDS);
  kgPerKwh.forEach((kg, k) => {
    values[k * N_COORDS + categoryIndex("CC")] = kg / 3.6e6;
    values[k * N_COORDS + categoryIndex("ENERGY")] = 1;
  });
  return new TimeSeries(starts, values, N_COORDS, 1e6, "hold");
}
const platform: PlatformModel = {
  name: "toy",
  sites: [
    { id: "a", pue: 1.2, intensity: { series: intensity([0, 1000], [0.4, 0.05]), basis: new Uint8Array(N_COORDS), source: "toy" } },
    { id: "b", pue: 1.2, intensity: { series: intensity([0], [0.2]), basis: new Uint8Array(N_COORDS), source: "toy" } },
  ],
  pools: [0, 1].map((site) => ({
    site,
    nodeType: "n",
    coresPerNode: 1,
    count: 1,
    curve: powerCurveLinear({ idle: 100, max: 200 }),
    speed: 1,
    idleWatts: 100,
    embodiedPerNodeSecond: new Float64Array(N_PHASES * N_COORDS),
    embodiedBasis: new Uint8Array(N_PHASES * N_COORDS),
  })),
};
const jobs: JobSpec[] = [0, 500, 900, 1200].map((submit, i) => ({ id: i + 1, submit, runtime: 400, walltime: 600, cores: 1, user: 1, group: 1, project: `p${i % 2}`, queue: -1, partition: -1, avgCpuTime: -1 }));
const forecasts = () => platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1)));

const logged = (into: string[]): Policy<State> => {
  const inner = greenestFirst();
  return { ...inner, decide: (view, events, state) => {
    const d = inner.decide(view, events, state);
    for (const x of d) if (x.kind === "start") into.push(`t=${view.now} job ${x.jobId} -> site ${view.pools[x.pool].site}`);
    return d;
  } };
};
const simulated: string[] = [];
await simulate({ platform, policy: logged(simulated) as Policy<unknown>, jobs: [jobs], forecasts: forecasts() });
const live: string[] = [];
const scheduler = new FakeScheduler(platform, jobs);
const policy = logged(live) as Policy<unknown>;
const world = new LiveWorld(scheduler, { platform, forecasts: forecasts(), policy });
while (scheduler.advance()) decisionPass(world, policy);
console.log(simulated.join("\n"));
console.log(simulated.join("\n") === live.join("\n") ? "the live world decided the same" : `the live world decided otherwise:\n${live.join("\n")}`);
console.log(`core-seconds started per project (the policy's state in the live world): ${JSON.stringify(world.policyState)}`);
