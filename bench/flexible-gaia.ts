/**
 * GAIA's policies (Hanafy et al., "Going Green for Less Green", ASPLOS '24;
 * github.com/umassos/GAIA) as rules of the flexible policy, on GAIA's Alibaba
 * PAI excerpt (../shared/data/traces/gaia-pai_1k.csv: arrival, length, cpus;
 * 1,000 jobs) with GAIA's "6x24" classes: jobs shorter than 2 h may wait 6 h,
 * the others 24 h (src/task.py TwoQueues), every job interruptible, with ample
 * one-core nodes (a job draws 1 W per CPU, as GAIA's carbon model counts it).
 *
 * Grid: GAIA's own carbon trace (src/traces/AU-SA.csv) is not in the stored
 * snapshot of its repository, so the 2020 German series of Let's Wait Awhile
 * (30-min values, bench/flexible-lib.ts) stands in: figures are comparable
 * between rules here, not with the paper's AU-SA numbers.
 *
 * Length knowledge, the three settings of issue 17:
 * - perfect: the walltime is the run time (the published policies' oracle);
 * - walltime: the job asks a walltime of its run time rounded up to a whole
 *   power of two hours (an assumption: a common shape of requests, not from
 *   the trace) and the policy plans on it;
 * - predicted: the same requests, the policy plans on the run time predicted
 *   from finished jobs (planner/calibrate.ts), keeping the rest of the
 *   walltime free at the window's end so the deadline holds on the walltime.
 * The saving lost to uncertainty is perfect's saving less predicted's.
 *
 * With the argument "steps", each rule is run instead as GAIA's code runs it,
 * to compare with its replay (bench/flexible-gaia-ref.py): GAIA's 5-s steps
 * (arrivals and lengths truncated to them, slots of 5 s), the hourly values of
 * the same series held for the hour, perfect lengths.
 *
 * Usage: npx tsx bench/flexible-gaia.ts [step_s, default 300 | steps]
 */
import { policyEasyBackfill, policyFlexible, type FlexibleParams } from "../src/planner/index.js";
import type { Policy } from "../src/planner/view.js";
import type { JobSpec } from "../src/io/spec.js";
import { PiecesLog } from "../src/run/pieces.js";
import { ccSeries, gaiaTrace, lwaSeries, onePlatform, oneCoreJob, runFlexible } from "./flexible-lib.js";

const STEPS = process.argv[2] === "steps";
const STEP = STEPS ? 5 : Number(process.argv[2] ?? 300);
const { starts, g } = lwaSeries("de");
const hours = starts.flatMap((t, k) => (t % 3600 === 0 ? [k] : []));
const platform = STEPS
  ? onePlatform(ccSeries(hours.map((k) => starts[k]), hours.map((k) => g[k]), starts[hours[hours.length - 1]] + 3600), 4000)
  : onePlatform(ccSeries(starts, g, starts[starts.length - 1] + 1800), 4000);
// GAIA's steps: arrival and length in whole 5-s steps (src/task.py, TIME_FACTOR 5).
const trace = STEPS ? gaiaTrace().map((t) => ({ ...t, arrival: 5 * Math.floor(t.arrival / 5), length: 5 * Math.floor(t.length / 5) })) : gaiaTrace();
/** bench/flexible-gaia-ref.py's replay of GAIA's code on the same jobs and series, % saved. */
const REPLAY: Record<string, number> = { "wait-awhile": 13.96, ecovisor: 8.26, "lowest-window": 12.34, "carbon-time": 11.64, "lowest-slot": 7.4 };

/** Run time rounded up to a power of two hours (at least 1 h). */
const request = (runtime: number) => 3600 * 2 ** Math.max(0, Math.ceil(Math.log2(runtime / 3600) - 1e-12));

function jobs(knowledge: "perfect" | "walltime" | "predicted"): JobSpec[] {
  return trace.map((t, i) => {
    const short = t.length < 7200;
    return oneCoreJob(i + 1, t.arrival, t.length, {
      cores: t.cpus,
      walltime: knowledge === "perfect" ? t.length : request(t.length),
      qos: { name: short ? "short" : "long", max_delay_s: short ? 6 * 3600 : 24 * 3600, impact_preference: 1, preemptible: true },
    });
  });
}

const base = await runFlexible(platform, policyEasyBackfill(), jobs("perfect"));
console.log(`GAIA pai_1k, DE 2020 series, step ${STEP} s; carbon agnostic (EASY): ${base.ccG.toFixed(1)} g; machine busy, times are wall seconds`);
const rules: [string, FlexibleParams][] = [
  ["lowest-slot", { rule: "lowest-slot" }],
  ["lowest-window", { rule: "lowest-window", start_step_s: 3600 }],
  ["carbon-time", { rule: "carbon-time", start_step_s: 3600 }],
  ["ecovisor", { rule: "ecovisor" }],
  ["wait-awhile", { rule: "wait-awhile" }],
];
const saved: Record<string, Record<string, number>> = {};
for (const [name, params] of rules) {
  for (const knowledge of STEPS ? (["perfect"] as const) : (["perfect", "walltime", "predicted"] as const)) {
    const specs = jobs(knowledge);
    const log = new PiecesLog();
    const policy = policyFlexible({ ...params, step_s: STEP, length: knowledge === "predicted" ? "predicted" : "walltime" }) as Policy<unknown>;
    const o = await runFlexible(platform, policy, specs, log);
    let delay = 0;
    for (const [id, runs] of o.runs) delay += runs[runs.length - 1].end - specs[id - 1].submit - specs[id - 1].runtime;
    const pct = 100 * (1 - o.ccG / base.ccG);
    (saved[name] ??= {})[knowledge] = pct;
    const late = log.totals.past_window;
    console.log(
      `${name.padEnd(13)} ${knowledge.padEnd(9)}: ${pct.toFixed(2)} % saved${STEPS ? ` (GAIA's code replayed: ${REPLAY[name].toFixed(2)} %)` : ""}, mean completion delay ${(delay / specs.length / 3600).toFixed(2)} h, ` +
        `interrupted jobs ${log.totals.interrupted}, suspensions ${o.result.suspensions}, past window ${late.killed + late.policy + late.capacity}, killed ${o.result.jobsKilled}; ${o.seconds.toFixed(1)} s`,
    );
  }
}
if (!STEPS) console.log("Saving lost to uncertainty (perfect - predicted), and planning on the walltime alone (perfect - walltime), percentage points:");
for (const [name] of STEPS ? [] : rules) {
  const s = saved[name];
  console.log(`${name.padEnd(13)} ${(s.perfect - s.predicted).toFixed(2)}  ${(s.perfect - s.walltime).toFixed(2)}`);
}
