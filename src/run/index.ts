/**
 * Public surface of run/: one scenario end to end (runScenario: inputs read,
 * models built, the workload simulated under a policy, impacts accounted, the
 * run's files written), a comparison of policies on one scenario, and how a
 * run's policy is chosen, including policies of your own from module files.
 */
export { runScenario, DEFAULT_SCENARIO, jobColumns, type RunOptions, type RunOverrides, type RunOutput } from "./runScenario.js";
export type { RunSummary, RunSummaryBody } from "./summary.js";
export type { Provenance } from "./provenance.js";
export type { PredictionSummary } from "./predictions.js";
export type { WorkflowSummary } from "./workflows.js";
export { comparePolicies, formatComparison, type ComparisonRow, type PolicyChoice } from "./compare.js";
export { nodeLca, formatLca, DEFAULT_LCA_PLATFORM, DEFAULT_LCA_ZONE, DEFAULT_LCA_LOAD_PERCENT, type LcaOptions, type LcaReport, type LcaIndicator, type LcaFigure } from "./lca.js";
export {
  choosePolicy,
  loadPolicyModule,
  checkedPolicy,
  policyIssues,
  POLICY_MODULE_EXTENSIONS,
  type ChosenPolicy,
  type PolicyChoiceOptions,
  type PolicyFactory,
} from "./policyModule.js";
export {
  estimateJobRequest,
  estimateWorkflowFile,
  resolveAt,
  resolveBegin,
  simulatedSource,
  type EstimateContext,
  type EstimateInputs,
  type EstimateWorld,
  type JobEstimateReport,
  type JobInputs,
  type Seen,
  type ViewSource,
  type Where,
  type WorkflowEstimateReport,
  type WorkflowInputs,
} from "./estimate.js";
