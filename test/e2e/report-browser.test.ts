/**
 * The run and sweep reports in a real browser: Debian's chromium driven by
 * playwright-core opens report.html of a small run (and of a hand-made sweep
 * folder of real runs) offline, with every non-file request refused, and finds
 * no console error and drawn marks in every chart (one per sweep variant);
 * and what the rendered page shows: one intensity scale shared by every site,
 * tick labels without SI prefixes, a note beside negative single-score shares
 * (credits), and on the sweep page every run visible over its group mean and a
 * warning about intervals from two runs.
 * Skipped where either is missing (CI installs them in a later issue).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runScenario } from "../../src/run/runScenario.js";
import { writeRunReport } from "../../src/report/runReport.js";
import { writeSweepReport } from "../../src/report/sweepReport.js";
import { summarizeSweep, type SweepResult } from "../../src/sweep/stats.js";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const CHARTS = ["chart-power", "chart-gantt", "chart-impacts", "chart-projects"];

function resolvable(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const available = existsSync(CHROMIUM) && resolvable("playwright-core");
const root = mkdtempSync(join(tmpdir(), "impactsim-report-browser-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Opens `file` offline (non-file requests refused), runs `check` on the page and expects no console error and no refused request. */
async function inBrowser(file: string, check: (page: any) => Promise<unknown>): Promise<unknown> {
  const moduleName = "playwright-core"; // a variable: the package is optional, so tsc must not resolve it
  const { chromium } = (await import(moduleName)) as { chromium: { launch(o: object): Promise<any> } };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const refused: string[] = [];
    page.on("console", (m: { type(): string; text(): string }) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e: Error) => errors.push(e.message));
    await page.route("**/*", (route: { request(): { url(): string }; continue(): Promise<void>; abort(): Promise<void> }) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      refused.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const result = await check(page);
    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
    return result;
  } finally {
    await browser.close();
  }
}

describe.skipIf(!available)("run and sweep reports in headless Chromium (needs Debian's chromium and playwright-core; CI installs them in a later issue)", () => {
  it("loads offline without console errors and draws every chart", async () => {
    const dir = join(root, "workflows");
    await runScenario({ scenario: join(__dirname, "../../scenarios/workflow-continuum.json"), overrides: { out: dir } });
    const file = await writeRunReport(dir);
    const counts = (await inBrowser(file, (page) =>
      page.evaluate(
        (ids: string[]) => ids.map((id) => ({ id, marks: document.querySelectorAll(`#${id} svg .mark`).length, notes: document.querySelectorAll(`#${id} .missing`).length })),
        CHARTS,
      ),
    )) as { id: string; marks: number; notes: number }[];
    for (const c of counts) {
      expect(c.notes, c.id).toBe(0);
      expect(c.marks, c.id).toBeGreaterThan(0);
    }
    const seen = (await inBrowser(file, (page) =>
      page.evaluate(() => {
        const data = JSON.parse(document.getElementById("report-data")!.textContent!) as { sites: unknown[]; impacts: { categories: { score_share: number | null }[] } };
        return {
          sites: data.sites.length,
          domains: Array.from(document.querySelectorAll("#chart-power g.intensity")).map((g) => g.getAttribute("data-domain")),
          // Ticks of the numeric axes (the bar charts' band axis names projects or users).
          ticks: Array.from(document.querySelectorAll(".chart svg .axis:not(.band) .tick text")).map((t) => t.textContent ?? ""),
          negativeShares: data.impacts.categories.filter((c) => c.score_share !== null && c.score_share < 0).length,
          creditBars: document.querySelectorAll("#chart-impacts svg rect.credit").length,
          creditsNote: document.getElementById("credits-note")?.textContent ?? "",
        };
      }),
    )) as { sites: number; domains: string[]; ticks: string[]; negativeShares: number; creditBars: number; creditsNote: string };
    // One intensity panel per site, all on the same y domain.
    expect(seen.domains).toHaveLength(seen.sites);
    expect(seen.sites).toBe(3);
    expect(new Set(seen.domains).size).toBe(1);
    // Numeric ticks are plain or scientific numbers: "0.05", "1,000", "2e-4", never "50m" or "1k".
    expect(seen.ticks.length).toBeGreaterThan(20);
    for (const t of seen.ticks) expect(t).toMatch(/^[−-]?[\d,]*\.?\d+(e[−+-]?\d+)?%?$/);
    // The bundled platforms' embodied figures are negative for water use, land use and freshwater eutrophication.
    expect(seen.negativeShares).toBeGreaterThan(0);
    expect(seen.creditBars).toBe(seen.negativeShares);
    expect(seen.creditsNote).toMatch(/^Credits: .*Water use/);
  }, 180_000);

  it("sweep report: loads offline without console errors, one scatter mark per variant", async () => {
    const dir = join(root, "sweep");
    mkdirSync(dir, { recursive: true });
    const results: SweepResult[] = [];
    // Two groups far apart on the chart: jobs sharing nodes, and jobs holding whole nodes (hours more wait).
    for (const [group, allocation] of ["shared", "exclusive"].entries()) {
      const { summary } = await runScenario({ overrides: { exclusive: allocation === "exclusive", summaryOnly: true, out: join(root, `run-${allocation}`) } });
      // Two replicas per group (the default scenario's trace does not depend on the seed).
      for (const replica of [0, 1]) results.push({ index: results.length, group, replica, values: { allocation }, seed: replica + 1, summary });
    }
    writeFileSync(join(dir, "results.jsonl"), results.map((r) => JSON.stringify(r) + "\n").join(""));
    writeFileSync(join(dir, "summary.json"), JSON.stringify(summarizeSweep(results), null, 2));
    writeFileSync(join(dir, "sweep.json"), JSON.stringify({ name: "policies", variants: results.length, digest: "0" }));
    const file = await writeSweepReport(dir);
    const found = (await inBrowser(file, (page) =>
      page.evaluate(() => ({
        marks: document.querySelectorAll("#chart-tradeoff svg .mark").length,
        means: document.querySelectorAll("#chart-tradeoff svg circle.mean").length,
        notes: document.querySelectorAll(".missing").length,
        rows: document.querySelectorAll("#sweep-groups tr").length,
      })),
    )) as { marks: number; means: number; notes: number; rows: number };
    expect(found).toEqual({ marks: results.length, means: 2, notes: 0, rows: 1 + 2 });
    const shown = (await inBrowser(file, (page) =>
      page.evaluate(() => {
        const svg = document.querySelector("#chart-tradeoff svg")!;
        const circles = Array.from(svg.querySelectorAll("circle"));
        // A run is visible when the topmost element at its centre is a run (itself, or an identical replica), not its group's ring.
        const visible = circles.filter((c) => c.classList.contains("variant")).filter((c) => {
          // elementFromPoint sees the viewport only: bring the run into it first.
          c.scrollIntoView({ block: "center", inline: "center" });
          const r = c.getBoundingClientRect();
          return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)?.classList.contains("variant") === true;
        }).length;
        return {
          visible,
          stacked: Array.from(svg.querySelectorAll("text.stack")).map((t) => t.textContent),
          warning: document.getElementById("replicas-warning")?.textContent ?? "",
          strips: document.querySelectorAll("#chart-groups svg circle.replica").length,
        };
      }),
    )) as { visible: number; stacked: string[]; warning: string; strips: number };
    // Every run is on top of its group's mean; the two identical replicas of each group are labelled as such.
    expect(shown.visible).toBe(results.length);
    expect(shown.stacked).toEqual(["2 runs here", "2 runs here"]);
    expect(shown.warning).toMatch(/Groups 0, 1 have 2 runs: a 95 % interval from two runs/);
    expect(shown.strips).toBe(4 * results.length);
  }, 180_000);
});
