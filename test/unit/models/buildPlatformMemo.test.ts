/**
 * buildPlatform keeps a site's intensity built from a series file for the
 * process (io FileMemo) while the file is unchanged: a later build gives the
 * same series, counts the reading's adjustments again, and a changed file is
 * read again. Expectations worked by hand from the files written here.
 */
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { categoryIndex } from "../../../src/core/categories.js";
import { AdjustmentLog } from "../../../src/core/errors.js";
import { readElectricityFactors } from "../../../src/io/electricityFactors.js";
import type { PlatformSpec } from "../../../src/io/spec.js";
import { buildPlatform } from "../../../src/models/buildPlatform.js";
import { useTempCache } from "../../helpers/tempCache.js";

const root = (p: string) => new URL(`../../../${p}`, import.meta.url).pathname;
const CC = categoryIndex("CC");
const tempDir = useTempCache("impactsim-buildmemo-");

/** The bundled two-site platform with the French site on a series file in the test's folder, the German one on static factors. */
function platformWith(seriesFile: string): PlatformSpec {
  const spec = JSON.parse(readFileSync(root("platforms/two-site-eu.json"), "utf8")) as PlatformSpec;
  const [fr, de] = spec.sites;
  const series = { kind: "carbon_intensity", file: seriesFile, time_column: "Time", value_column: "ci", timezone: "UTC" };
  return { ...spec, sites: [{ ...fr, grid: { zone: fr.grid.zone, series } }, { ...de, grid: { zone: de.grid.zone } }] } as PlatformSpec;
}

/** Hourly rows from 2020-01-01T00:00Z; the 02:00 row missing (a gap held from 01:00). */
function writeSeries(path: string, g: readonly number[]): void {
  const rows = g.map((x, h) => (h === 2 ? undefined : `2020-01-01T${String(h).padStart(2, "0")}:00:00Z,${x}`)).filter((r) => r !== undefined);
  writeFileSync(path, `Time,ci\n${rows.join("\n")}\n`);
}

describe("buildPlatform(): a site's series intensity kept while its file is unchanged", () => {
  it("gives the same intensity to a later build, counts the reading's adjustments in each build's log, and reads a changed file again", async () => {
    const csv = join(tempDir(), "ci.csv");
    writeSeries(csv, [100, 200, 0, 400]);
    const file = join(tempDir(), "platform.json");
    const zones = await readElectricityFactors(root("platforms/electricity/electricity_factors_by_zone.csv"));
    const t0Epoch = Date.UTC(2020, 0, 1) / 1000;
    const build = async () => {
      const log = new AdjustmentLog();
      const built = await buildPlatform(platformWith("ci.csv"), { file, zones, t0Epoch, extension: "hold", log });
      return { intensity: built.model.sites[0].intensity, log: log.toJSON() };
    };
    const a = await build();
    const b = await build();
    expect(b.intensity).toBe(a.intensity);
    // The missing 02:00 row: one gap filled, in each build's count.
    expect(a.log).toEqual({ gap_filled: 1 });
    expect(b.log).toEqual({ gap_filled: 1 });
    // 200 g/kWh held over [3600, 10800) s: 200 / 3.6e9 kg per J.
    expect(a.intensity.series.valueAt(9000, CC)).toBeCloseTo(200 / 3.6e9, 20);
    expect(a.intensity.series.valueAt(11000, CC)).toBeCloseTo(400 / 3.6e9, 20);
    writeSeries(csv, [100, 300, 0, 500]);
    const c = await build();
    expect(c.intensity).not.toBe(a.intensity);
    expect(c.intensity.series.valueAt(9000, CC)).toBeCloseTo(300 / 3.6e9, 20);
    expect(c.log).toEqual({ gap_filled: 1 });
  });

  it("builds it again each time with the parse cache off (IMPACTSIM_CACHE=off), to the same values", async () => {
    process.env.IMPACTSIM_CACHE = "off";
    const csv = join(tempDir(), "ci.csv");
    writeSeries(csv, [100, 200, 0, 400]);
    const zones = await readElectricityFactors(root("platforms/electricity/electricity_factors_by_zone.csv"));
    const build = async () => (await buildPlatform(platformWith("ci.csv"), { file: join(tempDir(), "platform.json"), zones, t0Epoch: Date.UTC(2020, 0, 1) / 1000, extension: "hold", log: new AdjustmentLog() })).model.sites[0].intensity;
    const a = await build();
    const b = await build();
    expect(b).not.toBe(a);
    expect(b.series.valueAt(9000, CC)).toBe(a.series.valueAt(9000, CC));
  });
});
