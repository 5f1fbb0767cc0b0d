/**
 * Which policy a run uses, and policies of the user's own from module files.
 *
 * A policy module is a JavaScript file (.js, .mjs, .cjs) or a TypeScript file
 * (.ts, .mts, .cts, loaded through tsx) whose default export is a factory: a
 * function that takes the policy's parameters (a JSON object, `{}` when none
 * are given) and returns a Policy, or a promise of one. The factory is called
 * once per run, so a policy keeps its state inside the object it returns.
 * A module that cannot be loaded, exports no factory, or whose factory throws
 * or returns something other than a Policy is an InputError naming the file.
 */
import { statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError, type Issue } from "../core/index.js";
import { describeFsError } from "../io/index.js";
import { resolveFrom } from "../io/index.js";
import type { ScenarioSpec } from "../io/index.js";
import { POLICIES, type Policy } from "../planner/index.js";

/** The default export of a policy module. */
export type PolicyFactory = (params: Readonly<Record<string, unknown>>) => Policy<unknown> | Promise<Policy<unknown>>;

/** The extensions a policy module may have: JavaScript as Node loads it, or TypeScript through tsx. */
export const POLICY_MODULE_EXTENSIONS: readonly string[] = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"];

const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);

function moduleIssue(file: string, message: string, path?: string): InputError {
  return new InputError([{ code: "invalid_value", file, ...(path !== undefined ? { path } : {}), message }]);
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split("\n")[0]}`;
  return String(err);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") {
    const keys = Object.keys(v);
    return keys.length > 0 ? `an object with ${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", ..." : ""}` : "an empty object";
  }
  return typeof v === "string" ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}` : `${typeof v} ${String(v)}`;
}

/**
 * The problems of a value that should be a Policy: a non-empty `name`, a
 * string `version`, a `params` object, a `decide` function and, if present, an
 * `initialState` function. Empty when it is one.
 * @param file the name used in the issues (the module file, or where the object came from)
 */
export function policyIssues(value: unknown, file: string): Issue[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ code: "invalid_type", file, message: `expected a Policy (an object with name, version, params and decide), got ${describe(value)}` }];
  }
  const p = value as Record<string, unknown>;
  const issues: Issue[] = [];
  const bad = (path: string, expected: string) => issues.push({ code: "invalid_type", file, path, message: `expected ${expected}, got ${describe(p[path])}` });
  if (typeof p.name !== "string" || p.name.length === 0) bad("name", "a non-empty string");
  if (typeof p.version !== "string") bad("version", "a string");
  if (typeof p.params !== "object" || p.params === null || Array.isArray(p.params)) bad("params", "an object (the parameters, {} when none; they go into the run's provenance)");
  if (typeof p.decide !== "function") bad("decide", "a function (view, happened, state) => decisions");
  if (p.initialState !== undefined && typeof p.initialState !== "function") bad("initialState", "a function () => state, or nothing for a stateless policy");
  return issues;
}

/** A Policy given as an object (RunOptions.policy), checked. @throws InputError when it is not one */
export function checkedPolicy(value: unknown, file: string): Policy<unknown> {
  const issues = policyIssues(value, file);
  if (issues.length > 0) throw new InputError(issues);
  return value as Policy<unknown>;
}

/**
 * Loads a policy module and calls its factory with `params`.
 * @param file path of the module (relative to the working directory, or absolute); named in every error
 * @param params the policy's parameters
 * @param paramsFrom where the parameters were written, for messages (e.g. `scenarios/x.json policy.params`)
 * @throws InputError when the file is missing or not a module Node can load, has no default
 *   export that is a function, or its factory throws or returns something other than a Policy
 */
export async function loadPolicyModule(file: string, params: Readonly<Record<string, unknown>>, paramsFrom = "parameters"): Promise<Policy<unknown>> {
  const path = resolve(file);
  try {
    if (!statSync(path).isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
  } catch (err) {
    throw new InputError([{ code: "io_error", file, message: `cannot read the policy module: ${describeFsError(err)}` }]);
  }
  const ext = extname(path).toLowerCase();
  if (!POLICY_MODULE_EXTENSIONS.includes(ext)) {
    throw moduleIssue(file, `expected a JavaScript or TypeScript module (${POLICY_MODULE_EXTENSIONS.join(", ")}), got a file ending in ${JSON.stringify(ext || "(no extension)")}`);
  }
  let mod: Record<string, unknown>;
  try {
    const url = pathToFileURL(path).href;
    if (TYPESCRIPT.has(ext)) {
      const { tsImport } = await import("tsx/esm/api");
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
    }
  } catch (err) {
    throw moduleIssue(file, `expected a module Node can load, got an error while loading it: ${errorText(err)}`);
  }
  let factory = mod.default;
  // A module compiled to CommonJS (a .ts or .js file outside an ESM package) nests its default export once more.
  if (typeof factory === "object" && factory !== null && typeof (factory as { default?: unknown }).default === "function") factory = (factory as { default: unknown }).default;
  if (typeof factory !== "function") {
    const named = Object.keys(mod).filter((k) => k !== "default" && k !== "module.exports");
    const got = factory === undefined ? `no default export${named.length > 0 ? ` (it exports ${named.join(", ")})` : ""}` : `a default export that is ${describe(factory)}`;
    throw moduleIssue(file, `expected a default export that is a policy factory, a function (params) => Policy, got ${got}`);
  }
  let policy: unknown;
  try {
    policy = await (factory as PolicyFactory)(params);
  } catch (err) {
    const shown = JSON.stringify(params);
    throw moduleIssue(file, `refused the ${paramsFrom} ${shown.length > 200 ? `${shown.slice(0, 197)}...` : shown}: ${errorText(err)}`, "factory(params)");
  }
  const issues = policyIssues(policy, file);
  if (issues.length > 0) throw new InputError(issues.map((i) => ({ ...i, path: `factory(params)${i.path !== undefined ? `.${i.path}` : ""}` })));
  return policy as Policy<unknown>;
}

/** Which policy to run and with which parameters (runScenario's options and overrides). */
export interface PolicyChoiceOptions {
  /** A Policy object, used as it is (RunOptions.policy). */
  readonly policy?: Policy<unknown>;
  /** A built-in policy by name (RunOverrides.policy). */
  readonly name?: string;
  /** A policy module file, relative to the working directory (RunOverrides.policyModule). */
  readonly module?: string;
  /** Parameters replacing the scenario's (RunOverrides.policyParams). */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** The policy a run uses and, when it came from a module file, that file (absolute), for provenance. */
export interface ChosenPolicy {
  readonly policy: Policy<unknown>;
  readonly module?: string;
}

/**
 * The policy of a run: a Policy object if given; else a built-in policy named
 * in the overrides or a module file given there (relative to the working
 * directory); else the scenario's own (a name, or a module relative to the
 * scenario file). Parameters: the overrides' if given; else the scenario's when
 * its policy is the one used; else none.
 * @throws InputError on conflicting choices, an unknown name, parameters a
 *   policy refuses, or a bad policy module (see loadPolicyModule)
 */
export async function choosePolicy(scenario: ScenarioSpec, scenarioPath: string, o: PolicyChoiceOptions = {}): Promise<ChosenPolicy> {
  if (o.policy !== undefined) {
    const extra = [o.name !== undefined && "overrides.policy", o.module !== undefined && "overrides.policyModule", o.params !== undefined && "overrides.policyParams"].filter((x) => x !== false);
    if (extra.length > 0) throw moduleIssue("RunOptions.policy", `expected either a Policy object or ${extra.join(" and ")}, got both`);
    return { policy: checkedPolicy(o.policy, "RunOptions.policy") };
  }
  if (o.name !== undefined && o.module !== undefined) throw moduleIssue("--policy-module", `expected either --policy or --policy-module, got both (--policy ${o.name})`);
  const own = scenario.policy;
  const ownModule = own.module !== undefined ? resolve(resolveFrom(scenarioPath, own.module)) : undefined;
  if (o.module !== undefined || (o.name === undefined && own.module !== undefined)) {
    const file = o.module ?? resolveFrom(scenarioPath, own.module!);
    const same = resolve(file) === ownModule;
    const params = o.params ?? (same ? (own.params ?? {}) : {});
    const from = o.params !== undefined ? "parameters given" : same && own.params !== undefined ? `parameters of ${scenarioPath} policy.params` : "empty parameters";
    return { policy: await loadPolicyModule(file, params, from), module: resolve(file) };
  }
  const name = o.name ?? own.name!;
  const make = POLICIES[name];
  if (!make) throw new InputError([{ code: "invalid_value", file: "--policy", message: `expected one of ${Object.keys(POLICIES).join(", ")}, got "${name}"`, value: name }]);
  try {
    return { policy: make(o.params ?? (o.name !== undefined && o.name !== own.name ? {} : (own.params ?? {}))) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new InputError([{ code: "invalid_value", file: scenarioPath, path: "policy.params", message }]);
  }
}
