/**
 * Units: the only module that converts. Inside impactsim everything is SI
 * (seconds, watts, joules, bytes); kWh, hours and GB appear only at the edges.
 * The branded types cost nothing at run time and stop a Watts from being
 * passed where Joules are expected.
 */
export type Seconds = number & { readonly __unit?: "s" };
export type Watts = number & { readonly __unit?: "W" };
export type Joules = number & { readonly __unit?: "J" };
export type Bytes = number & { readonly __unit?: "B" };

export const JOULES_PER_KWH = 3.6e6;
export const SECONDS_PER_HOUR = 3600;
export const SECONDS_PER_DAY = 86_400;
export const SECONDS_PER_YEAR = 365 * SECONDS_PER_DAY;
export const BYTES_PER_GB = 1e9;

export const kwhToJoules = (kwh: number): Joules => kwh * JOULES_PER_KWH;
export const joulesToKwh = (j: Joules): number => j / JOULES_PER_KWH;
export const hoursToSeconds = (h: number): Seconds => h * SECONDS_PER_HOUR;
export const secondsToHours = (s: Seconds): number => s / SECONDS_PER_HOUR;
export const yearsToSeconds = (y: number): Seconds => y * SECONDS_PER_YEAR;
export const gbToBytes = (gb: number): Bytes => gb * BYTES_PER_GB;
/** Grams per kWh (as grid intensities are published) to kilograms per joule. */
export const gPerKwhToKgPerJoule = (g: number): number => g / 1000 / JOULES_PER_KWH;
/** Per-kWh factor to per-joule factor. */
export const perKwhToPerJoule = (x: number): number => x / JOULES_PER_KWH;
