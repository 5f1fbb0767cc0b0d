/**
 * SiteSeries: per-site bins integrated from meter intervals fed by hand;
 * expected means and sums worked out in the comments.
 */
import { describe, expect, it } from "vitest";
import { SITE_SERIES_COLUMNS, SiteSeries, siteBinRow, type SiteBin } from "../../../src/accounting/siteSeries.js";
import { ccSeries, tinyPlatform } from "../../helpers/tinyPlatform.js";

function close(actual: number, expected: number, what = "", rel = 1e-12): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

/** One site (PUE 1.5) of 2 nodes; 0.1 kg CO2e/kWh until 1800 s, then 0.3 until 7200 s. */
const platform = () => tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: ccSeries([0, 1800], [0.1, 0.3], 7200) }], [{ nodes: 2, cores: 4, idle: 100, max: 200 }]);

function collect(step: number): { series: SiteSeries; bins: SiteBin[] } {
  const bins: SiteBin[] = [];
  return { series: new SiteSeries(platform(), step, (b) => bins.push(b)), bins };
}

describe("SiteSeries", () => {
  it("new SiteSeries(platform, step) refuses a bin width that is not > 0", () => {
    expect(() => collect(0)).toThrow(RangeError);
    expect(() => collect(Number.NaN)).toThrow(/expected a bin width > 0 s, got NaN/);
  });

  it("siteBinRow() follows SITE_SERIES_COLUMNS", () => {
    const b: SiteBin = { site: "s", start: 0, end: 1, itPowerW: 2, facilityPowerW: 3, busyNodes: 4, nodes: 5, ccIntensityGPerKwh: 6, itEnergyJ: 7, facilityEnergyJ: 8, ccUseKg: 9 };
    expect(SITE_SERIES_COLUMNS).toHaveLength(11);
    expect(siteBinRow(b)).toEqual(["s", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("bins one-hour means and sums, splitting an interval across bins and closing the last bin at the end (hand-worked)", () => {
    // Intervals: [0, 5400] at 300 W IT with 1 busy node, [5400, 7000] at 100 W with none; run ends at 7000.
    const { series, bins } = collect(3600);
    series.siteInterval(0, 0, 5400, 300, 100, 1);
    series.siteInterval(0, 5400, 7000, 100, 100, 0);
    series.finished(7000);
    expect(bins.map((b) => [b.start, b.end])).toEqual([
      [0, 3600],
      [3600, 7000],
    ]);
    const [h0, h1] = bins;
    // Bin 0: 300 W x 3600 s = 1 080 000 J IT, 1 620 000 J = 0.45 kWh facility; mean intensity
    // (0.1 x 1800 + 0.3 x 1800) / 3600 = 0.2 kg/kWh = 200 g/kWh; CC 0.225 x 0.1 + 0.225 x 0.3 = 0.09 kg.
    expect(h0.site).toBe("s");
    expect(h0.nodes).toBe(2);
    expect(h0.itEnergyJ).toBe(1_080_000);
    expect(h0.facilityEnergyJ).toBe(1_620_000);
    expect(h0.itPowerW).toBe(300);
    expect(h0.facilityPowerW).toBe(450);
    expect(h0.busyNodes).toBe(1);
    close(h0.ccIntensityGPerKwh, 200, "intensity 0");
    close(h0.ccUseKg, 0.09, "CC 0");
    // Bin 1 (3400 s): 300 x 1800 + 100 x 1600 = 700 000 J IT, 1 050 000 J facility = 0.291666... kWh
    // at 0.3 kg/kWh = 0.0875 kg; mean IT power 700 000 / 3400 W; busy 1800 / 3400 nodes.
    expect(h1.itEnergyJ).toBe(700_000);
    expect(h1.facilityEnergyJ).toBe(1_050_000);
    close(h1.itPowerW, 700_000 / 3400, "power 1");
    close(h1.busyNodes, 1800 / 3400, "busy 1");
    close(h1.ccIntensityGPerKwh, 300, "intensity 1");
    close(h1.ccUseKg, 0.0875, "CC 1");
  });

  it("emits a bin that ends exactly at the end of the run once", () => {
    const { series, bins } = collect(3600);
    series.siteInterval(0, 0, 3600, 200, 0, 1);
    series.finished(3600);
    expect(bins).toHaveLength(1);
    expect(bins[0].end).toBe(3600);
  });

  it("the bins' energies add up to the intervals' energy, whatever the bin width", () => {
    // 250 W for 1234 s + 130 W for 4321 s = 308 500 + 561 730 = 870 230 J IT.
    for (const step of [60, 600, 1000, 3600, 10_000]) {
      const { series, bins } = collect(step);
      series.siteInterval(0, 0, 1234, 250, 0, 1);
      series.siteInterval(0, 1234, 5555, 130, 0, 1);
      series.finished(5555);
      let it = 0;
      for (const b of bins) it += b.itEnergyJ;
      close(it, 870_230, `step ${step}`, 1e-12);
      expect(bins[bins.length - 1].end).toBe(5555);
    }
  });
});
