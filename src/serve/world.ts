/**
 * What a service runs on: a scenario's platform with its grid series, the
 * forecasts its policy sees, the single-score method, its policy and QoS
 * classes; built as `impactsim run` builds them (run/world.ts), so a service
 * replaying the scenario's trace decides and charges as the run does.
 */
import { resolve } from "node:path";
import { AdjustmentLog, deriveSeed, rngSeeded, type ScoreMethod, type Extension } from "../core/index.js";
import { DEFAULT_SCORE_METHOD_PATH, loadPlatform, loadScenario, readElectricityFactors, readScoreMethod, resolveFrom, shippedPath, type QosSpec, type ScenarioSpec } from "../io/index.js";
import { buildPlatform, forecastFromActual, type IntensityForecast, type PlatformModel, type StaticRule } from "../models/index.js";
import type { Policy } from "../planner/index.js";
import { choosePolicy, DEFAULT_SCENARIO } from "../run/index.js";

export interface ServiceWorld {
  readonly scenarioPath: string;
  readonly scenario: ScenarioSpec;
  readonly platform: PlatformModel;
  readonly forecasts: readonly IntensityForecast[];
  readonly method: ScoreMethod;
  readonly policy: Policy<unknown>;
  readonly qos: ReadonlyMap<string, QosSpec>;
  /** Epoch seconds of the world's time 0 (the scenario's workload start). */
  readonly t0Epoch: number;
  readonly staticRule: StaticRule;
}

/** @throws InputError on a bad scenario, platform or data file */
export async function loadServiceWorld(scenarioPath = DEFAULT_SCENARIO, opts: { policy?: string; policyParams?: Record<string, unknown> } = {}): Promise<ServiceWorld> {
  const path = resolve(scenarioPath);
  const scenario = await loadScenario(path);
  const platformFile = resolve(resolveFrom(path, scenario.platform));
  const spec = await loadPlatform(platformFile);
  const t0Epoch = Date.parse(scenario.workload.start) / 1000;
  const extension: Extension = scenario.series_extension ?? "hold";
  const zones = await readElectricityFactors(shippedPath("platforms/electricity/electricity_factors_by_zone.csv"));
  const built = await buildPlatform(spec, { file: platformFile, zones, t0Epoch, extension, log: new AdjustmentLog(), embodiedRule: scenario.attribution?.embodied_after_life });
  const method = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH);
  const platform = built.model;
  const forecastError = scenario.forecast ?? { bias: 0, sigma: 0 };
  const forecasts = platform.sites.map((s) => forecastFromActual(s.intensity, forecastError, rngSeeded(deriveSeed(scenario.seed, `forecast/${s.id}`))));
  const { policy } = await choosePolicy(scenario, path, { name: opts.policy, params: opts.policyParams });
  const qos = new Map((scenario.qos?.classes ?? []).map((c) => [c.name, c as QosSpec]));
  return { scenarioPath: path, scenario, platform, forecasts, method, policy, qos, t0Epoch, staticRule: scenario.attribution?.static_split ?? "allocated" };
}
