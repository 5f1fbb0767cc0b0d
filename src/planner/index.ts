export * from "./view.js";
export { decisionPass, policyFailure, type PassOptions, type Refusal, type World } from "./world.js";
export { checkDefer, checkPower, checkReject, checkStart, checkSuspend, checkTime, checkTransfer, type DecisionContext, type Placement } from "./decisions.js";
export { queuedJobView, runningJobView, sharedAllocation, type JobProgress, type RunInfo } from "./jobViews.js";
export { platformPoolFigures, poolFigures, poolView, type PoolFigures } from "./poolView.js";
export { restrictView, type FreeCounts } from "./policies/restrict.js";
export { memoryOn, place, type NodeReader, type NodeTake } from "./placement.js";
export * from "./resources.js";
export { estimate, Z_80, type Estimate, type EstimateOptions, type EstimateRange, type Range } from "./estimate.js";
export { OrderedQueue, type QueueItem } from "./orderedQueue.js";
export { insertAt, removeAt, replaceRange } from "./arrays.js";
export { Availability, type AvailabilityOptions } from "./availability.js";
export { estimateWorkflow, type WorkflowEstimate, type WorkflowEstimateOptions, type WorkflowRequest } from "./estimateWorkflow.js";
export { planWorkflow, type WorkflowPlan, type WorkflowPlanOptions } from "./workflowPlan.js";
export * from "./calibrate.js";
export { withPredictions, type Prediction, type PredictionOptions } from "./predictions.js";
export { policyFcfs } from "./policies/fcfs.js";
export { policyEasyBackfill } from "./policies/easy.js";
export { policyHeft, type HeftParams } from "./policies/heft.js";
export { policyTemporalShift, type TemporalShiftParams, type TemporalPlan, type TemporalState } from "./policies/temporal.js";
export { policyWeighted, type WeightedParams } from "./policies/weighted.js";
export { policyFlexible, FLEXIBLE_RULES, type FlexibleParams, type FlexiblePlan, type FlexibleRule, type FlexibleState } from "./policies/flexible.js";
export { planPieces, pieceCells, slotCount, slotRates, type Piece, type PiecePlan, type PieceProblem } from "./pieces.js";
export { policyConservativeBackfill } from "./policies/conservative.js";
export { policyConsolidate, breakEvenSeconds, powerStateFigures, type ConsolidateParams, type ConsolidateState, type PowerStateFigures } from "./policies/consolidate.js";
export { policyPowerCap, type PowerCapParams } from "./policies/powercap.js";
export { policyCampaignTarget, type CampaignTargetParams, type CampaignTargetPolicy, type CampaignTargetPlanInfo } from "./policies/campaignTarget.js";
export { nodeHourCost, planCampaign, planCampaignGreedy, type CampaignClass, type CampaignPlan, type CampaignProblem } from "./campaign.js";
export { heftSchedule, heftUpwardRank, type HeftCosts, type HeftDag, type HeftPlan } from "./heft.js";
import type { Policy } from "./view.js";
import { policyFcfs } from "./policies/fcfs.js";
import { policyEasyBackfill } from "./policies/easy.js";
import { policyConservativeBackfill } from "./policies/conservative.js";
import { policyHeft } from "./policies/heft.js";
import { policyTemporalShift } from "./policies/temporal.js";
import { policyWeighted } from "./policies/weighted.js";
import { policyConsolidate } from "./policies/consolidate.js";
import { policyPowerCap } from "./policies/powercap.js";
import { policyCampaignTarget } from "./policies/campaignTarget.js";
import { policyFlexible } from "./policies/flexible.js";

/**
 * The policies selectable by name (CLI, scenario files). Each factory takes the
 * scenario's `policy.params` and refuses parameters it does not know.
 * @throws RangeError naming an unknown parameter
 */
export const POLICIES: Readonly<Record<string, (params: Readonly<Record<string, unknown>>) => Policy<unknown>>> = {
  fcfs: (params) => (noParams("fcfs", params), policyFcfs()),
  easy: (params) => (noParams("easy", params), policyEasyBackfill()),
  conservative: (params) => (noParams("conservative", params), policyConservativeBackfill()),
  heft: (params) => policyHeft(checkedParams("heft", params, { impact_weight: "number", insertion: "boolean" })),
  temporal: (params) => policyTemporalShift(checkedParams("temporal", params, { step_s: "number", min_saving: "number", category: "string", preempt: "boolean" })),
  weighted: (params) => policyWeighted(checkedParams("weighted", params, { time: "number", energy: "number", impact: "number", categories: "object" })),
  consolidate: (params) =>
    policyConsolidate(
      checkedParams("consolidate", params, { idle_s: "number", keep_on: "number", state: "string", off_w: "number", switch_on_s: "number", switch_on_w: "number", switch_off_s: "number", switch_off_w: "number" }),
    ),
  powercap: (params) => policyPowerCap(policyEasyBackfill(), checkedParams("powercap", params, { dvfs: "boolean", throttle_batch: "boolean" })),
  campaign: (params) => policyCampaignTarget(checkedParams("campaign", params, { class_of: "string", slot_s: "number", horizon_slots: "number", replan_s: "number" })),
  flexible: (params) =>
    policyFlexible(checkedParams("flexible", params, { rule: "string", step_s: "number", start_step_s: "number", length: "string", category: "string", percentile: "number", horizon_s: "number" })),
};

function checkedParams(name: string, params: Readonly<Record<string, unknown>>, known: Readonly<Record<string, "number" | "boolean" | "string" | "object">>): Record<string, never> {
  for (const [k, v] of Object.entries(params)) {
    if (!(k in known)) throw new RangeError(`policy ${name}: unknown parameter "${k}" (expected one of ${Object.keys(known).join(", ")})`);
    const ok = known[k] === "object" ? typeof v === "object" && v !== null && !Array.isArray(v) : typeof v === known[k];
    if (!ok) throw new RangeError(`policy ${name}: parameter "${k}": expected a ${known[k]}, got ${JSON.stringify(v)}`);
  }
  return params as Record<string, never>;
}

function noParams(name: string, params: Readonly<Record<string, unknown>>): void {
  const keys = Object.keys(params);
  if (keys.length > 0) throw new RangeError(`policy ${name}: expected no parameters, got ${keys.map((k) => JSON.stringify(k)).join(", ")}`);
}
export type { HeftOptions } from "./heft.js";
export type { CampaignOptions } from "./campaign.js";
