/**
 * impactsim as a library: every public name of the layer entry points in one
 * import. `impactsim/core`, `impactsim/models`, `impactsim/io`,
 * `impactsim/planner`, `impactsim/sim`, `impactsim/accounting` and
 * `impactsim/run` give the same names one layer at a time (each is its
 * folder's index.ts). docs/library.md states the stability promise.
 *
 * @packageDocumentation
 * @module impactsim
 */
export * from "./core/index.js";
export * from "./models/index.js";
export * from "./io/index.js";
export * from "./planner/index.js";
export * from "./sim/index.js";
export * from "./accounting/index.js";
export * from "./run/index.js";
export * from "./live/index.js";
