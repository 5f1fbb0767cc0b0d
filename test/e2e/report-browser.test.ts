/**
 * The run report in a real browser: Debian's chromium driven by playwright-core
 * opens report.html of a small run offline, with every non-file request
 * refused, and finds no console error and drawn marks in every chart.
 * Skipped where either is missing (CI installs them in a later issue).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runScenario } from "../../src/run/runScenario.js";
import { writeRunReport } from "../../src/report/runReport.js";

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

describe.skipIf(!available)("run report in headless Chromium (needs Debian's chromium and playwright-core; CI installs them in a later issue)", () => {
  it("loads offline without console errors and draws every chart", async () => {
    const dir = join(root, "workflows");
    await runScenario({ scenario: join(__dirname, "../../scenarios/workflow-continuum.json"), overrides: { out: dir } });
    const file = await writeRunReport(dir);
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
      const counts = (await page.evaluate(
        (ids: string[]) => ids.map((id) => ({ id, marks: document.querySelectorAll(`#${id} svg .mark`).length, notes: document.querySelectorAll(`#${id} .missing`).length })),
        CHARTS,
      )) as { id: string; marks: number; notes: number }[];
      expect(errors).toEqual([]);
      expect(refused).toEqual([]);
      for (const c of counts) {
        expect(c.notes, c.id).toBe(0);
        expect(c.marks, c.id).toBeGreaterThan(0);
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
