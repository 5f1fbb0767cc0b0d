export * from "./view.js";
export * from "./resources.js";
export { policyFcfs } from "./policies/fcfs.js";
export { policyEasyBackfill } from "./policies/easy.js";
import type { Policy } from "./view.js";
import { policyFcfs } from "./policies/fcfs.js";
import { policyEasyBackfill } from "./policies/easy.js";

/**
 * The policies selectable by name (CLI, scenario files). Each factory takes the
 * scenario's `policy.params` and refuses parameters it does not know.
 * @throws RangeError naming an unknown parameter
 */
export const POLICIES: Readonly<Record<string, (params: Readonly<Record<string, unknown>>) => Policy>> = {
  fcfs: (params) => (noParams("fcfs", params), policyFcfs()),
  easy: (params) => (noParams("easy", params), policyEasyBackfill()),
};

function noParams(name: string, params: Readonly<Record<string, unknown>>): void {
  const keys = Object.keys(params);
  if (keys.length > 0) throw new RangeError(`policy ${name}: expected no parameters, got ${keys.map((k) => JSON.stringify(k)).join(", ")}`);
}
