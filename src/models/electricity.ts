/**
 * Impact intensity of a site's electricity: impacts per joule drawn at the
 * facility meter, as a piecewise-constant series over simulation time
 * (seconds), so that integrating power (W) times intensity gives impacts, and
 * the ENERGY coordinate (always 1 per joule) gives the energy itself.
 *
 * Three ways to build one, and the basis each coordinate gets:
 * - intensityStatic: the zone's static factors; every coordinate keeps the
 *   zone's basis (Data; Proxy such as WU; Missing such as HTC, HTNC, ETF).
 * - intensityFromCarbonSeries: CC comes from the gCO2e/kWh series and is Data;
 *   every other category keeps the zone's static value and basis.
 * - intensityFromMix: a category that every source's table gives is Data; one
 *   that no source gives keeps the zone's value and basis; one that only some
 *   sources give uses the zone's value for the other sources' shares and is
 *   Proxy (Missing when the zone lacks it too).
 * ENERGY is 1 per joule and Data in all three. PE (primary energy) is one
 * more indicator, treated as the categories are.
 *
 * The series' segments start at each row's time minus t0Epoch and the last one
 * ends one step after the last row; beyond that, `extension` decides ("error",
 * "hold" or "repeat", see core/timeseries.ts).
 */
import { categoryIndex, ENERGY, INDICATORS, N_COORDS } from "../core/index.js";
import { type Issue, InputError } from "../core/index.js";
import { Basis, type FactorVector } from "../core/index.js";
import { type Extension, TimeSeries } from "../core/index.js";
import { MAX_G_CO2E_PER_KWH } from "../core/index.js";
import { gPerKwhToKgPerJoule, perKwhToPerJoule } from "../core/index.js";
import type { RawSeries } from "../io/index.js";

/** Impact intensity of a site's electricity: per joule drawn at the facility meter; series times are simulation seconds. */
export interface ImpactIntensity {
  /** dim N_COORDS: the 16 EF 3.1 categories per joule, ENERGY = 1 per joule, then PE (MJ per joule). */
  readonly series: TimeSeries;
  /** Basis per coordinate (see the module comment). */
  readonly basis: Uint8Array;
  readonly source: string;
}

/**
 * A constant intensity: the zone's static factors at all times.
 * @param zone per-joule factors (e.g. from readElectricityFactors)
 * @throws RangeError when zone is not a vector of N_COORDS coordinates
 */
export function intensityStatic(zone: FactorVector): ImpactIntensity {
  checkZone("intensityStatic", zone);
  const row = zoneRow(zone);
  const basis = Uint8Array.from(zone.basis);
  basis[ENERGY] = Basis.Data;
  return { series: TimeSeries.constant(row), basis, source: `static: ${zone.source}` };
}

/**
 * CC from a gCO2e/kWh series (Data); other categories from the zone's static factors (their basis kept).
 * @param raw series read by readSeriesCsv, times in epoch seconds
 * @param column the carbon-intensity column of raw, gCO2e per kWh
 * @param zone per-joule static factors of the site's zone
 * @param t0Epoch epoch seconds that simulation time 0 maps to
 * @param extension what the series does outside its span
 * @throws InputError on negative intensities; RangeError on an unknown column or a bad zone vector
 */
export function intensityFromCarbonSeries(raw: RawSeries, column: string, zone: FactorVector, t0Epoch: number, extension: Extension): ImpactIntensity {
  checkZone("intensityFromCarbonSeries", zone);
  checkEpoch("intensityFromCarbonSeries", t0Epoch);
  const c = columnIndex("intensityFromCarbonSeries", raw, column);
  const n = raw.times.length;
  const nCols = raw.columns.length;
  const cc = categoryIndex("CC");
  // Only CC varies: the other coordinates are the zone's row, kept once by the series (TimeSeries.adoptVarying).
  const values = new Float64Array(n);
  const issues: Issue[] = [];
  // A year of 15-min rows runs this loop before it is compiled: one test per row in the common case, locals only.
  const cells = raw.values;
  const max = MAX_G_CO2E_PER_KWH;
  for (let i = 0, at = c; i < n; i++, at += nCols) {
    const g = cells[at];
    if (!(g >= 0 && g <= max)) issues.push(outOfRange(raw, column, i, g));
    values[i] = gPerKwhToKgPerJoule(g);
  }
  if (issues.length > 0) throw new InputError(issues);
  const basis = Uint8Array.from(zone.basis);
  basis[cc] = Basis.Data;
  basis[ENERGY] = Basis.Data;
  const source = `CC: ${raw.file} column ${JSON.stringify(column)} (gCO2e/kWh, ${n} rows every ${raw.step} s, from ${isoUtc(raw.times[0])}, ${extension} beyond its span); other categories: ${zone.source}`;
  return { series: seriesOf(raw, values, t0Epoch, extension, { row: zoneRow(zone), varying: [cc] }), basis, source };
}

/**
 * Generation mix: per-row shares of each source column times that source's per-kWh factors (category ids -> value per kWh); categories a source table lacks come from the zone's static factors.
 *
 * Factors are per kWh in each category's unit (CC in kg CO2 eq per kWh, not
 * grams). Row values are generation (any unit, the same for every column,
 * e.g. MW or MWh per step); category d of a row is
 * sum_s gen_s * f_s[d] / sum_s gen_s, with f_s[d] the zone's value where
 * source s gives none.
 * @param raw series with one column per source
 * @param sources source column -> {category id -> value per kWh}
 * @param zone per-joule static factors of the site's zone
 * @param t0Epoch epoch seconds that simulation time 0 maps to
 * @param extension what the series does outside its span
 * @throws InputError on negative generation or a row with no generation; RangeError on unknown columns or category ids, non-finite factors or a bad zone vector
 */
export function intensityFromMix(
  raw: RawSeries,
  sources: Readonly<Record<string, Readonly<Record<string, number>>>>,
  zone: FactorVector,
  t0Epoch: number,
  extension: Extension,
): ImpactIntensity {
  checkZone("intensityFromMix", zone);
  checkEpoch("intensityFromMix", t0Epoch);
  const names = Object.keys(sources);
  if (names.length === 0) throw new RangeError("intensityFromMix: expected at least one source, got none");
  const base = zoneRow(zone);
  const nSrc = names.length;
  const cols = names.map((s) => columnIndex("intensityFromMix", raw, s));
  // Per-source per-joule factors over every coordinate (ENERGY stays 0 here); the zone's value where a source gives none.
  const f = new Float64Array(nSrc * N_COORDS);
  const given = new Uint16Array(N_COORDS); // how many sources give each indicator
  for (let s = 0; s < nSrc; s++) {
    for (const { index: d } of INDICATORS) f[s * N_COORDS + d] = base[d];
    for (const [id, perKwh] of Object.entries(sources[names[s]])) {
      const d = categoryIndex(id);
      if (d < 0 || d === ENERGY) {
        throw new RangeError(`intensityFromMix: source ${JSON.stringify(names[s])}: expected a category id (${INDICATORS.map((x) => x.id).join(", ")}), got ${JSON.stringify(id)}`);
      }
      if (!Number.isFinite(perKwh)) throw new RangeError(`intensityFromMix: source ${JSON.stringify(names[s])}: ${id}: expected a finite value per kWh, got ${perKwh}`);
      f[s * N_COORDS + d] = perKwhToPerJoule(perKwh);
      given[d]++;
    }
  }
  const n = raw.times.length;
  const nCols = raw.columns.length;
  const values = new Float64Array(n * N_COORDS);
  const acc = new Float64Array(N_COORDS);
  const issues: Issue[] = [];
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    let total = 0;
    let bad = false;
    for (let s = 0; s < nSrc; s++) {
      const g = raw.values[i * nCols + cols[s]];
      if (!(g >= 0)) {
        issues.push({
          code: "invalid_value",
          file: raw.file,
          path: names[s],
          message: `expected generation >= 0 at ${isoUtc(raw.times[i])}, got ${g} (leave storage and export columns out of the mix)`,
          value: g,
        });
        bad = true;
        continue;
      }
      total += g;
      for (const { index: d } of INDICATORS) acc[d] += g * f[s * N_COORDS + d];
    }
    if (!bad && !(total > 0)) {
      issues.push({ code: "invalid_value", file: raw.file, path: names.join(", "), message: `expected some generation at ${isoUtc(raw.times[i])}, got a total of ${total}`, value: total });
      bad = true;
    }
    if (bad) continue;
    for (const { index: d } of INDICATORS) values[i * N_COORDS + d] = acc[d] / total;
    values[i * N_COORDS + ENERGY] = 1;
  }
  if (issues.length > 0) throw new InputError(issues);
  const basis = new Uint8Array(N_COORDS);
  const fromMix: string[] = [];
  const partial: string[] = [];
  for (const { index: d, id } of INDICATORS) {
    if (given[d] === nSrc) {
      basis[d] = Basis.Data;
      fromMix.push(id);
    } else if (given[d] === 0) {
      basis[d] = zone.basis[d];
    } else {
      basis[d] = zone.basis[d] === Basis.Missing ? Basis.Missing : Basis.Proxy;
      partial.push(id);
    }
  }
  basis[ENERGY] = Basis.Data;
  const parts = [`generation mix ${raw.file} (${names.join(", ")}; ${n} rows every ${raw.step} s, from ${isoUtc(raw.times[0])}, ${extension} beyond its span)`];
  if (fromMix.length > 0) parts.push(`${fromMix.join(" ")} from the sources' per-kWh factors`);
  if (partial.length > 0) parts.push(`${partial.join(" ")} from the sources that give them and the zone's value for the others`);
  parts.push(`other categories: ${zone.source}`);
  return { series: seriesOf(raw, values, t0Epoch, extension), basis, source: parts.join("; ") };
}

// ---------------------------------------------------------------- helpers

/** The issue of a row's gCO2e/kWh below 0 (or not a number) or above MAX_G_CO2E_PER_KWH. */
function outOfRange(raw: RawSeries, column: string, i: number, g: number): Issue {
  if (!(g >= 0)) return { code: "invalid_value", file: raw.file, path: column, message: `expected gCO2e/kWh >= 0 at ${isoUtc(raw.times[i])}, got ${g}`, value: g };
  return { code: "implausible_value", file: raw.file, path: column, message: `expected gCO2e/kWh <= ${MAX_G_CO2E_PER_KWH} (twice the life-cycle intensity of coal; see core/limits.ts) at ${isoUtc(raw.times[i])}, got ${g}`, value: g };
}

function checkZone(fn: string, zone: FactorVector): void {
  if (zone.values.length !== N_COORDS || zone.basis.length !== N_COORDS) {
    throw new RangeError(`${fn}: expected a zone factor vector of ${N_COORDS} coordinates, got ${zone.values.length} values and ${zone.basis.length} bases`);
  }
}

function checkEpoch(fn: string, t0Epoch: number): void {
  if (!Number.isFinite(t0Epoch)) throw new RangeError(`${fn}: expected t0Epoch in finite epoch seconds, got ${t0Epoch}`);
}

function columnIndex(fn: string, raw: RawSeries, column: string): number {
  const c = raw.columns.indexOf(column);
  if (c < 0) throw new RangeError(`${fn}: expected a column of ${raw.file} (${raw.columns.join(", ")}), got ${JSON.stringify(column)}`);
  return c;
}

/** The zone's values with ENERGY = 1 per joule. */
function zoneRow(zone: FactorVector): Float64Array {
  const row = Float64Array.from(zone.values);
  row[ENERGY] = 1;
  return row;
}

/**
 * The series of `raw`'s rows: `values` gives every coordinate of each row, or,
 * with `constant`, only the coordinates it lists as varying while the others
 * keep its row (TimeSeries.adoptVarying).
 */
function seriesOf(raw: RawSeries, values: Float64Array, t0Epoch: number, extension: Extension, constant?: { row: Float64Array; varying: readonly number[] }): TimeSeries {
  const times = raw.times;
  const n = times.length;
  const starts = new Float64Array(n);
  for (let i = 0; i < n; i++) starts[i] = times[i] - t0Epoch;
  const end = starts[n - 1] + raw.step;
  // starts and values are made for this series and never written again: kept, not copied.
  return constant ? TimeSeries.adoptVarying(starts, constant.row, constant.varying, values, end, extension) : TimeSeries.adopt(starts, values, N_COORDS, end, extension);
}

function isoUtc(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}
