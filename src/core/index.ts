export * from "./units.js";
export * from "./fsum.js";
export * from "./categories.js";
export * from "./impact.js";
export * from "./errors.js";
export * from "./timeseries.js";
export * from "./rng.js";
export * from "./score.js";
