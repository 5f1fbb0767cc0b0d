/**
 * The accounting of a run alone: the calls the simulator made to the
 * accountant in a KTH x8 summary-only run (job shares, job ends, site meter
 * intervals, idle pools) recorded once to a file, then replayed against a
 * fresh Accountant and MetricsCollector joined by combineObservers, as
 * runScenario joins them, with no simulator, planner or writer. Each replay
 * runs twice per round: as a summary-only run (no onJob) and as a run writing
 * jobs.csv (an onJob that reads each job's charge as writeJobRow does, phase
 * totals and single score, and writes nothing). A replay can load another
 * tree's accounting (an older src/ exported with `git archive`, beside a
 * node_modules link), so two versions compare process against process on a
 * busy machine: run them alternately and take the least CPU of each.
 * Usage:
 *   npx tsx bench/accounting.ts record FILE
 *   npx tsx bench/accounting.ts replay FILE [rounds=5] [src-dir=this tree]
 * Figures, never pass/fail.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as here from "../src/accounting/index.js";
import { N_COORDS, N_PHASES, singleScore } from "../src/core/index.js";
import type { JobSpec } from "../src/io/index.js";
import { DEFAULT_SCORE_METHOD_PATH, readScoreMethod } from "../src/io/index.js";
import { shippedPath } from "../src/io/paths.js";
import type { PlatformModel } from "../src/models/index.js";
import { runScenario } from "../src/run/runScenario.js";
import type { JobFact, PartShares, SimObserver, combineObservers } from "../src/sim/index.js";

const [mode, file, roundsArg, srcDir] = process.argv.slice(2);
const trace = process.env.ACC_TRACE ?? shippedPath("../shared/data/traces/KTH-SP2-x8-scale.swf.gz");
const SHARE = 0;
const END = 1;
const SITE = 2;
const IDLE = 3;
const FINISHED = 4;
const proto = here.Accountant.prototype;
const saved = { jobShare: proto.jobShare, jobEnded: proto.jobEnded, siteInterval: proto.siteInterval, poolIdle: proto.poolIdle, finished: proto.finished };
const run = () => runScenario({ overrides: { workload: trace, policy: "easy", out: shippedPath("results/bench-accounting"), summaryOnly: true } });

/** A fact's numeric and boolean fields, stored as columns. */
const FACT_NUMBERS = ["pool", "site", "nodeCount", "nodeShare", "allocCores", "allocGpus", "allocFpgas", "allocMemMb", "exclusive", "utilisation", "start", "inputsAt", "setupEnd", "end", "killed", "final", "firstStart", "runSeconds", "restartSeconds"] as const;
const BOOLEAN = new Set<string>(["exclusive", "killed", "final"]);
/** What the replay rebuilds a job from: the fields accounting and metrics read. */
type JobRecord = Pick<JobSpec, "id" | "submit" | "cores" | "project" | "workflow"> & { qos?: string };
/** A job end: its fact's own fields, and its job by index. */
type FactRecord = Omit<JobFact, "job" | "allocation"> & { job: number };

if (mode === "record") {
  const kind: number[] = [];
  const num: number[] = [];
  const ref: number[] = [];
  const jobIndex = new Map<JobSpec, number>();
  const jobs: JobRecord[] = [];
  const facts: FactRecord[] = [];
  const indexOf = (j: JobSpec) => {
    let i = jobIndex.get(j);
    if (i === undefined) {
      jobIndex.set(j, (i = jobs.length));
      jobs.push({ id: j.id, submit: j.submit, cores: j.cores, project: j.project, workflow: j.workflow, qos: j.qos?.name });
    }
    return i;
  };
  proto.jobShare = function (this: here.Accountant, job: JobSpec, site: number, pool: number, from: number, to: number, watts: number, held: Readonly<PartShares>) {
    kind.push(SHARE);
    num.push(site, pool, from, to, watts, held.node, held.gpu, held.fpga);
    ref.push(indexOf(job));
    return saved.jobShare.call(this, job, site, pool, from, to, watts, held);
  };
  proto.jobEnded = function (this: here.Accountant, f: JobFact) {
    kind.push(END);
    const { job, allocation: _, ...rest } = f;
    ref.push(facts.length);
    facts.push({ ...rest, job: indexOf(job) });
    return saved.jobEnded.call(this, f);
  };
  proto.siteInterval = function (this: here.Accountant, s: number, from: number, to: number, it: number, ovh: number) {
    kind.push(SITE);
    num.push(s, from, to, it, ovh);
    return saved.siteInterval.call(this, s, from, to, it, ovh);
  };
  proto.poolIdle = function (this: here.Accountant, p: number, from: number, to: number, idle: Readonly<PartShares>) {
    kind.push(IDLE);
    num.push(p, from, to, idle.node, idle.gpu, idle.fpga);
    return saved.poolIdle.call(this, p, from, to, idle);
  };
  proto.finished = function (this: here.Accountant, end: number) {
    kind.push(FINISHED);
    num.push(end);
    return saved.finished.call(this, end);
  };
  const out = await run();
  const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
  // Facts as one column per field (a JSON object per fact made the file 290 MB).
  const columns: Record<string, string> = {};
  for (const k of FACT_NUMBERS) columns[k] = b64(Float64Array.from(facts, (f) => Number(f[k] ?? NaN)));
  const jobColumns = { id: b64(Float64Array.from(jobs, (j) => j.id)), submit: b64(Float64Array.from(jobs, (j) => j.submit)), cores: b64(Float64Array.from(jobs, (j) => j.cores)) };
  const strings = { device: facts.map((f) => f.device), project: jobs.map((j) => j.project), workflow: jobs.map((j) => j.workflow ?? null), qos: jobs.map((j) => j.qos ?? null) };
  writeFileSync(file, JSON.stringify({ kind: b64(Uint8Array.from(kind)), num: b64(Float64Array.from(num)), ref: b64(Int32Array.from(ref)), facts: columns, factJob: b64(Int32Array.from(facts, (f) => f.job)), jobs: jobColumns, strings }));
  const counts = [0, 0, 0, 0, 0];
  for (const k of kind) counts[k]++;
  console.log(`${file}: ${kind.length} calls of a ${out.summary.jobs}-job run: ${counts[SHARE]} job shares, ${counts[END]} job ends, ${counts[SITE]} site intervals, ${counts[IDLE]} idle pools`);
} else if (mode === "replay") {
  // The platform of the recorded run: the run is stopped at its first charge.
  let platform: PlatformModel | undefined;
  const stop = new Error("stop");
  proto.jobShare = function (this: here.Accountant) {
    platform = (this as unknown as { platform: PlatformModel }).platform;
    throw stop;
  };
  await run().catch((e) => {
    if (e !== stop && (e as Error).cause !== stop) throw e;
  });
  Object.assign(proto, saved);
  const method = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH);
  const rec = JSON.parse(readFileSync(file, "utf8")) as {
    kind: string;
    num: string;
    ref: string;
    facts: Record<string, string>;
    factJob: string;
    jobs: { id: string; submit: string; cores: string };
    strings: { device: string[]; project: string[]; workflow: (number | null)[]; qos: (string | null)[] };
  };
  const bytes = (s: string) => {
    const b = Buffer.from(s, "base64");
    const copy = new ArrayBuffer(b.length);
    new Uint8Array(copy).set(b);
    return copy;
  };
  const K = new Uint8Array(bytes(rec.kind));
  const NUM = new Float64Array(bytes(rec.num));
  const REF = new Int32Array(bytes(rec.ref));
  const col = (s: string) => new Float64Array(bytes(s));
  const [ids, submits, cores] = [col(rec.jobs.id), col(rec.jobs.submit), col(rec.jobs.cores)];
  const st = rec.strings;
  const jobs = st.project.map((project, i) => ({ id: ids[i], submit: submits[i], cores: cores[i], project, workflow: st.workflow[i] ?? undefined, qos: st.qos[i] === null ? undefined : { name: st.qos[i] } }) as unknown as JobSpec);
  const factCols = FACT_NUMBERS.map((k) => col(rec.facts[k]));
  const factJob = new Int32Array(bytes(rec.factJob));
  const facts = st.device.map((device, i) => {
    const f: Record<string, unknown> = { job: jobs[factJob[i]], allocation: [], device };
    FACT_NUMBERS.forEach((k, c) => (f[k] = BOOLEAN.has(k) ? factCols[c][i] === 1 : Number.isNaN(factCols[c][i]) ? undefined : factCols[c][i]));
    return f as unknown as JobFact;
  });
  const dir = srcDir ? resolve(srcDir) : undefined;
  const accounting = dir ? ((await import(pathToFileURL(join(dir, "src/accounting/index.ts")).href)) as typeof here) : here;
  const combine = (dir ? await import(pathToFileURL(join(dir, "src/sim/index.ts")).href) : await import("../src/sim/index.js")).combineObservers as typeof combineObservers;
  const held = { node: 0, gpu: 0, fpga: 0 };
  let sink = 0;

  /** Replays the recorded calls; returns CPU seconds. */
  const replay = (withJobs: boolean): number => {
    const p = platform!;
    const totals = new Float64Array(N_COORDS);
    const onJob = withJobs
      ? (c: here.JobCharge) => {
          totals.fill(0);
          for (let ph = 0; ph < N_PHASES; ph++) for (let i = 0; i < N_COORDS; i++) totals[i] += c.impacts[ph * N_COORDS + i];
          sink += c.itJ + singleScore(totals, method);
        }
      : undefined;
    const cpu0 = process.cpuUsage();
    const accountant = new accounting.Accountant(p, onJob);
    const metrics = accounting.MetricsCollector.forPlatform(p);
    const perQos = {
      jobEnded(f: JobFact) {
        if (f.job.qos) sink++;
      },
    };
    const o: SimObserver = combine(accountant, metrics, perQos);
    let n = 0;
    let r = 0;
    for (let i = 0; i < K.length; i++) {
      switch (K[i]) {
        case SHARE:
          held.node = NUM[n + 5];
          held.gpu = NUM[n + 6];
          held.fpga = NUM[n + 7];
          o.jobShare!(jobs[REF[r++]], NUM[n], NUM[n + 1], NUM[n + 2], NUM[n + 3], NUM[n + 4], held);
          n += 8;
          break;
        case END:
          o.jobEnded!(facts[REF[r++]]);
          break;
        case SITE:
          o.siteInterval!(NUM[n], NUM[n + 1], NUM[n + 2], NUM[n + 3], NUM[n + 4], 0);
          n += 5;
          break;
        case IDLE:
          held.node = NUM[n + 3];
          held.gpu = NUM[n + 4];
          held.fpga = NUM[n + 5];
          o.poolIdle!(NUM[n], NUM[n + 1], NUM[n + 2], held);
          n += 6;
          break;
        case FINISHED:
          o.finished!(NUM[n]);
          n += 1;
          break;
      }
    }
    sink += metrics.result().mean_wait_s;
    for (const s of accountant.ledger.siteJobs) sink += s.summarize(p, method).single_score.total_pt;
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / 1e6;
  };

  const rounds = Number(roundsArg ?? 5);
  const best = [Infinity, Infinity];
  for (let round = 0; round < rounds; round++) for (const w of [0, 1]) best[w] = Math.min(best[w], replay(w === 1));
  console.log(`${dir ?? "this tree"}: summary only ${best[0].toFixed(3)} s, with onJob ${best[1].toFixed(3)} s CPU (least of ${rounds}; ${K.length} calls)`);
  if (sink === 42) console.log("");
} else {
  console.error("usage: npx tsx bench/accounting.ts record FILE | replay FILE [rounds] [src-dir]");
  process.exitCode = 2;
}
