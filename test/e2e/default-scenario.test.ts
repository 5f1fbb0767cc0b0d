/**
 * End to end: runScenario() on the bundled default scenario (HPC2N trace,
 * two-site EU platform, EASY). Checks the outputs against each other and
 * against the inputs, read independently here: the trace's job lines are
 * counted from the gzip file, pool sizes come from the platform JSON.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SCENARIO, runScenario, type RunOutput } from "../../src/run/runScenario.js";
import { swfSkipCodes } from "../../src/io/swf.js";

const scenarioJson = JSON.parse(readFileSync(DEFAULT_SCENARIO, "utf8"));
const TRACE = resolve(dirname(DEFAULT_SCENARIO), scenarioJson.workload.file);
const PLATFORM = resolve(dirname(DEFAULT_SCENARIO), scenarioJson.platform);
const OUTPUTS = ["jobs.csv", "nodes.csv", "sites.csv", "summary.json"];
const PHASES = ["fabrication", "transport", "use", "endOfLife"];

const dirs: string[] = [];
const tmp = (label: string) => {
  const d = mkdtempSync(join(tmpdir(), `impactsim-e2e-${label}-`));
  dirs.push(d);
  return d;
};

/** Job lines of an SWF text: neither blank nor ";" comments. */
const countJobLines = (text: string) => text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.trimStart().startsWith(";")).length;

/** Rows of a CSV file as objects keyed by the header. */
const readCsv = (path: string): Record<string, string>[] => parse(readFileSync(path), { columns: true });

const sum = (xs: Iterable<number>) => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
};

function expectRel(actual: number, expected: number, what: string, tol = 1e-9): void {
  if (!(Math.abs(actual - expected) <= tol * Math.abs(expected))) {
    throw new Error(`${what}: expected ${expected} within ${tol} relative, got ${actual}`);
  }
}

/** Records read = jobs run + records the reader skipped (by SWF skip code) + jobs that never ran. */
function accountedRecords(summary: RunOutput["summary"]): number {
  const skipped = sum(Object.entries(summary.adjustments.workload).filter(([code]) => swfSkipCodes.has(code as never)).map(([, n]) => n));
  return summary.jobs + skipped + sum(Object.values(summary.dropped));
}

// One full run shared by the tests of this file; the determinism test makes the
// second. One run per hook or test keeps each well inside the time limit on a
// loaded machine.
let a: RunOutput;

beforeAll(async () => {
  a = await runScenario({ overrides: { out: tmp("a") } });
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("runScenario() on the default scenario", () => {
  it("runScenario() writes jobs.csv, sites.csv and summary.json, byte-identical across two runs into different folders", async () => {
    const b = await runScenario({ overrides: { out: tmp("b") } });
    expect(readdirSync(a.outDir).sort()).toEqual(OUTPUTS);
    expect(a.files.map((f) => f.slice(a.outDir.length + 1)).sort()).toEqual(OUTPUTS);
    for (const f of OUTPUTS) {
      const x = readFileSync(join(a.outDir, f));
      const y = readFileSync(join(b.outDir, f));
      expect(x.length, f).toBeGreaterThan(0);
      expect(x.equals(y), `${f} differs between runs`).toBe(true);
    }
  });

  it("runScenario() writes a jobs.csv with the stable first columns and one row per job run", () => {
    const text = readFileSync(join(a.outDir, "jobs.csv"), "utf8");
    expect(text.startsWith("job_id,submit,start,end")).toBe(true);
    const rows = readCsv(join(a.outDir, "jobs.csv"));
    expect(rows.length).toBe(a.summary.jobs);
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(rows.length);
    for (const r of rows) {
      expect(Number(r.start)).toBeGreaterThanOrEqual(Number(r.submit));
      expect(Number(r.end)).toBeGreaterThan(Number(r.start));
    }
  });

  it("runScenario() writes a summary.json with metrics, energy, 16 impact categories and primary energy by phase, a single score and provenance", () => {
    const s = JSON.parse(readFileSync(join(a.outDir, "summary.json"), "utf8"));
    for (const k of ["jobs", "makespan_s", "mean_wait_s", "mean_bounded_slowdown", "utilisation"]) expect(typeof s[k], k).toBe("number");
    expect(s.jobs).toBeGreaterThan(0);
    expect(s.utilisation).toBeGreaterThan(0);
    expect(s.utilisation).toBeLessThanOrEqual(1);
    expect(s.energy_j.it).toBeGreaterThan(0);
    expect(s.energy_j.facility).toBeGreaterThanOrEqual(s.energy_j.it);
    const categories = Object.keys(s.impacts);
    expect(categories).toHaveLength(17);
    expect(categories).toContain("CC");
    expect(categories[16]).toBe("PE");
    for (const c of categories) {
      expect(Object.keys(s.impacts[c].by_phase).sort(), c).toEqual([...PHASES].sort());
      expectRel(sum(Object.values(s.impacts[c].by_phase) as number[]), s.impacts[c].total, `${c} total = sum by phase`, 1e-12);
    }
    expect(typeof s.single_score.total_pt).toBe("number");
    expect(s.single_score.total_pt).toBeGreaterThan(0);
    expect(s.provenance.seed).toBe(scenarioJson.seed);
    expect(s.provenance.policy.name).toBe("easy");
    expect(s.provenance.inputs.length).toBeGreaterThanOrEqual(4);
    for (const input of s.provenance.inputs) expect(input.sha256, input.path).toMatch(/^[0-9a-f]{64}$/);
    // the trace and the platform are among the inputs, with the hashes of their bytes
    const hashes = new Map<string, string>(s.provenance.inputs.map((i: { path: string; sha256: string }) => [resolve(i.path), i.sha256]));
    for (const file of [TRACE, PLATFORM, DEFAULT_SCENARIO]) {
      expect(hashes.get(file), file).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"));
    }
  });

  it("runScenario() charges per site jobs plus overhead exactly the site meter", () => {
    const sites = Object.entries(a.summary.sites);
    expect(sites.map(([id]) => id).sort()).toEqual(["de", "fr"]);
    for (const [id, site] of sites) {
      expectRel(site.jobs.energy_j.it + site.overhead.energy_j.it, site.meter.it_j, `${id} IT energy`);
      expectRel(site.jobs.energy_j.facility + site.overhead.energy_j.facility, site.meter.facility_j, `${id} facility energy`);
    }
    expectRel(sum(sites.map(([, s]) => s.meter.it_j)), a.summary.energy_j.it, "total IT energy = sum of the meters");
  });

  it("runScenario() accounts for every job line of the trace exactly once: run, skipped by the reader or dropped", () => {
    const lines = countJobLines(gunzipSync(readFileSync(TRACE)).toString("utf8"));
    expect(lines).toBe(3170);
    expect(accountedRecords(a.summary)).toBe(lines);
    expect(a.summary.jobs_submitted).toBe(a.summary.jobs + a.summary.jobs_rejected + a.summary.jobs_never_started);
  });

  it("runScenario() never allocates more cores of a pool than the platform file gives it, and nodes.csv agrees with the meters", () => {
    const platform = JSON.parse(readFileSync(PLATFORM, "utf8"));
    const cores = new Map<string, number>();
    const perNode = new Map<string, number>();
    for (const site of platform.sites) {
      for (const n of site.nodes) {
        const key = `${site.id}/${n.type}`;
        const c = platform.node_types[n.type].cores;
        perNode.set(key, c);
        cores.set(key, (cores.get(key) ?? 0) + n.count * c);
      }
    }
    const edges = new Map<string, [number, number][]>();
    for (const r of readCsv(join(a.outDir, "jobs.csv"))) {
      const key = `${r.site}/${r.node_type}`;
      expect(cores.has(key), key).toBe(true);
      const e = edges.get(key) ?? [];
      e.push([Number(r.start), Number(r.alloc_cores)], [Number(r.end), -Number(r.alloc_cores)]);
      edges.set(key, e);
    }
    for (const [key, e] of edges) {
      // ends before starts at the same instant
      e.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let held = 0;
      let peak = 0;
      for (const [, d] of e) peak = Math.max(peak, (held += d));
      expect(peak, key).toBeLessThanOrEqual(cores.get(key)!);
      expect(held, key).toBe(0);
    }
    // Per node, its time in each state adds up to the run, allocation never above its cores, and the energy is the sites' meters'.
    const nodes = readCsv(join(a.outDir, "nodes.csv"));
    let joules = 0;
    const time = new Map<string, number>();
    for (const r of nodes) {
      const seconds = Number(r.seconds);
      expect(Number(r.alloc_core_seconds) / seconds, r.node).toBeLessThanOrEqual(perNode.get(`${r.site}/${r.node_type}`)! + 1e-9);
      expect(Number(r.busy_core_seconds), r.node).toBeLessThanOrEqual(Number(r.alloc_core_seconds) * (1 + 1e-12));
      time.set(r.node, (time.get(r.node) ?? 0) + seconds);
      joules += Number(r.joules);
    }
    const total = platform.sites.reduce((a: number, s: { nodes: { count: number }[] }) => a + s.nodes.reduce((b, n) => b + n.count, 0), 0);
    expect(time.size).toBe(total);
    for (const [node, seconds] of time) expectRel(seconds, a.summary.simulation.end_s, `node ${node}'s time`);
    expectRel(joules, a.summary.energy_j.it, "nodes.csv energy = IT energy");
  });


  it("runScenario() with {policy: \"fcfs\"} gives a mean wait no shorter than EASY", async () => {
    const fcfs = await runScenario({ overrides: { out: tmp("fcfs"), policy: "fcfs", summaryOnly: true } });
    expect(fcfs.summary.provenance.policy.name).toBe("fcfs");
    expect(fcfs.summary.jobs).toBe(a.summary.jobs);
    expect(fcfs.summary.mean_wait_s).toBeGreaterThanOrEqual(a.summary.mean_wait_s);
  });

  // BUG: in lenient mode simulate() reports a job that fits in no pool twice:
  // it records a too_many_processors Issue in the workload AdjustmentLog (so it
  // appears in summary.adjustments.workload, and too_many_processors is an SWF
  // skip code) and also calls observer.jobDropped(spec, "too_many_processors")
  // (so it appears in summary.dropped). Records read = jobs + skipped + dropped
  // then counts it twice (here 3 for a 2-job trace), and jobs_submitted (which
  // excludes it) != jobs + sum(dropped). Fix: report it in one place only, e.g.
  // keep the Issue (it has the line number) and skip the jobDropped call for a
  // job that was never submitted, or pass simulate() its own AdjustmentLog and
  // keep simulation-time drops out of adjustments.workload.
  it("runScenario() counts a job that fits in no pool once, not both as an adjustment and as dropped", async () => {
    const dir = tmp("toobig");
    const swf = join(dir, "toobig.swf");
    // MaxProcs 480 lets the reader keep the 300-core job; no pool has 300 cores (fr 4 x 56, de 16 x 16).
    writeFileSync(swf, ["; MaxProcs: 480", "1 0 0 100 8 -1 -1 8 200 -1 1 1 1 -1 -1 -1 -1 -1", "2 10 0 100 300 -1 -1 300 200 -1 1 1 1 -1 -1 -1 -1 -1", ""].join("\n"));
    const r = await runScenario({ overrides: { workload: swf, platform: PLATFORM, out: join(dir, "out"), mode: "lenient", summaryOnly: true } });
    expect(r.summary.jobs).toBe(1);
    expect(accountedRecords(r.summary)).toBe(2);
  });
});
