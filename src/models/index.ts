/**
 * Public surface of models/: power curves, the runtime platform model built
 * from a PlatformSpec, electricity impact intensity (static, from a carbon
 * series, or from a generation mix), embodied impacts per node-second,
 * intensity forecasts with a configurable error, and the span of a platform's
 * grid series.
 */
export { powerCurveLinear, powerCurveInterpolated, powerCurveFromSpec, type PowerCurve } from "./power.js";
export type { DeviceModel, DvfsModel, IntensityModel, LinkModel, PlatformModel, PoolModel, PowerStateModel, SiteModel } from "./platform.js";
export { buildPlatform, type BuildOptions, type BuiltPlatform } from "./buildPlatform.js";
export { intensityStatic, intensityFromCarbonSeries, intensityFromMix, type ImpactIntensity } from "./electricity.js";
export { embodiedPerNodeSecond } from "./embodied.js";
export { forecastFromActual, type ForecastError, type IntensityForecast } from "./forecast.js";
export { busyNodeWatts, poolDevices } from "./nodePower.js";
export { seriesSpans, coveredFrom, coveredUntil, type SeriesSpan } from "./coverage.js";
export { chargeForecastInto, chargeInto, chargeScore, forecastIntegralInto, phaseTotal, useImpact, type ChargeEnergy } from "./charge.js";
export { isoAt, shortSeriesText, uncoveredIssues, extensionIssues, EXTEND_HINT } from "./coverage.js";
