/**
 * Public surface of serve/: the live service (`impactsim serve`): its core
 * (the live World over a scheduler mirror, the policy, the meter and the
 * durable ledger, event-sourced), its HTTP API, and trace replays through it.
 */
export { Service, ServiceFailedError, type ServiceOptions, type ServiceEvent, type JobRequest, type JobStatus, type JobState, type DecisionRecord, type BudgetVerdict, type ClockMode } from "./service.js";
export { loadServiceWorld, type ServiceWorld } from "./world.js";
export { replay, inProcessTarget, jobRequest, scenarioJobs, type ReplayTarget, type ReplayStart, type ReplayResult } from "./replay.js";
export { buildApp, HttpError, type HttpOptions } from "./http.js";
export { startServe, readTokenFile, type ServeOptions, type Running } from "./start.js";
export { Tokens, hashToken, newToken } from "./auth.js";
export { ServiceMetrics } from "./metrics.js";
export { openApiDocument } from "./openapi.js";
export { DEFAULT_BODY_LIMIT, DEFAULT_RATE_LIMIT } from "./limits.js";
export { httpTarget, serviceClient, type ServiceRequest, type HttpTargetOptions } from "./client.js";
