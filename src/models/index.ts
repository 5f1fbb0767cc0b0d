/**
 * Public surface of models/: power curves, the runtime platform model built
 * from a PlatformSpec, electricity impact intensity (static, from a carbon
 * series, or from a generation mix), embodied impacts per node-second,
 * intensity forecasts with a configurable error, and the span of a platform's
 * grid series.
 */
export { powerCurveLinear, powerCurveInterpolated, powerCurveFromSpec, type PowerCurve } from "./power.js";
export type { DeviceModel, DvfsModel, EmbodiedPart, IntensityModel, LinkModel, PlatformModel, PoolModel, PowerStateModel, SiteModel } from "./platform.js";
export { buildPlatform, type BuildOptions, type BuiltPlatform } from "./buildPlatform.js";
export { intensityStatic, intensityFromCarbonSeries, intensityFromMix, type ImpactIntensity } from "./electricity.js";
export { embodiedPerNodeSecond, embodiedShare, embodiedClock, embodiedSeconds, chargedParts, amortise, DEFAULT_EMBODIED_RULE, EMBODIED_RULES, PART_KINDS, type EmbodiedClock, type EmbodiedRule, type EmbodiedRate } from "./embodied.js";
export {
  embodiedFromParts,
  embodiedOfComponent,
  effectiveDieArea,
  cpuDieFromTable,
  archetypeRange,
  DEFAULT_SERVER_ARCHETYPE,
  WAFER_AREA_MM2,
  type Attribute,
  type Origin,
  type PartImpact,
  type PartResult,
  type PartsEmbodied,
  type PhasedRange,
  type ProfileInputs,
  type Ranged,
} from "./components.js";
export { nodePowerProfile, boaviztaCpuProfile, BOAVIZTA_RAM_W_PER_GB, CCF_SSD_W_PER_TB, CCF_HDD_W_PER_TB, type NodePowerProfile, type PowerBreakdown } from "./powerProfile.js";
export { buildNodeType, buildNodeTypes, componentData, isPowerProfile, needsComponentData, nodeTypeProvenance, type BuiltNodeType, type NodeTypeProvenance } from "./nodeType.js";
export { fitCpuProfile, cpuProfileOf, cpuProfileWatts, powerCurveProfile, type CpuProfile } from "./power.js";
export { forecastFromActual, type ForecastError, type IntensityForecast } from "./forecast.js";
export { busyNodeWatts, nodeDraw, poolDevices, shareDraw, type ShareLoad, type StaticRule } from "./nodePower.js";
export { NodeShares, type NodeTenant, type PartShares, type JobShareSink } from "./nodeShares.js";
export { seriesSpans, coveredFrom, coveredUntil, type SeriesSpan } from "./coverage.js";
export { chargeForecastInto, chargeInto, chargeScore, embodiedRate, forecastIntegralInto, phaseTotal, useImpact, type ChargeEnergy, type EmbodiedRates, type PartsHeld } from "./charge.js";
export { isoAt, shortSeriesText, uncoveredIssues, extensionIssues, EXTEND_HINT } from "./coverage.js";
export { platformGroups, fleetTimeline, fleetInYear, fleetCapacity, embodiedPerNode, embodiedByYear, gpuNodeForCpuJobs, FLEET_EMBODIED_RULES, type EmbodiedBasis, type FleetEmbodiedRule, type FleetEvent, type NodeEmbodied, type FleetGroup, type FleetProblem } from "./fleet.js";
