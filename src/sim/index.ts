export { Engine, type EventHandler } from "./engine.js";
export { simulate, type SimulationOptions, type SimulationResult } from "./simulation.js";
export { dropWarm } from "./keepWarm.js";
export { combineObservers, type JobFact, type PartShares, type SimObserver } from "./observer.js";
export type { StaticRule, Tenant } from "./cluster.js";
export type { TransferFact, WorkflowFact } from "./observer.js";
export type { WorkflowSubmission } from "./workflows.js";
