/**
 * sites.csv as a run writes it: SiteSeries.cells hands each bin's numbers to
 * the writer in a reused array. Its rows are the bins' (siteBinRow, whose
 * values test/unit/accounting/siteSeries.test.ts works out by hand) in
 * SITE_SERIES_COLUMNS' order, and the file written through the threaded
 * writer is the oracle's text of those rows (each number as String(x),
 * cells joined by commas), here with two sites and many bins.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SITE_SERIES_COLUMNS, SiteSeries, siteBinRow, type SiteBin } from "../../../src/accounting/siteSeries.ts";
import { ThreadedCsvWriter } from "../../../src/io/csvThread.ts";
import { ccSeries, tinyPlatform } from "../../helpers/tinyPlatform.ts";

const dir = mkdtempSync(join(tmpdir(), "impactsim-sitescsv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const platform = () =>
  tinyPlatform(
    [
      { id: "north", pue: 1.5, kgPerKwh: ccSeries([0, 1800], [0.1, 0.3], 1e7) },
      { id: "south, bay", pue: 1.2, kgPerKwh: 0.05 },
    ],
    [
      { nodes: 2, cores: 4, idle: 100, max: 200 },
      { nodes: 3, cores: 8, idle: 80, max: 300, site: 1 },
    ],
  );

/** The same meter intervals, over about 300 bins a site. */
function feed(series: SiteSeries): void {
  for (let t = 0; t < 1e6; t += 977) {
    series.siteInterval(0, t, t + 977, 150 + (t % 300), 0, (t % 7) / 3);
    series.siteInterval(1, t, t + 977, 90 + (t % 11) / 3, 0, 1);
  }
  series.finished(1e6 + 500);
}

describe("sites.csv rows", () => {
  it("SiteSeries.cells hands over each bin's site and numbers in SITE_SERIES_COLUMNS' order, the bins siteBinRow gives", () => {
    const bins: SiteBin[] = [];
    feed(new SiteSeries(platform(), 3600, (b) => bins.push(b)));
    const rows: (string | number)[][] = [];
    feed(SiteSeries.cells(platform(), 3600, (site, cells) => rows.push([site, ...cells])));
    expect(rows.length).toBeGreaterThan(500);
    expect(rows).toEqual(bins.map(siteBinRow));
    expect(rows[0]).toHaveLength(SITE_SERIES_COLUMNS.length);
  });

  it("written on the output thread (text, numbers, end), the file is the oracle's text of siteBinRow's rows", async () => {
    const bins: SiteBin[] = [];
    feed(new SiteSeries(platform(), 3600, (b) => bins.push(b)));
    const path = join(dir, "sites.csv");
    const w = await ThreadedCsvWriter.open(path, SITE_SERIES_COLUMNS, 100);
    feed(SiteSeries.cells(platform(), 3600, (site, cells) => w.text(site).numbers(cells, 0, cells.length).end()));
    expect(w.threaded).toBe(true);
    w.close();
    const cell = (c: string | number) => (typeof c === "number" ? String(c) : /[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
    const oracle = [SITE_SERIES_COLUMNS.join(","), ...bins.map((b) => siteBinRow(b).map(cell).join(","))].map((l) => l + "\n").join("");
    expect(readFileSync(path, "utf8")).toBe(oracle);
    expect(w.lines).toBe(bins.length);
  });
});
