/**
 * Sizes and plausibility (issue 10, items 3 and 6): inputs that would allocate
 * without bound, hang, or carry nonsense to the outputs are refused before any
 * work, naming where they came from; a trace's implausible records are counted
 * in lenient mode. Bounds are those of core/limits.ts; the figures below are
 * the issue's reproductions.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AdjustmentLog, InputError } from "../../src/core/errors.js";
import { checkPlatform } from "../../src/io/platform.js";
import { openSwf } from "../../src/io/swf.js";
import { parseSeriesCsv } from "../../src/io/series.js";
import { intensityFromCarbonSeries } from "../../src/models/electricity.js";
import { runScenario } from "../../src/run/runScenario.js";
import { expandSweep, sweepSize, type SweepSpec } from "../../src/sweep/spec.js";
import { liveView } from "../../src/live/view.js";
import { checkSnapshot } from "../../src/io/snapshot.js";
import { Basis } from "../../src/core/impact.js";
import { N_COORDS } from "../../src/core/categories.js";
import { ccSeries, tinyPlatform } from "../helpers/tinyPlatform.js";
import { rejectedInput, thrownInput } from "../helpers/issues.js";

const PLATFORM = resolve("platforms/two-site-eu.json");
const platformJson = () => JSON.parse(readFileSync(PLATFORM, "utf8"));
const tmp = () => mkdtempSync(join(tmpdir(), "impactsim-limits-"));



function swfFile(lines: string[], header = "; MaxProcs: 64"): string {
  const path = join(tmp(), "t.swf");
  writeFileSync(path, `${header}\n${lines.join("\n")}\n`);
  return path;
}
/** An SWF line: id, submit, run time, processors, requested time. */
const line = (id: number, submit: number | string, run: number | string, procs = 1, req: number | string = run) => `${id} ${submit} 0 ${run} ${procs} -1 -1 ${procs} ${req} -1 1 1 1 -1 1 -1 -1 -1`;

describe("platform figures outside the plausible bounds", () => {
  it("checkPlatform refuses pue 1e308 at sites[0].pue, saying the bound and why", () => {
    const p = platformJson();
    p.sites[0].pue = 1e308;
    const issues = checkPlatform(p, "p.json");
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe("sites[0].pue");
    expect(issues[0].message).toMatch(/^expected a number <= 5: .*Uptime Institute.*, got 1e\+308$/);
  });

  it("checkPlatform refuses a node count of 1e9 (estimate hung on it) and a total beyond 2^22 nodes", () => {
    const p = platformJson();
    p.sites[0].nodes[0].count = 1e9;
    expect(checkPlatform(p, "p.json").map((i) => i.path)).toContain("sites[0].nodes[0].count");
    const q = platformJson();
    q.sites[0].nodes[0].count = 3_000_000;
    q.sites[1].nodes[0].count = 3_000_000;
    const total = checkPlatform(q, "p.json");
    expect(total).toHaveLength(1);
    expect(total[0].message).toContain("got 6,000,000 nodes (about 180 MB of simulator state)");
  });

  it("checkPlatform refuses a node drawing 1e12 W and a lifetime of 1000 years", () => {
    const p = platformJson();
    const type = Object.keys(p.node_types)[0];
    p.node_types[type].power.idle_w = 1e12;
    p.node_types[type].embodied.lifetime_years = 1000;
    const paths = checkPlatform(p, "p.json").map((i) => i.path);
    expect(paths).toContain(`node_types["${type}"].power.idle_w`);
    expect(paths).toContain(`node_types["${type}"].embodied.lifetime_years`);
  });

  it("a carbon-intensity series of 1e308 g/kWh is refused at its time", () => {
    const raw = parseSeriesCsv("t,ci\n2020-01-01T00:00:00Z,50\n2020-01-01T01:00:00Z,1e308\n", { timeColumn: "t", valueColumns: ["ci"], timezone: "UTC", gaps: "error", log: new AdjustmentLog(), label: "g.csv" });
    const zone = { values: new Float64Array(N_COORDS), basis: new Uint8Array(N_COORDS).fill(Basis.Data), source: "z" };
    const err = thrownInput(() => intensityFromCarbonSeries(raw, "ci", zone, 0, "error"));
    expect(err.issues[0]).toMatchObject({ code: "implausible_value", file: "g.csv", path: "ci" });
    expect(err.message).toContain("at 2020-01-01T01:00:00Z, got 1e+308");
  });
});

describe("trace records outside the plausible bounds", () => {
  it("a submit time of 1e20 s is skipped and counted in lenient mode, and refused in strict mode", async () => {
    const path = swfFile([line(1, 0, 60), line(2, "1e20", 60), line(3, 10, "4e9")]);
    const log = new AdjustmentLog();
    const jobs = [];
    for await (const b of (await openSwf(path, { mode: "lenient", log })).batches()) jobs.push(...b);
    expect(jobs.map((j) => j.id)).toEqual([1]);
    expect(log.toJSON()).toEqual({ implausible_value: 2 });
    const strict = await rejectedInput((async () => {
      for await (const _ of (await openSwf(path, { mode: "strict" })).batches()) void _;
    })());
    expect(strict.issues[0]).toMatchObject({ code: "implausible_value", line: 3, path: "field 2 (submit_time)" });
  });
});

describe("sizes checked before allocating", () => {
  it("--procs 1e12 and MaxProcs 1e15 are refused naming the option or the header, with what they would take", async () => {
    const trace = swfFile([line(1, 0, 60)]);
    const a = await rejectedInput(runScenario({ overrides: { workload: trace, procs: 1e12, out: join(tmp(), "o") } }));
    expect(a.issues[0].file).toBe("--procs");
    expect(a.message).toContain("4,194,304");
    expect(a.message).toContain("30 TB");
    const big = swfFile([line(1, 0, 60)], "; MaxProcs: 1000000000000000");
    const b = await rejectedInput(runScenario({ overrides: { workload: big, out: join(tmp(), "o") } }));
    expect(b.issues[0]).toMatchObject({ file: big, path: "MaxProcs" });
  });

  it("a sweep of 1e9 replicas is refused at once, before expanding, unless more variants are allowed", () => {
    const spec: SweepSpec = { name: "big", base: "x.json", parameters: { policy: ["easy", "fcfs"], seed: { replicas: 1e9 } }, output: { dir: "out" } };
    expect(sweepSize(spec)).toBe(2e9);
    const t = performance.now();
    const err = thrownInput(() => expandSweep(spec, "big.json"));
    expect(performance.now() - t).toBeLessThan(1000);
    expect(err.message).toContain("got 2,000,000,000 (policy: 2 x seed: 1000000000)");
    expect(err.message).toContain("--max-variants");
    expect(expandSweep({ ...spec, parameters: { policy: ["easy"], seed: { replicas: 3 } } }, "s.json", 3)).toHaveLength(3);
  });

  it("a queued snapshot job of 1e12 cores is refused by its field, not passed over", () => {
    const platform = tinyPlatform([{ id: "a", pue: 1.2, kgPerKwh: ccSeries([0], [0.1], 1e7) }], [{ nodes: 4, cores: 8, idle: 50, max: 200 }]);
    const snap = checkSnapshot({ time: "2020-01-01T00:00:00Z", source: "test", pools: [], running: [], queue: [{ id: 7, submit: "2020-01-01T00:00:00Z", cores: 1e12, time_limit_s: 60 }] }, "snap.json");
    const err = thrownInput(() => liveView(snap, { platform, forecasts: [], t0Epoch: Date.parse("2020-01-01T00:00:00Z") / 1000 }));
    expect(err.issues[0]).toMatchObject({ file: "snap.json", path: "queue[0]" });
    expect(err.message).toContain("largest 32 cores");
  });

  it("a workload none of whose records reaches the simulator is refused, saying what became of them", async () => {
    const trace = swfFile([line(1, 0, 0), line(2, 0, -5), line(3, 0, 60, 100000)]);
    const err = await rejectedInput(runScenario({ overrides: { workload: trace, platform: PLATFORM, out: join(tmp(), "o"), mode: "lenient" } }));
    expect(err.message).toContain("expected a workload with at least one job the platform can run, got none");
    expect(err.message).toContain("zero_runtime");
    expect(err.message).toContain("too_many_processors");
  });
});
