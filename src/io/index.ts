/**
 * Public surface of io/: the input formats as data types (spec.ts) and their
 * readers. Each file format has a throwing loader (`load*`, `read*`, `open*`)
 * that reports every problem as one InputError naming file, line and field,
 * and, where useful, a checker or parser that works on text or parsed JSON.
 * Paths of the files shipped with impactsim (scenarios, platforms, traces) are
 * found with shippedPath.
 */
export * from "./spec.js";
export { openSwf, parseSwfText, swfSkipCodes, SWF_FIELDS, type SwfReadOptions, type SwfReader } from "./swf.js";
export {
  readWorkflow,
  parseWorkflow,
  criticalPath,
  WFFORMAT_VERSIONS,
  type WorkflowFile,
  type WorkflowMachine,
  type WorkflowReadOptions,
  type WorkflowSpec,
  type WorkflowTask,
} from "./wfformat.js";
export { loadPlatform, checkPlatform, loadNodeType, checkNodeType, platformForProcs, DEFAULT_PUE, DEFAULT_PUE_SOURCE } from "./platform.js";
export { loadScenario, checkScenario, resolveFrom } from "./scenario.js";
export { readSeriesCsv, parseSeriesCsv, type RawSeries, type SeriesReadOptions } from "./series.js";
export { readElectricityFactors, parseElectricityFactors } from "./electricityFactors.js";
export { readScoreMethod, DEFAULT_SCORE_METHOD_PATH, TOXICITY_CATEGORIES } from "./scoreMethod.js";
export { loadProfile, checkProfile, profileSamples, type ProfileRun, type RuntimeProfile } from "./profile.js";
export { loadSnapshot, checkSnapshot, type ClusterSnapshot, type SnapshotPool, type SnapshotQueued, type SnapshotRunning } from "./snapshot.js";
export {
  parseSlurmArgs,
  parseSbatchScript,
  readSbatchScript,
  mergeSlurm,
  parseSlurmTime,
  parseSlurmMemory,
  requestedCores,
  formatSlurmOptions,
  formatSlurmTime,
  type SlurmRequest,
  type SlurmSource,
  type SourcedField,
} from "./slurm.js";
export type { OutputRecord } from "./runOutputs.js";
export { shippedPath, PACKAGE_ROOT } from "./paths.js";
