/**
 * Public surface of io/: the input formats as data types (spec.ts) and their
 * readers. Each file format has a throwing loader (`load*`, `read*`, `open*`)
 * that reports every problem as one InputError naming file, line and field,
 * and, where useful, a checker or parser that works on text or parsed JSON.
 * Paths of the files shipped with impactsim (scenarios, platforms, traces) are
 * found with shippedPath. The JSON toolkit every JSON format shares, and the
 * writers of a run's output files (written together, named by content, never
 * holding NaN or Infinity), are here too.
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
export {
  readComponentData,
  DEFAULT_COMPONENT_DIR,
  type ComponentData,
  type ComponentFactor,
  type CpuRow,
  type GpuRow,
  type DensityRow,
  type CpuProfileRow,
  type GaCpuRow,
  type ArchetypeRow,
} from "./componentData.js";
export { readScoreMethod, DEFAULT_SCORE_METHOD_PATH, TOXICITY_CATEGORIES, SCORE_METHOD_VERSIONS, type ScoreMethodVersion } from "./scoreMethod.js";
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
export { readJsonFile, parseJsonText, jsonIssue, jsonFormat, issuesFromZod, describeValue, formatJsonPath } from "./json.js";
export { readTextFile, describeFsError, unreadable } from "./readText.js";
export { prepareOutputDir } from "./outputDir.js";
export { BufferedLineWriter } from "./bufferedWriter.js";
export { CsvWriter, type CsvRows } from "./csvWriter.js";
export { ThreadedCsvWriter } from "./csvThread.js";
export { JsonLinesWriter } from "./jsonLines.js";
export { finiteJson } from "./finiteJson.js";
export { RunOutputs, runIdOf, RUN_FILES, DERIVED_FILES, SUMMARY_FILE, type OutputRecord } from "./runOutputs.js";
export { checkRunFolder } from "./runFolder.js";
export { shippedPath, PACKAGE_ROOT } from "./paths.js";
export { loadStudy, checkStudy, MAX_STUDY_YEARS, type StudySpec, type LifetimeStudySpec, type GrowthStudySpec, type GrowthOptionSpec, type StudyCommonSpec, type StudyGroupSpec, type StudySiteSpec, type FleetEventSpec, type GridTrajectorySpec, type GroupRef } from "./study.js";
export { FileMemo } from "./fileMemo.js";
export { hashFile } from "./parseCache.js";
