/**
 * The run report: one self-contained HTML file (d3, data and CSS inlined, no
 * URLs to fetch), every chart container present, and the page script run
 * against a small fake DOM (fakeDom.ts) drawing marks in every chart without
 * a note of failure. The real-browser check is test/e2e/report-browser.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../../../src/run/runScenario.js";
import { creditsNote, d3MinSource, ganttData, renderRunReport, runTitle, userData, writeRunReport, type ImpactData } from "../../../src/report/runReport.js";
import type { RunSummary } from "../../../src/run/summary.js";
import { FakeDocument, type FakeElement } from "./fakeDom.js";

const CHARTS = ["chart-power", "chart-gantt", "chart-impacts", "chart-projects"];
const root = mkdtempSync(join(tmpdir(), "impactsim-report-"));
const runDir = join(root, "run");
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  await runScenario({ overrides: { out: runDir } });
}, 60_000);

/** Runs the page's inline scripts on a fake document holding the report's containers. */
function drawPage(html: string): FakeDocument {
  const doc = new FakeDocument();
  for (const id of [...CHARTS, "tooltip"]) {
    const div = doc.createElement("div");
    div.setAttribute("id", id);
    doc.body.appendChild(div);
  }
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1];
  const data = doc.createElement("script");
  data.setAttribute("id", "report-data");
  data.textContent = json;
  doc.body.appendChild(data);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  const errors: unknown[] = [];
  const context: Record<string, unknown> = { document: doc, console: { ...console, error: (...a: unknown[]) => errors.push(a) } };
  context.window = context;
  for (const s of scripts) runInNewContext(s, context);
  expect(errors).toEqual([]);
  return doc;
}

const marks = (doc: FakeDocument, id: string) => doc.getElementById(id)!.querySelectorAll("svg").flatMap((s: FakeElement) => s.querySelectorAll(".mark"));
const notes = (doc: FakeDocument, id: string) => doc.getElementById(id)!.querySelectorAll(".missing").map((e) => e.textContent);

describe("renderRunReport", () => {
  let html = "";
  beforeAll(async () => {
    html = await renderRunReport(runDir);
  });

  it("is self-contained: d3 and the data inlined, nothing fetched", () => {
    expect(html).toContain(d3MinSource().slice(0, 200));
    expect(html).toContain('<script type="application/json" id="report-data">');
    const data = JSON.parse(/id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(data.sites.length).toBe(2);
    expect(data.gantt.total).toBeGreaterThan(1000);
    // The 16 EF categories, then primary energy: shown, never weighted.
    expect(data.impacts.categories).toHaveLength(17);
    expect(data.impacts.categories[16]).toMatchObject({ id: "PE", unit: "MJ", score_pt: null, score_share: null });
    expect(data.impacts.categories[0].score_pt).toBeGreaterThan(0);
    expect(data.projects.rows.length).toBeGreaterThan(0);
    // No external resources: no src= or href= at all, no CSS imports or url().
    expect(html).not.toMatch(/<(script|img|iframe)[^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/<link[^>]*href\s*=\s*["']?https?:/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
  });

  it("has every chart container and the waste tables", () => {
    for (const id of CHARTS) expect(html).toContain(`<div id="${id}" class="chart">`);
    for (const id of ["waste-idle", "waste-sites", "waste-projects"]) expect(html).toContain(`<table id="${id}">`);
  });

  it("draws marks in every chart (fake DOM)", () => {
    const doc = drawPage(html);
    for (const id of CHARTS) {
      expect(notes(doc, id), id).toEqual([]);
      expect(marks(doc, id).length, id).toBeGreaterThan(0);
    }
    // Two sites x four series; one bar per drawn job; 16 categories.
    expect(marks(doc, "chart-power")).toHaveLength(2 * 4);
    expect(marks(doc, "chart-gantt").length).toBeGreaterThan(1000);
    expect(doc.getElementById("chart-impacts")!.querySelectorAll("text").some((t) => /proxy \d+ %/.test(t.textContent))).toBe(true);
    // Per category, the share resting on proxies as summary.json gives it: climate change's, and PE's (all of it: the per-kWh estimate).
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as RunSummary;
    const labels = doc.getElementById("chart-impacts")!.querySelectorAll("text").map((t) => t.textContent);
    expect(labels).toContain(`proxy ${(100 * summary.impacts.CC.proxy_share).toFixed(0)} %`);
    expect(summary.impacts.PE.proxy_share).toBe(1);
    expect(labels.filter((l) => l === "proxy 100 %").length).toBeGreaterThanOrEqual(2);
  });

  it("hides only the chart of a missing file, with a note", async () => {
    const partial = join(root, "partial");
    cpSync(runDir, partial, { recursive: true });
    unlinkSync(join(partial, "sites.csv"));
    const page = await renderRunReport(partial);
    expect(page).toMatch(/Missing from .*sites\.csv/);
    const doc = drawPage(page);
    expect(notes(doc, "chart-power")[0]).toMatch(/sites\.csv is missing/);
    expect(marks(doc, "chart-gantt").length).toBeGreaterThan(0);
  });

  it("writeRunReport writes report.html and waste.json", async () => {
    const path = await writeRunReport(runDir);
    expect(path).toBe(join(runDir, "report.html"));
    expect(readFileSync(path, "utf8")).toBe(html);
    const waste = JSON.parse(readFileSync(join(runDir, "waste.json"), "utf8"));
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(waste.total.jobs).toBe(summary.jobs);
    expect(waste.total.jobs_killed).toBe(summary.jobs_killed);
    expect(waste.total.idle.energy_facility_j).toBeCloseTo(summary.energy_j.overhead_facility, 0);
    expect(existsSync(join(runDir, "waste.json"))).toBe(true);
  });
});

describe("what the page says (issue 10, item 13)", () => {
  let html = "";
  beforeAll(async () => {
    html = await renderRunReport(runDir);
  });

  it("every site's intensity panel has one shared y domain (the French grid is drawn on the German grid's scale)", () => {
    const doc = drawPage(html);
    const panels = doc.getElementById("chart-power")!.querySelectorAll("g.intensity");
    expect(panels).toHaveLength(2);
    const domains = panels.map((g) => g.getAttribute("data-domain"));
    expect(new Set(domains).size).toBe(1);
    // The German series peaks near 600 g/kWh in the default scenario (traces/grid/de_ci_2020.csv); France stays below 100.
    expect(Number(domains[0]!.split(",")[1])).toBeGreaterThanOrEqual(500);
  });

  it("no axis tick carries an SI prefix: the single score reads 0.02, not 20m", () => {
    const doc = drawPage(html);
    // Numeric ticks (the user names of the bar charts' band axis are not numbers).
    const ticks = doc.querySelectorAll("g").filter((g) => g.className === "tick").flatMap((g) => g.querySelectorAll("text")).map((t) => t.textContent).filter((t) => /^[−-]?\d/.test(t));
    expect(ticks.length).toBeGreaterThan(20);
    expect(ticks).toContain("0.02");
    for (const t of ticks) expect(t).toMatch(/^[−-]?[\d,]*\.?\d+(e[−+-]?\d+)?%?$/);
  });

  it("the default trace has one project (g1): its users are charted instead, and the page says so", () => {
    const data = JSON.parse(/id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(data.projects.by).toBe("user");
    expect(data.projects.project).toBe("g1");
    expect(data.projects.rows.length).toBeGreaterThan(1);
    expect(html).toContain("<h2>Energy and impacts by user</h2>");
    expect(html).toMatch(/The trace has one project \(g1\), so its users are shown instead/);
  });

  it("negative shares (the ADEME server's water use, land use, freshwater eutrophication) get a credits note", () => {
    expect(html).toMatch(/<p class="note credits" id="credits-note">Credits: .*Water use \(-[\d,.]+ m3 world eq deprived\)/);
    expect(html).toMatch(/so the positive shares add up to 1\d\d\.\d %/);
  });

  it("the idle table splits its climate change into electricity and embodied, and says so", () => {
    expect(html).toMatch(/<th>electricity \(use\)<\/th><th>embodied<\/th><th>total<\/th>/);
    expect(html).toContain('id="idle-note">Idle nodes are charged their electricity and the embodied impacts');
  });

  it("the title names the trace that ran, from the provenance inputs", () => {
    expect(html).toMatch(/<h1>impactsim run report: HPC2N-2002-2\.2-first3170jobs-alea\.swf\.gz under easy \(scenario default\)<\/h1>/);
  });
});

describe("runTitle, creditsNote and userData", () => {
  const provenance = (paths: string[]) => ({ tool: "impactsim", version: "0", node: "20", seed: 7, policy: { name: "easy", version: "1", params: {} }, forecast_error: { bias: 0, sigma: 0 }, inputs: paths.map((path) => ({ path, sha256: "0" })) });

  it("a --workload run of the default scenario is titled by its trace, not as the scenario's", () => {
    const s = { scenario: "default", provenance: provenance(["scenarios/default.json", "traces/KTH-SP2-1996-2.1-cln.swf.gz", "platforms/single-core-node.json"]) } as unknown as RunSummary;
    expect(runTitle(s, "/r")).toEqual({
      title: "impactsim run report: KTH-SP2-1996-2.1-cln.swf.gz under easy (scenario default)",
      inputs: "Inputs (with their SHA-256 in summary.json's provenance): scenarios/default.json, traces/KTH-SP2-1996-2.1-cln.swf.gz, platforms/single-core-node.json; seed 7.",
    });
    expect(runTitle(undefined, "/r").title).toBe("impactsim run report: /r");
  });

  it("creditsNote: none without a negative figure; with one, names it and the sum of the positive shares", () => {
    const cat = (id: string, name: string, total: number, share: number) => ({ id, name, unit: "u", total, by_phase: { fabrication: total, use: 0 }, proxy_share: 0, missing_phases: [], score_pt: share, score_share: share });
    const impacts = (cats: ImpactData["categories"]): ImpactData => ({ phases: ["fabrication", "use"], method: "EF 3.1", score_total: 1, categories: cats });
    expect(creditsNote(impacts([cat("CC", "Climate change", 5, 0.6), cat("WU", "Water use", 2, 0.4)]))).toBe("");
    // 0.7 + 0.4 - 0.1 = 1: the positive shares add up to 110 %.
    const note = creditsNote(impacts([cat("CC", "Climate change", 5, 0.7), cat("RUF", "Resource use, fossils", 3, 0.4), cat("WU", "Water use", -2, -0.1)]));
    expect(note).toMatch(/^Credits: Water use \(-2 u\) is negative in the fabrication phase:/);
    expect(note).toMatch(/positive shares add up to 110\.0 %\.$/);
  });

  it("userData sums each user's jobs, energy and impacts and sorts by energy", () => {
    const row = (user: string, j: number, cc: number) => ({ user, energy_facility_j: String(j), cc_kgco2eq: String(cc), single_score_pt: "0.5" });
    const u = userData([row("3", 3.6e6, 1), row("10", 7.2e6, 2), row("3", 7.2e6, 1)], "g1");
    expect(u).toEqual({
      by: "user",
      total: 2,
      project: "g1",
      rows: [
        { name: "user 3", jobs: 2, energy_kwh: 3, cc_kgco2eq: 2, single_score_pt: 1 },
        { name: "user 10", jobs: 1, energy_kwh: 2, cc_kgco2eq: 2, single_score_pt: 0.5 },
      ],
    });
  });
});

describe("ganttData", () => {
  const row = (id: number, start: number, end: number, site = "A") => ({ job_id: String(id), start: String(start), end: String(end), site, device: "cpu", nodes: "1", status: "completed", project: "p", workflow: "", task: "" });

  it("packs non-overlapping jobs into the same lane, per site", () => {
    const g = ganttData([row(1, 0, 10), row(2, 5, 15), row(3, 10, 20), row(4, 0, 5, "B")]);
    expect(g.jobs.map((j) => [j[0], j[10]])).toEqual([["1", 0], ["4", 0], ["2", 1], ["3", 0]]);
    expect(g.sites).toEqual([{ id: "A", lanes: 2 }, { id: "B", lanes: 1 }]);
    expect(g.colourBy).toBe("site");
  });

  it("samples big runs to at most the limit and says by how much", () => {
    const rows = Array.from({ length: 4500 }, (_, i) => row(i, i, i + 1));
    const g = ganttData(rows, 2000);
    expect(g.shown).toBeLessThanOrEqual(2000);
    expect(g.total).toBe(4500);
    expect(g.stride).toBe(3);
  });
});
