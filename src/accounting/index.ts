export { Account, Ledger, N_PHASED, type AccountSummary, type CategorySummary } from "./ledger.js";
export { attributeInterval } from "./attribution.js";
export { Accountant, type JobCharge, type SiteMeter } from "./accountant.js";
export { MetricsCollector, BOUNDED_SLOWDOWN_TAU_S, type SchedulingMetrics } from "./metrics.js";
export { NodeTimeline, NODE_COLUMNS, type PoolPacking } from "./nodeTimeline.js";
export { SiteSeries, SITE_SERIES_COLUMNS, siteBinRow, type SiteBin } from "./siteSeries.js";
