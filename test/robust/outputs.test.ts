/**
 * Output folders and files (issue 10, items 4, 5 and 7): the folder is checked
 * before simulating; a run's files land together or not at all, each named by
 * content in summary.json (checked here with an independent SHA-256 of the
 * bytes), so a folder never mixes two runs; NaN or Infinity never reach a file;
 * a policy that throws is reported with time, policy and jobs.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError, SimulationError } from "../../src/core/errors.js";
import { runScenario } from "../../src/run/runScenario.js";
import { checkRunFolder } from "../../src/io/runFolder.js";
import { buildRunReport } from "../../src/report/runReport.js";
import { CsvWriter } from "../../src/io/csvWriter.js";
import { finiteJson } from "../../src/io/finiteJson.js";
import { simulate } from "../../src/sim/simulation.js";
import { forecastFromActual } from "../../src/models/forecast.js";
import { rngSeeded } from "../../src/core/rng.js";
import type { Policy } from "../../src/planner/index.js";
import { job, tinyPlatform } from "../helpers/tinyPlatform.js";
import { rejectedInput } from "../helpers/issues.js";

const PLATFORM = resolve("platforms/two-site-eu.json");
const tmp = () => mkdtempSync(join(tmpdir(), "impactsim-out-"));
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** A small trace inside the 2020 grid series: n one-core jobs of 10 min, one every 20 min. */
function trace(n: number, runtime = 600): string {
  const lines = Array.from({ length: n }, (_, i) => `${i + 1} ${i * 1200} 0 ${runtime} 1 -1 -1 1 ${runtime} -1 1 1 1 -1 1 -1 -1 -1`);
  const path = join(tmp(), "t.swf");
  writeFileSync(path, `; MaxProcs: 64\n${lines.join("\n")}\n`);
  return path;
}


describe("the output folder, checked before simulating", () => {
  it("--out naming an existing file is an input error naming --out and the file", async () => {
    const file = join(tmp(), "taken");
    writeFileSync(file, "x");
    const err = await rejectedInput(runScenario({ overrides: { workload: trace(2), platform: PLATFORM, out: file } }));
    expect(err.issues[0]).toMatchObject({ code: "io_error", file: "--out", path: file });
    expect(err.message).toContain("got an existing file");
  });

  it("a path under /proc fails at once instead of looping in mkdir", async () => {
    const t = performance.now();
    const err = await rejectedInput(runScenario({ overrides: { workload: trace(2), platform: PLATFORM, out: "/proc/impactsim-test/out" } }));
    expect(performance.now() - t).toBeLessThan(20_000);
    expect(err.message).toContain("cannot make the folder");
  });

  it("a path through a file is named at that file", async () => {
    const file = join(tmp(), "f");
    writeFileSync(file, "x");
    const err = await rejectedInput(runScenario({ overrides: { workload: trace(2), platform: PLATFORM, out: join(file, "sub") } }));
    expect(err.message).toMatch(/not a folder|through the file/);
  });
});

describe("a run's files, together or not at all", () => {
  it("summary.json names the run and gives each file's SHA-256, bytes and rows; the same inputs give the same id", async () => {
    const t = trace(5);
    const a = await runScenario({ overrides: { workload: t, platform: PLATFORM, out: join(tmp(), "a") } });
    const b = await runScenario({ overrides: { workload: t, platform: PLATFORM, out: join(tmp(), "b") } });
    expect(a.summary.run_id).toMatch(/^[0-9a-f]{16}$/);
    expect(b.summary.run_id).toBe(a.summary.run_id);
    const jobs = join(a.outDir, "jobs.csv");
    expect(a.summary.outputs["jobs.csv"]).toEqual({ sha256: sha(jobs), bytes: readFileSync(jobs).length, rows: 5 });
    const written = JSON.parse(readFileSync(join(a.outDir, "summary.json"), "utf8"));
    expect(Object.keys(written)[0]).toBe("run_id");
    expect(written.run_id).toBe(a.summary.run_id);
    // No temporary file is left behind.
    expect(readdirSync(a.outDir).sort()).toEqual(["jobs.csv", "nodes.csv", "sites.csv", "summary.json"]);
    expect(await checkRunFolder(a.outDir)).toBeDefined();
  });

  it("a --summary-only run into a full run's folder removes the older run's files and the report made from them", async () => {
    const out = join(tmp(), "o");
    await runScenario({ overrides: { workload: trace(3), platform: PLATFORM, out } });
    writeFileSync(join(out, "report.html"), "<html>old</html>");
    const second = await runScenario({ overrides: { workload: trace(4), platform: PLATFORM, out, summaryOnly: true } });
    expect(readdirSync(out)).toEqual(["summary.json"]);
    expect(second.summary.outputs).toEqual({});
  });

  it("checkRunFolder refuses a jobs.csv another run wrote, naming it", async () => {
    const a = await runScenario({ overrides: { workload: trace(3), platform: PLATFORM, out: join(tmp(), "a") } });
    const b = await runScenario({ overrides: { workload: trace(4), platform: PLATFORM, out: join(tmp(), "b") } });
    copyFileSync(join(a.outDir, "jobs.csv"), join(b.outDir, "jobs.csv"));
    const err = await rejectedInput(checkRunFolder(b.outDir));
    expect(err.issues.map((i) => i.file)).toEqual([join(b.outDir, "jobs.csv")]);
    expect(err.message).toContain(`run ${b.summary.run_id}`);
    // and so does the report, which reads the folder through it.
    const report = await rejectedInput(buildRunReport(b.outDir));
    expect(report.message).toContain("jobs.csv: expected the content run");
  });

  it("checkRunFolder refuses an edited summary.json and a folder without one", async () => {
    const a = await runScenario({ overrides: { workload: trace(3), platform: PLATFORM, out: join(tmp(), "a") } });
    const path = join(a.outDir, "summary.json");
    const summary = JSON.parse(readFileSync(path, "utf8"));
    summary.jobs = 4;
    writeFileSync(path, JSON.stringify(summary, null, 2) + "\n");
    expect((await rejectedInput(checkRunFolder(a.outDir))).message).toContain("it was edited since");
    const empty = tmp();
    expect((await rejectedInput(checkRunFolder(empty))).message).toContain("expected a run folder with summary.json");
  });

  it("a run that fails leaves the folder's earlier run as it was, and no temporary files", async () => {
    const out = join(tmp(), "o");
    await runScenario({ overrides: { workload: trace(3), platform: PLATFORM, out } });
    const before = Object.fromEntries(readdirSync(out).map((f) => [f, sha(join(out, f))]));
    // The second run is refused mid-way: two 256-core jobs (only the 16 x 16-core de pool holds one) at day 374
    // for 0.9 d each pass the check made before simulating, but the second waits and would end at day 375.8,
    // past the series (they end at day 375), so the simulation stops with this run's files half written.
    const late = join(tmp(), "late.swf");
    const l = (id: number) => `${id} ${374 * 86400} 0 77760 256 -1 -1 256 77760 -1 1 1 1 -1 1 -1 -1 -1`;
    writeFileSync(late, `; MaxProcs: 256\n${l(1)}\n${l(2)}\n`);
    const err = await rejectedInput(runScenario({ overrides: { workload: late, platform: PLATFORM, out } }));
    expect(err.message).toContain("jobs still running or waiting");
    expect(Object.fromEntries(readdirSync(out).map((f) => [f, sha(join(out, f))]))).toEqual(before);
  });
});

describe("no NaN or Infinity in a file", () => {
  it("CsvWriter refuses a non-finite number, naming the file, row and column", () => {
    const w = new CsvWriter(join(tmp(), "x.csv"), ["job_id", "energy_j"]);
    w.row([1, 2.5]);
    expect(() => w.row([2, Infinity])).toThrow(SimulationError);
    expect(() => w.row([2, NaN])).toThrow(/row 2, column energy_j: expected a finite number, got NaN/);
    w.close();
  });

  it("finiteJson refuses NaN where JSON.stringify would write null, naming its path", () => {
    expect(JSON.stringify({ a: { b: NaN } })).toBe('{"a":{"b":null}}');
    expect(() => finiteJson({ a: { b: [1, NaN] } }, "summary.json")).toThrow(/summary\.json at a\.b\.1: expected a finite number, got NaN/);
    expect(finiteJson({ a: 1 }, "x")).toBe('{"a":1}');
  });

  it("finiteJson gives JSON.stringify's text when every number is finite, with or without null in it, and finds a NaN beside a null", () => {
    const finite = { a: null, s: "null", n: [1.5, -0, 1e300], o: { t: "x" } };
    expect(finiteJson(finite, "x")).toBe(JSON.stringify(finite));
    expect(finiteJson(finite, "x", 2)).toBe(JSON.stringify(finite, undefined, 2));
    expect(finiteJson({ n: [1, 2] }, "x", 2)).toBe('{\n  "n": [\n    1,\n    2\n  ]\n}');
    expect(() => finiteJson({ a: null, b: { c: Infinity } }, "log.jsonl")).toThrow(/log\.jsonl at b\.c: expected a finite number, got Infinity/);
  });
});

describe("a policy that throws", () => {
  it("is reported as a simulation error with the simulated time, the policy and the jobs it was deciding on", async () => {
    const platform = tinyPlatform([{ id: "a", pue: 1, kgPerKwh: 0.1 }], [{ nodes: 1, cores: 4, idle: 10, max: 20 }]);
    let calls = 0;
    const broken: Policy = {
      name: "broken",
      version: "1",
      params: {},
      decide(view) {
        if (++calls === 2) throw new TypeError("cannot read properties of undefined");
        return view.queue.map((j) => ({ kind: "start", jobId: j.id, pool: 0 }));
      },
    };
    const e = await simulate({
      platform,
      policy: broken,
      jobs: [[job(1, 0, 100, 100, 1), job(2, 50, 100, 100, 1)]],
      forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(SimulationError);
    expect((e as Error).message).toBe('policy "broken" failed at t=50 s (50 s) deciding on jobSubmitted job 2; 1 job(s) queued, the first job 2: TypeError: cannot read properties of undefined');
  });
});
