export * from "./view.js";
export { policyFcfs } from "./policies/fcfs.js";
export { policyEasyBackfill } from "./policies/easy.js";
import type { Policy } from "./view.js";
import { policyFcfs } from "./policies/fcfs.js";
import { policyEasyBackfill } from "./policies/easy.js";

/** The policies selectable by name (CLI, scenario files). */
export const POLICIES: Readonly<Record<string, () => Policy>> = {
  fcfs: policyFcfs,
  easy: policyEasyBackfill,
};
