/**
 * The simulator as the oracle of the service: a slice of the default scenario
 * (its first N jobs) run by `impactsim run`'s runScenario, and the service's
 * starts and ledger entries compared with the run's jobs.csv job by job,
 * exactly (start time, site, facility energy, climate change, single score).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { amountIn, type Entry } from "../../../src/ledger/index.js";
import { DEFAULT_SCENARIO, runScenario } from "../../../src/run/index.js";
import type { ReplayStart } from "../../../src/serve/index.js";
import { writeTraceSlice } from "../../helpers/traceSlice.js";

export interface Expected {
  readonly start: number;
  readonly site: string;
  readonly energyFacilityJ: number;
  readonly cc: number;
  readonly score: number;
}

/**
 * The default scenario over the first `jobs` jobs of its trace (all when
 * undefined), written to dir. `live`: for a service on the real clock, world
 * time 0 is now and the grid series hold their last values past their end.
 */
export function sliceScenario(dir: string, jobs?: number, o: { live?: boolean } = {}): string {
  const spec = JSON.parse(readFileSync(DEFAULT_SCENARIO, "utf8")) as { platform: string; workload: { file: string; start: string }; series_extension?: string };
  const base = dirname(DEFAULT_SCENARIO);
  spec.platform = resolve(base, spec.platform);
  spec.workload.file = jobs === undefined ? resolve(base, spec.workload.file) : writeTraceSlice(dir, jobs);
  if (o.live) {
    spec.workload.start = new Date().toISOString();
    spec.series_extension = "hold";
  }
  const path = join(dir, `scenario-${jobs ?? "all"}${o.live ? "-live" : ""}.json`);
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

/** The run's jobs.csv as expectations by job id. */
export async function runExpected(scenario: string, out: string): Promise<Map<number, Expected>> {
  await runScenario({ scenario, overrides: { out } });
  const lines = readFileSync(join(out, "jobs.csv"), "utf8").trim().split("\n");
  const cols = lines[0].split(",");
  const c = (n: string) => cols.indexOf(n);
  const m = new Map<number, Expected>();
  for (const l of lines.slice(1)) {
    const r = l.split(",");
    m.set(Number(r[c("job_id")]), { start: Number(r[c("start")]), site: r[c("site")], energyFacilityJ: Number(r[c("energy_facility_j")]), cc: Number(r[c("cc_kgco2eq")]), score: Number(r[c("single_score_pt")]) });
  }
  return m;
}

/** Jobs whose replayed start or charge differs from the run's, as text (empty when all agree). */
export function mismatches(expected: ReadonlyMap<number, Expected>, starts: ReadonlyMap<number, ReplayStart>, entries: readonly Entry[]): string[] {
  const byJob = new Map<string, Entry[]>();
  for (const e of entries) byJob.set(e.job, [...(byJob.get(e.job) ?? []), e]);
  const out: string[] = [];
  for (const [id, x] of expected) {
    const es = byJob.get(String(id)) ?? [];
    const e = es[0];
    const got = { start: starts.get(id)?.t, site: starts.get(id)?.site, energyFacilityJ: e?.energyFacilityJ, cc: e && amountIn(e, "cc_kgco2eq"), score: e?.singleScorePt };
    if (es.length !== 1 || JSON.stringify(got) !== JSON.stringify(x)) out.push(`job ${id}: ${es.length} entries, expected ${JSON.stringify(x)}, got ${JSON.stringify(got)}`);
  }
  if (entries.length !== expected.size) out.push(`${entries.length} entries for ${expected.size} jobs`);
  return out;
}
