/**
 * Temporal shifting on real grid data: the default scenario's trace (HPC2N,
 * first 3,170 jobs, replayed from 2020-01-01) on platforms/two-site-eu.json
 * (French and German 2020 carbon-intensity series), and on each of its sites
 * alone. Every job gets the QoS { max_delay 8 h or 24 h, impact_preference 1 };
 * EASY on the same jobs is the baseline. Prints the climate-change use-phase
 * impact of the jobs and of the whole sites (idle draw included), what
 * temporal shifting saves, and the mean wait it adds, for comparison with
 * Wiesner et al., "Let's Wait Awhile", Middleware '21 (doi:10.1145/3464298.3493399).
 * Forecasts are perfect unless a forecast sigma is given.
 *
 * Usage: npx tsx bench/temporal.ts [forecast sigma, default 0]
 */
import { Accountant } from "../src/accounting/accountant.js";
import { MetricsCollector } from "../src/accounting/metrics.js";
import { N_COORDS, PHASE_INDEX, categoryIndex } from "../src/core/categories.js";
import { AdjustmentLog } from "../src/core/errors.js";
import { deriveSeed, rngSeeded } from "../src/core/rng.js";
import { readElectricityFactors } from "../src/io/electricityFactors.js";
import { loadPlatform } from "../src/io/platform.js";
import { loadScenario, resolveFrom } from "../src/io/scenario.js";
import type { JobSpec, PlatformSpec, QosSpec } from "../src/io/spec.js";
import { openSwf } from "../src/io/swf.js";
import { buildPlatform } from "../src/models/buildPlatform.js";
import { forecastFromActual } from "../src/models/forecast.js";
import { policyEasyBackfill } from "../src/planner/policies/easy.js";
import { policyTemporalShift } from "../src/planner/policies/temporal.js";
import type { Policy } from "../src/planner/view.js";
import { DEFAULT_SCENARIO, ELECTRICITY_FACTORS } from "../src/run/runScenario.js";
import { simulate } from "../src/sim/simulation.js";
import { combineObservers } from "../src/sim/observer.js";

const CC = categoryIndex("CC");
const USE_CC = PHASE_INDEX.use * N_COORDS + CC;
const SIGMA = Number(process.argv[2] ?? 0);

interface Outcome {
  jobsCcKg: number;
  sitesCcKg: number;
  meanWaitS: number;
  jobs: number;
  /** Defer decisions (a re-plan that moves a start counts again), and jobs deferred at least once. */
  deferred: number;
  deferredJobs: number;
  latestMissed: number;
  seconds: number;
}

async function run(platformSpec: PlatformSpec, platformFile: string, policy: Policy<unknown>, qos: QosSpec): Promise<Outcome> {
  const t0 = performance.now();
  const scenario = await loadScenario(DEFAULT_SCENARIO);
  const workload = resolveFrom(DEFAULT_SCENARIO, scenario.workload.file);
  const swf = await openSwf(workload, { mode: "lenient", log: new AdjustmentLog(), label: scenario.workload.file });
  const zones = await readElectricityFactors(ELECTRICITY_FACTORS);
  const built = await buildPlatform(platformSpec, {
    file: platformFile,
    zones,
    t0Epoch: Date.parse(scenario.workload.start) / 1000,
    extension: scenario.series_extension ?? "error",
    log: new AdjustmentLog(),
  });
  const platform = built.model;
  let jobsCc = 0;
  let latestMissed = 0;
  const accountant = new Accountant(platform, (c) => {
    jobsCc += c.impacts[USE_CC];
    if (c.fact.start > c.fact.job.submit + qos.max_delay_s) latestMissed++;
  });
  const metrics = MetricsCollector.forPlatform(platform);
  const deferredJobs = new Set<number>();
  let deferred = 0;
  const forecasts = platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: SIGMA }, rngSeeded(deriveSeed(scenario.seed, `forecast/${s.id}`))));
  async function* withQos(): AsyncIterable<JobSpec[]> {
    for await (const batch of swf.batches(4096)) yield batch.map((j) => ({ ...j, qos }));
  }
  await simulate({
    platform,
    policy,
    jobs: withQos(),
    forecasts,
    observer: combineObservers(accountant, metrics, { decided: (_t, d) => void (d.kind === "defer" && (deferred++, deferredJobs.add(d.jobId))) }),
    mode: "lenient",
  });
  let sitesCc = 0;
  platform.sites.forEach((_, s) => (sitesCc += accountant.meter(s).use[CC]));
  const m = metrics.result();
  return { jobsCcKg: jobsCc, sitesCcKg: sitesCc, meanWaitS: m.mean_wait_s, jobs: m.jobs, deferred, deferredJobs: deferredJobs.size, latestMissed, seconds: (performance.now() - t0) / 1000 };
}

const pct = (base: number, x: number) => `${(((base - x) / base) * 100).toFixed(1)} %`;
const platformFile = resolveFrom(DEFAULT_SCENARIO, (await loadScenario(DEFAULT_SCENARIO)).platform);
const full = await loadPlatform(platformFile);
const platforms: [string, PlatformSpec][] = [
  ["two-site-eu (fr + de)", full],
  ["de only (16 x R620)", { ...full, sites: full.sites.filter((s) => s.id === "de") }],
  ["fr only (4 x R640)", { ...full, sites: full.sites.filter((s) => s.id === "fr") }],
  // Ample capacity (10x the nodes): no queueing, as in Wiesner et al.'s cloud setting.
  ["de only, 10x nodes", ample(full, "de")],
  ["fr only, 10x nodes", ample(full, "fr")],
];

function ample(spec: PlatformSpec, site: string): PlatformSpec {
  return { ...spec, sites: spec.sites.filter((s) => s.id === site).map((s) => ({ ...s, nodes: s.nodes.map((n) => ({ ...n, count: n.count * 10 })) })) };
}
console.log(`Temporal shifting, HPC2N first 3,170 jobs from 2020-01-01, every job impact_preference 1; forecast sigma ${SIGMA}`);
console.log("platform                 | QoS delay | policy   | jobs | jobs CC use kg | saved   | sites CC use kg | saved   | mean wait h | added h | jobs (decisions) deferred | past latest | run s");
for (const [name, spec] of platforms) {
  for (const hours of [8, 24]) {
    const qos: QosSpec = { name: `flex-${hours}h`, max_delay_s: hours * 3600, impact_preference: 1 };
    const base = await run(spec, platformFile, policyEasyBackfill(), qos);
    const shifted = await run(spec, platformFile, policyTemporalShift(), qos);
    for (const [label, o] of [["easy", base], ["temporal", shifted]] as const) {
      const row = [
        name.padEnd(24),
        `${hours} h`.padStart(9),
        label.padEnd(8),
        String(o.jobs).padStart(4),
        o.jobsCcKg.toFixed(1).padStart(14),
        (label === "easy" ? "" : pct(base.jobsCcKg, o.jobsCcKg)).padStart(7),
        o.sitesCcKg.toFixed(1).padStart(15),
        (label === "easy" ? "" : pct(base.sitesCcKg, o.sitesCcKg)).padStart(7),
        (o.meanWaitS / 3600).toFixed(2).padStart(11),
        (label === "easy" ? "" : ((o.meanWaitS - base.meanWaitS) / 3600).toFixed(2)).padStart(7),
        `${o.deferredJobs} (${o.deferred})`.padStart(17),
        String(o.latestMissed).padStart(11),
        o.seconds.toFixed(1).padStart(5),
      ];
      console.log(row.join(" | "));
    }
  }
}
