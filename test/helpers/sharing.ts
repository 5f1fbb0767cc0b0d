/** Platforms whose pools give every job whole nodes (an exclusive partition), for goldens worked out for whole-node allocation. */
import type { PlatformModel } from "../../src/models/platform.js";

/** `platform` with every pool exclusive: each job holds whole nodes, as before nodes were shared. */
export function exclusivePools(platform: PlatformModel): PlatformModel {
  return { ...platform, pools: platform.pools.map((p) => ({ ...p, exclusive: true })) };
}
