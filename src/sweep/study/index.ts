/**
 * Capacity studies over years (issue 16): a fleet that evolves (groups added,
 * retired, replaced by newer generations), workload growth and grid
 * trajectories, simulated year by year on the sweep machinery; the lifetime
 * study (keep against replace, footnote 33, break-even conditions) and the
 * growth study (ways to absorb more work, their Pareto front).
 */
export { runStudy, mergeStudy, summarizeStudy, STUDY_MANIFEST, STUDY_SUMMARY, STUDY_REPORT, type StudyOptions, type StudyOutcome, type StudySummary } from "./runStudy.js";
export { loadStudyContext, neededEnd, type StudyContext, type SeriesSpan } from "./context.js";
export { planStudy, type Plan, type PlanYear, type StudyPlan, type StudyRun, type GridChoice } from "./plan.js";
export { writeRunInputs, INPUTS_DIR } from "./inputs.js";
export { yearFigures, planFigures, type PlanFigures, type YearFigures, type PerIndicator, type EmbodiedPhases } from "./figures.js";
export { analyseLifetime, signChange, type LifetimeAnalysis, type LifetimeComparison, type Footnote33, type BreakEven } from "./lifetime.js";
export { analyseGrowth, type GrowthAnalysis, type GrowthOptionResult } from "./growth.js";
export { formatStudy } from "./format.js";
