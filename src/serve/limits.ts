/**
 * Bounds of the service's requests, each with its reason. Nodes and job times
 * follow the simulator's limits (core/limits.ts); the rest protect the service.
 */
import { MAX_NODES as SIM_MAX_NODES } from "../core/index.js";

export const MAX_NODES = SIM_MAX_NODES;
/** A job's requested time: at most 10 years (core/limits.ts keeps job times within that). */
export const MAX_JOB_TIME_S = 10 * 365 * 86400;
/** Request bodies: 64 KiB by default; a job is a few hundred bytes, a forecast of 10,000 points about 600 KB (raise --body-limit for those). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Requests per second per client (token, or address without one), with bursts of twice that. */
export const DEFAULT_RATE_LIMIT = 1000;
