/**
 * Public surface of sweep/: sweep files expanded into variants, run on a
 * worker pool (sharded, resumable, merged byte-identically), with per-group
 * confidence intervals and Pareto fronts, and the exploration of one policy
 * parameter.
 */
export { runSweep, mergeShards, parseShard, shardFile, MANIFEST, RESULTS, SUMMARY, type Shard, type SweepOptions, type SweepOutcome, type SweepProgress } from "./runSweep.js";
export { loadSweep, checkSweep, expandSweep, sweepSize, variantTask, seedNumber, SWEEP_PARAMETERS, type SweepSpec, type Variant, type VariantOverrides } from "./spec.js";
export { summarizeSweep, meanCI, tQuantile975, SWEEP_METRICS, FRONT_OBJECTIVES, type Estimate as SweepEstimate, type GroupSummary, type SweepMetric, type SweepResult, type SweepSummary } from "./stats.js";
export { exploreTradeoff, candidateSummary, OBJECTIVES, DEFAULT_OBJECTIVES, type Candidate, type CandidateSummary, type Exploration, type ExploreOptions, type Objective } from "./explore.js";
export { dominates, paretoFront, paretoIndices } from "./pareto.js";
export { createPool, runTask, WORTH_STARTING_S, type LaneStart, type PoolOptions, type RunPool, type RunResult, type RunTask, type RunTaskOverrides } from "./pool.js";
export { runBatch, mergeShardFiles, manifestOf, readManifest, type BatchItem, type BatchManifest, type BatchOptions, type BatchOutcome } from "./batch.js";
export * from "./study/index.js";
