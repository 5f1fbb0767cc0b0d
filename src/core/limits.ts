/**
 * Bounds on sizes and on what is plausible, with the reason for each. Inputs
 * outside them are refused (platform and scenario figures, options) or, for
 * the records of a trace in lenient mode, skipped and counted. The bounds are
 * wide: they are there to catch a typo or a corrupt field (a PUE of 1e308, a
 * submit time of 1e20 s) before it turns into hours of simulation, gigabytes
 * of memory or a non-finite figure, not to judge real data.
 */

/**
 * Nodes in one platform. The simulator keeps about 30 bytes of state per node
 * (so 2^22 nodes take about 130 MB and a few seconds to set up); the largest
 * machines have about 10^5 nodes (Fugaku: 158,976, RIKEN), so this leaves room
 * for a bare trace's one-core nodes (one node per processor).
 */
export const MAX_NODES = 2 ** 22;

/** Bytes of simulator state per node, to say what a refused size would take. */
export const BYTES_PER_NODE = 30;

/**
 * Variants a sweep expands to unless the user asks for more (`--max-variants`):
 * each variant is a whole run; 10,000 runs of the default scenario already
 * take hours on two cores.
 */
export const MAX_SWEEP_VARIANTS = 10_000;

/**
 * PUE. A facility draws at least what its IT draws (>= 1); the surveyed
 * average is 1.56 (Uptime Institute, Global Data Center Survey 2024), so a
 * PUE above 5 is taken for a typo.
 */
export const MAX_PUE = 5;

/**
 * Draw of one node, W. A DGX H100 with 8 GPUs is specified at 10.2 kW
 * (NVIDIA DGX H100 datasheet); ten times that is taken for a typo.
 */
export const MAX_NODE_WATTS = 100_000;

/**
 * Carbon intensity of electricity, g CO2e per kWh. The highest life-cycle
 * figure of any source is about 1,000 g/kWh (coal: IPCC SRREN 2011 median
 * 1,001; AR5 WGIII Annex III range 740-910); twice that is taken for a typo.
 */
export const MAX_G_CO2E_PER_KWH = 2_000;

/** Hardware lifetime, years: Boavizta's archetypes assume 3 to 6 years (BoaviztaAPI, data/archetypes/server.csv and components/*.csv); 50 is taken for a typo. */
export const MAX_LIFETIME_YEARS = 50;

/**
 * Submit time of a job after the trace's start, s (100 years). The longest
 * public logs span a few years (Parallel Workloads Archive); a larger figure
 * is a corrupt field, and it would make a run last that long in simulated time.
 */
export const MAX_SUBMIT_S = 100 * 365.25 * 86400;

/** Run time or requested time of one job, s (10 years): batch limits are days. */
export const MAX_JOB_SECONDS = 10 * 365.25 * 86400;

/**
 * Relative error of intensity forecasts (bias and noise), at most 10 (1,000 %):
 * day-ahead carbon-intensity forecasts err by tens of percent at most; beyond
 * this a forecast says nothing and its figures only overflow.
 */
export const MAX_FORECAST_ERROR = 10;

/** A count in words with what it would take, e.g. "1,000,000,000 nodes (about 30 GB of state)". */
export function describeNodes(n: number): string {
  const bytes = n * BYTES_PER_NODE;
  const three = (x: number) => x.toLocaleString("en-US", { maximumSignificantDigits: 3 });
  const size = bytes >= 1e12 ? `${three(bytes / 1e12)} TB` : bytes >= 1e9 ? `${three(bytes / 1e9)} GB` : `${Math.ceil(bytes / 1e6)} MB`;
  return `${n.toLocaleString("en-US")} nodes (about ${size} of simulator state)`;
}
