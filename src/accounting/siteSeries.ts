/**
 * Per-site time series in fixed bins (default one hour), integrated exactly
 * from the simulator's meter intervals: mean IT and facility power, mean busy
 * nodes, mean climate-change intensity, energy and climate-change impact per
 * bin. Rows are emitted as bins close, so memory stays constant.
 */
import { categoryIndex } from "../core/index.js";
import { JOULES_PER_KWH } from "../core/index.js";
import type { PlatformModel } from "../models/index.js";
import type { SimObserver } from "../sim/index.js";

const CC = categoryIndex("CC");

export interface SiteBin {
  readonly site: string;
  readonly start: number;
  readonly end: number;
  readonly itPowerW: number;
  readonly facilityPowerW: number;
  readonly busyNodes: number;
  readonly nodes: number;
  /** Mean climate-change intensity, g CO2e per kWh. */
  readonly ccIntensityGPerKwh: number;
  readonly itEnergyJ: number;
  readonly facilityEnergyJ: number;
  /** Use-phase climate change, kg CO2e. */
  readonly ccUseKg: number;
}

export const SITE_SERIES_COLUMNS = [
  "site",
  "start_s",
  "end_s",
  "it_power_w",
  "facility_power_w",
  "busy_nodes",
  "nodes",
  "cc_intensity_g_per_kwh",
  "it_energy_j",
  "facility_energy_j",
  "cc_use_kgco2eq",
] as const;

export function siteBinRow(b: SiteBin): (string | number)[] {
  return [b.site, b.start, b.end, b.itPowerW, b.facilityPowerW, b.busyNodes, b.nodes, b.ccIntensityGPerKwh, b.itEnergyJ, b.facilityEnergyJ, b.ccUseKg];
}

/** Receives a closed bin: its site and its other cells in SITE_SERIES_COLUMNS' order (start_s to cc_use_kgco2eq), in an array reused for the next bin. */
type BinCells = (site: string, cells: Float64Array) => void;

export class SiteSeries implements SimObserver {
  private readonly bin: Int32Array;
  private readonly energy: Float64Array;
  private readonly busySeconds: Float64Array;
  private readonly ccKg: Float64Array;
  private readonly nodes: number[];
  private readonly cells = new Float64Array(SITE_SERIES_COLUMNS.length - 1);
  private sink: BinCells;

  constructor(private readonly platform: PlatformModel, private readonly step: number, emit: (b: SiteBin) => void) {
    if (!(step > 0)) throw new RangeError(`SiteSeries: expected a bin width > 0 s, got ${step}`);
    const n = platform.sites.length;
    this.bin = new Int32Array(n);
    this.energy = new Float64Array(n);
    this.busySeconds = new Float64Array(n);
    this.ccKg = new Float64Array(n);
    this.nodes = platform.sites.map((_, s) => platform.pools.filter((p) => p.site === s).reduce((a, p) => a + p.count, 0));
    this.sink = (site, c) => emit({ site, start: c[0], end: c[1], itPowerW: c[2], facilityPowerW: c[3], busyNodes: c[4], nodes: c[5], ccIntensityGPerKwh: c[6], itEnergyJ: c[7], facilityEnergyJ: c[8], ccUseKg: c[9] });
  }

  /**
   * A series that hands each bin's cells over as numbers in a reused array,
   * for a CSV writer to take as they are (sites.csv: no object or array made
   * per row).
   */
  static cells(platform: PlatformModel, step: number, sink: BinCells): SiteSeries {
    const series = new SiteSeries(platform, step, () => {});
    series.sink = sink;
    return series;
  }

  siteInterval(s: number, from: number, to: number, itWatts: number, _overhead: number, busy: number): void {
    const step = this.step;
    let a = from;
    while (a < to) {
      const k = Math.floor(a / step);
      while (this.bin[s] < k) this.close(s);
      const b = Math.min(to, (k + 1) * step);
      const dt = b - a;
      this.energy[s] += itWatts * dt;
      this.busySeconds[s] += busy * dt;
      this.ccKg[s] += itWatts * this.platform.sites[s].pue * this.platform.sites[s].intensity.series.integral(a, b, CC);
      a = b;
      if (b === (k + 1) * step) this.close(s);
    }
  }

  finished(end: number): void {
    this.platform.sites.forEach((_, s) => {
      if (this.bin[s] * this.step < end) this.close(s, end);
    });
  }

  private close(s: number, end?: number): void {
    const site = this.platform.sites[s];
    const start = this.bin[s] * this.step;
    const stop = end ?? start + this.step;
    const width = stop - start;
    const it = this.energy[s];
    const c = this.cells;
    c[0] = start;
    c[1] = stop;
    c[2] = it / width;
    c[3] = (it * site.pue) / width;
    c[4] = this.busySeconds[s] / width;
    c[5] = this.nodes[s];
    c[6] = (site.intensity.series.integral(start, stop, CC) / width) * 1000 * JOULES_PER_KWH;
    c[7] = it;
    c[8] = it * site.pue;
    c[9] = this.ccKg[s];
    this.sink(site.id, c);
    this.bin[s]++;
    this.energy[s] = this.busySeconds[s] = this.ccKg[s] = 0;
  }
}
