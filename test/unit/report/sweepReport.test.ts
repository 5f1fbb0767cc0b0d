/**
 * The sweep report: one self-contained HTML file (d3, data and CSS inlined,
 * no URLs to fetch) with the trade-off chart's container and the group table,
 * drawn by its page script on a small fake DOM (fakeDom.ts) with one mark per
 * variant; missing files give notes, never an exception; `report <dir>` picks
 * it for a sweep folder. The fixture is a hand-made sweep folder from real
 * runs (default scenario, policies easy and fcfs, two seeds each).
 * The real-browser check is test/e2e/report-browser.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, unlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportCommand } from "../../../src/cli/report.js";
import { runScenario } from "../../../src/run/runScenario.js";
import { d3MinSource } from "../../../src/report/runReport.js";
import { isSweepFolder, renderSweepReport, replicasWarning, sweepReportData, valuesLabel, writeSweepReport, type SweepGroupRow } from "../../../src/report/sweepReport.js";
import { summarizeSweep, type SweepResult } from "../../../src/sweep/stats.js";
import { FakeDocument, type FakeElement } from "./fakeDom.js";

const root = mkdtempSync(join(tmpdir(), "impactsim-sweep-report-"));
const sweepDir = join(root, "sweep");
afterAll(() => rmSync(root, { recursive: true, force: true }));

const POLICIES = ["easy", "fcfs"];
const SEEDS = [1, 2];

beforeAll(async () => {
  mkdirSync(sweepDir, { recursive: true });
  const results: SweepResult[] = [];
  for (const [group, policy] of POLICIES.entries()) {
    for (const [replica, seed] of SEEDS.entries()) {
      const { summary } = await runScenario({ overrides: { policy, seed, summaryOnly: true, out: join(root, "runs", `${policy}-${seed}`) } });
      results.push({ index: results.length, group, replica, values: { policy }, seed, summary });
    }
  }
  writeFileSync(join(sweepDir, "results.jsonl"), results.map((r) => JSON.stringify(r) + "\n").join(""));
  writeFileSync(join(sweepDir, "summary.json"), JSON.stringify(summarizeSweep(results), null, 2) + "\n");
  writeFileSync(join(sweepDir, "sweep.json"), JSON.stringify({ name: "policies", variants: results.length, digest: "0" }) + "\n");
}, 60_000);

const dataOf = (html: string) => JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]);

/** Runs the page's inline scripts on a fake document holding the report's containers. */
function drawPage(html: string): FakeDocument {
  const doc = new FakeDocument();
  for (const id of ["chart-tradeoff", "chart-groups", "tooltip"]) {
    const div = doc.createElement("div");
    div.setAttribute("id", id);
    doc.body.appendChild(div);
  }
  const data = doc.createElement("script");
  data.setAttribute("id", "report-data");
  data.textContent = /id="report-data">([\s\S]*?)<\/script>/.exec(html)![1];
  doc.body.appendChild(data);
  const errors: unknown[] = [];
  const context: Record<string, unknown> = { document: doc, console: { ...console, error: (...a: unknown[]) => errors.push(a) } };
  context.window = context;
  for (const m of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) runInNewContext(m[1], context);
  expect(errors).toEqual([]);
  return doc;
}
const chart = (doc: FakeDocument) => doc.getElementById("chart-tradeoff")!;
const marks = (doc: FakeDocument) => chart(doc).querySelectorAll("svg").flatMap((s: FakeElement) => s.querySelectorAll(".mark"));
const notes = (doc: FakeDocument) => chart(doc).querySelectorAll(".missing").map((e) => e.textContent);

describe("renderSweepReport", () => {
  let html = "";
  beforeAll(async () => {
    html = await renderSweepReport(sweepDir);
  });

  it("is self-contained: d3 and the data inlined, nothing fetched", () => {
    expect(html).toContain(d3MinSource().slice(0, 200));
    const data = dataOf(html);
    expect(data.name).toBe("policies");
    expect(data.variants).toHaveLength(4);
    expect(data.failed).toBe(0);
    expect(data.groups.map((g: { label: string }) => g.label)).toEqual(["policy=easy", "policy=fcfs"]);
    expect(data.groups.some((g: { on_front: boolean }) => g.on_front)).toBe(true);
    const first = JSON.parse(readFileSync(join(sweepDir, "results.jsonl"), "utf8").split("\n")[0]);
    expect(data.variants[0].wait_h).toBeCloseTo(first.summary.mean_wait_s / 3600, 9);
    expect(data.variants[0].score_pt).toBe(first.summary.single_score.total_pt);
    expect(html).not.toMatch(/<(script|img|iframe)[^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/<link[^>]*href\s*=\s*["']?https?:/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
  });

  it("has the chart container and the group table", () => {
    expect(html).toContain('<div id="chart-tradeoff" class="chart">');
    expect(html).toContain('<table id="sweep-groups">');
    expect(html).toMatch(/<td>policy=easy<\/td><td>2<\/td>/);
    expect(html).not.toContain('class="missing"');
  });

  it("draws one mark per variant, the group means and axes with units (fake DOM)", () => {
    const doc = drawPage(html);
    expect(notes(doc)).toEqual([]);
    expect(marks(doc)).toHaveLength(4);
    expect(chart(doc).querySelectorAll("circle").length).toBe(4 + 2);
    const texts = chart(doc).querySelectorAll("text").map((t) => t.textContent);
    expect(texts).toContain("mean wait (hours)");
    expect(texts).toContain("single score (Pt)");
  });

  it("runs are drawn over their group's mean, and runs that coincide say how many (the default scenario ignores the seed)", () => {
    const doc = drawPage(html);
    const circles = chart(doc).querySelectorAll("circle");
    const lastMean = circles.map((c) => c.className).lastIndexOf("mean");
    const firstRun = circles.findIndex((c) => c.className === "variant mark");
    expect(lastMean).toBeGreaterThanOrEqual(0);
    expect(firstRun).toBeGreaterThan(lastMean);
    // Each policy's two seeds give the same run: two labels, one per group.
    expect(chart(doc).querySelectorAll("text").filter((t) => t.textContent === "2 runs here")).toHaveLength(2);
    // The per-figure strips: 4 figures x 4 runs, and their coincidence marked per panel and group.
    const strips = doc.getElementById("chart-groups")!;
    expect(strips.querySelectorAll("circle").filter((c) => c.className === "replica")).toHaveLength(16);
    expect(strips.querySelectorAll("text").filter((t) => t.textContent === "×2")).toHaveLength(8);
  });

  it("warns that intervals from two runs say little, and marks them in the table", () => {
    expect(html).toMatch(/<p class="warning" id="replicas-warning">⚠ Groups 0, 1 have 2 runs: a 95 % interval from two runs is ±12\.706 standard errors/);
    expect(html).toMatch(/<td>policy=easy<\/td><td>2<\/td><td>[\d.,]+ ± 0 †<\/td>/);
  });

  it("never throws on missing or broken files, and says what is missing", async () => {
    const empty = join(root, "empty");
    mkdirSync(empty);
    const page = await renderSweepReport(empty);
    expect(page).toMatch(/Missing from .*sweep\.json, results\.jsonl, summary\.json/);
    expect(page).toContain("summary.json is missing or has no groups");
    expect(notes(drawPage(page))[0]).toMatch(/results\.jsonl is missing/);

    const broken = join(root, "broken");
    cpSync(sweepDir, broken, { recursive: true });
    unlinkSync(join(broken, "summary.json"));
    writeFileSync(join(broken, "results.jsonl"), readFileSync(join(sweepDir, "results.jsonl"), "utf8") + '{"index":4,"group":2,"replica":0,"values":{"policy":"x"},"error":{"name":"Error","message":"boom"}}\n{"index":5,"gr');
    const partial = await renderSweepReport(broken);
    expect(dataOf(partial).failed).toBe(1);
    const doc = drawPage(partial);
    expect(notes(doc)).toEqual([]);
    expect(marks(doc)).toHaveLength(4);
  });

  it("writeSweepReport writes report.html; `report <dir>` picks the sweep report for a sweep folder", async () => {
    const path = await writeSweepReport(sweepDir);
    expect(path).toBe(join(sweepDir, "report.html"));
    expect(readFileSync(path, "utf8")).toBe(html);
    expect(isSweepFolder(sweepDir)).toBe(true);
    expect(isSweepFolder(join(root, "runs", "easy-1"))).toBe(false);
    rmSync(path);
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    try {
      await reportCommand.handler({ dir: sweepDir, _: [], $0: "impactsim" } as never);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join("")).toBe(join(sweepDir, "report.html") + "\n");
    expect(existsSync(join(sweepDir, "waste.json"))).toBe(false);
    expect(readFileSync(path, "utf8")).toBe(html);
  });
});

describe("a sweep with spread replicas (hand-made figures)", () => {
  // Group 0: waits 1 h and 3 h (mean 2 h, s = √2 h, s/√2 = 1 h, so ± t(0.975, 1) = ± 12.706 h); group 1: 5 runs.
  const dir = join(root, "spread");
  const line = (index: number, group: number, waitH: number, pt: number) => ({ index, group, replica: index, values: { g: group }, summary: { mean_wait_s: waitH * 3600, single_score: { total_pt: pt }, impacts: { CC: { total: 10 } }, energy_j: { facility: 3.6e6 } } });
  const est = (mean: number, hw: number | null) => ({ n: 0, mean, half_width: hw, ci95: hw === null ? null : [mean - hw, mean + hw] });
  const group = (g: number, n: number, wait: [number, number | null], pt: [number, number | null]) => ({
    group: g, values: { g }, runs: n, failed: 0, on_front: true,
    metrics: { mean_wait_s: { ...est(wait[0] * 3600, wait[1] === null ? null : wait[1] * 3600), n }, single_score_pt: { ...est(pt[0], pt[1]), n }, cc_kgco2eq: { ...est(10, 0), n }, energy_facility_j: { ...est(3.6e6, 0), n } },
  });
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    const results = [line(0, 0, 1, 0.1), line(1, 0, 3, 0.1), ...[0, 1, 2, 3, 4].map((k) => line(2 + k, 1, 1.5 + 0.1 * k, 0.2))];
    writeFileSync(join(dir, "results.jsonl"), results.map((r) => JSON.stringify(r) + "\n").join(""));
    writeFileSync(join(dir, "summary.json"), JSON.stringify({ variants: 7, failed: 0, interval: "95 % Student t", groups: [group(0, 2, [2, 12.706], [0.1, 0]), group(1, 5, [1.7, 0.196], [0.2, 0])] }));
    writeFileSync(join(dir, "sweep.json"), JSON.stringify({ name: "spread", variants: 7, digest: "0" }));
  });

  it("the axes fit the runs, not a two-run interval of ±12.7 h: it is cut at the edge with arrows", async () => {
    const doc = drawPage(await renderSweepReport(dir));
    // The first axis drawn is the wait (x) axis.
    const xAxis = chart(doc).querySelectorAll("g.axis")[0];
    const hours = xAxis.querySelectorAll("g.tick").map((g) => Number(g.querySelectorAll("text")[0].textContent));
    expect(hours.length).toBeGreaterThan(3);
    // Runs span 1..3 h; the interval -10.7..14.7 h would have set the axis.
    expect(Math.min(...hours)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...hours)).toBeLessThanOrEqual(4);
    expect(chart(doc).querySelectorAll("path").filter((p) => p.className === "ci-cut")).toHaveLength(2);
    // Group 0's interval is dashed (two runs), group 1's is not.
    const ci = chart(doc).querySelectorAll("line").filter((l) => l.className === "ci");
    expect(ci.map((l) => l.getAttribute("stroke-dasharray"))).toEqual(["4,3", "4,3", null, null]);
  });

  it("replicasWarning names groups of two runs and of one, and says none for five", () => {
    const g = (group: number, n: number) => ({ group, n }) as SweepGroupRow;
    expect(replicasWarning([g(0, 5), g(1, 10)])).toBe("");
    const w = replicasWarning([g(0, 2), g(1, 5), g(2, 1)]);
    expect(w).toMatch(/^Group 0 has 2 runs: a 95 % interval from two runs is ±12\.706 standard errors/);
    expect(w).toMatch(/Group 2 has one run: no interval at all\./);
    expect(w).not.toMatch(/Group 1/);
  });
});

describe("sweepReportData", () => {
  it("converts units, keeps single-replica groups without interval and labels values", () => {
    const d = sweepReportData(
      [{ index: 0, group: 0, replica: 0, values: { pue: 1.2, policy: "easy" }, summary: { mean_wait_s: 7200, single_score: { total_pt: 0.5 } } }],
      { groups: [{ group: 0, values: { pue: 1.2, policy: "easy" }, runs: 1, failed: 0, on_front: true, metrics: { mean_wait_s: { n: 1, mean: 7200, half_width: null, ci95: null }, single_score_pt: { n: 1, mean: 0.5, half_width: null, ci95: null }, cc_kgco2eq: { n: 1, mean: 3, half_width: null, ci95: null }, energy_facility_j: { n: 1, mean: 3.6e6, half_width: null, ci95: null } } }] },
    );
    expect(d.variants[0]).toMatchObject({ wait_h: 2, score_pt: 0.5, label: "pue=1.2, policy=easy", seed: null });
    expect(d.groups[0]).toMatchObject({ wait_h: { mean: 2, lo: null, hi: null }, energy_kwh: { mean: 1, lo: null, hi: null }, on_front: true });
    expect(valuesLabel({})).toBe("(base)");
  });
});
