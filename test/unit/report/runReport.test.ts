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
import { d3MinSource, ganttData, renderRunReport, writeRunReport } from "../../../src/report/runReport.js";
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
    expect(data.impacts.categories).toHaveLength(16);
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
