/**
 * The world a scenario describes, before any workload: the platform model with
 * its grid series, the forecasts policies see, and the single-score method.
 * Shared by scenario runs and pre-submission estimates so both see one world.
 */
import { type AdjustmentLog, InputError, type Issue } from "../core/index.js";
import { MAX_FORECAST_ERROR } from "../core/index.js";
import { deriveSeed, rngSeeded } from "../core/index.js";
import type { ScoreMethod } from "../core/index.js";
import type { Extension } from "../core/index.js";
import { readElectricityFactors } from "../io/index.js";
import { DEFAULT_SCORE_METHOD_PATH, readScoreMethod, type ScoreMethodVersion } from "../io/index.js";
import { shippedPath } from "../io/index.js";
import type { PlatformSpec } from "../io/index.js";
import { buildPlatform } from "../models/index.js";
import { forecastFromActual, type ForecastError, type IntensityForecast } from "../models/index.js";
import type { EmbodiedRule, NodeTypeProvenance, PlatformModel } from "../models/index.js";

export const ELECTRICITY_FACTORS = shippedPath("platforms/electricity/electricity_factors_by_zone.csv");

export interface WorldOptions {
  /** Path of the platform file (series are relative to it). */
  readonly file: string;
  /** Epoch seconds of simulation time 0. */
  readonly t0Epoch: number;
  readonly extension: Extension;
  /** Adjustments made while reading series. */
  readonly log: AdjustmentLog;
  readonly forecastError: ForecastError;
  /** Seed of the forecasts' noise (one stream per site). */
  readonly seed: number;
  /** EF version of the single score (default 3.1). */
  readonly scoreVersion?: ScoreMethodVersion;
  /** Embodied impacts past the lifetime (default DEFAULT_EMBODIED_RULE, "paid"). */
  readonly embodiedRule?: EmbodiedRule;
}

export interface World {
  readonly platform: PlatformModel;
  /** Per node type: embodied figures from parts or given, the power profile used, what was filled in (summary.json provenance.node_types). */
  readonly nodeTypes: Readonly<Record<string, NodeTypeProvenance>>;
  /** Data files read, for provenance: the electricity factors, the score method, the series. */
  readonly files: readonly string[];
  /** One per site, in platform order. */
  readonly forecasts: readonly IntensityForecast[];
  readonly method: ScoreMethod;
}

/** A forecast error given as an option, for runs and estimates alike (a scenario file's is checked by its schema). */
function checkForecastError(f: { readonly bias: number; readonly sigma: number }): void {
  const issues: Issue[] = [];
  if (!(f.bias > -1 && f.bias <= MAX_FORECAST_ERROR)) issues.push({ code: "invalid_value", file: "--forecast-bias", message: `expected a relative bias > -1 and <= ${MAX_FORECAST_ERROR} (see core/limits.ts), got ${f.bias}`, value: f.bias });
  if (!(f.sigma >= 0 && f.sigma <= MAX_FORECAST_ERROR)) issues.push({ code: "invalid_value", file: "--forecast-sigma", message: `expected a relative noise from 0 to ${MAX_FORECAST_ERROR} (see core/limits.ts), got ${f.sigma}`, value: f.sigma });
  if (issues.length > 0) throw new InputError(issues);
}

/** @throws InputError on unreadable or invalid data files, or a forecast error out of bounds */
export async function buildWorld(spec: PlatformSpec, opts: WorldOptions): Promise<World> {
  checkForecastError(opts.forecastError);
  const zones = await readElectricityFactors(ELECTRICITY_FACTORS);
  const built = await buildPlatform(spec, { file: opts.file, zones, t0Epoch: opts.t0Epoch, extension: opts.extension, log: opts.log, embodiedRule: opts.embodiedRule });
  const method = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH, { version: opts.scoreVersion ?? "3.1" });
  const platform = built.model;
  const forecasts = platform.sites.map((s) => forecastFromActual(s.intensity, opts.forecastError, rngSeeded(deriveSeed(opts.seed, `forecast/${s.id}`))));
  return { platform, nodeTypes: built.nodeTypes, files: [ELECTRICITY_FACTORS, DEFAULT_SCORE_METHOD_PATH, ...built.files], forecasts, method };
}
