/**
 * `impactsim lca [node]`: a node type's life-cycle assessment: embodied
 * impacts per category and phase (with ranges when given by its parts), its
 * power profile, and its impacts per hour of use on a grid zone; a table, or
 * the report as JSON. A yargs command module, registered in commands.ts.
 */
import type { Argv, CommandModule } from "yargs";
import { formatLca, nodeLca } from "../run/index.js";
import type { ScoreMethodVersion } from "../io/index.js";

interface LcaArgs {
  node?: string;
  platform?: string;
  "node-type"?: string;
  zone?: string;
  pue?: number;
  load?: number;
  method?: string;
  json?: boolean;
}

export const lcaCommand: CommandModule<object, LcaArgs> = {
  command: "lca [node]",
  describe: "Life-cycle assessment of a node type (from its parts or its figures): embodied impacts by category and phase with ranges, its power profile, and its impacts per hour of use on a grid zone",
  builder: (y: Argv<object>) =>
    y
      .positional("node", { type: "string", describe: "a node-type file (e.g. platforms/nodes/dell-r620-parts.json); its proxy references come from --platform" })
      .option("platform", { type: "string", describe: "platform file (default: the bundled platforms/two-site-eu.json)" })
      .option("node-type", { type: "string", describe: "a node type of the platform, e.g. dell-r620" })
      .conflicts("node", "node-type")
      .option("zone", { type: "string", describe: "grid zone of the electricity factors (ISO 3166 alpha-3, WOR or EEE; default: the zone of the site hosting the node type, else EEE)" })
      .option("pue", { type: "number", describe: "PUE applied to the hour of use (default: that site's, else 1: IT energy only)" })
      .option("load", { type: "number", describe: "CPU load in percent (default 50, BoaviztaAPI's archetype workload)" })
      .option("method", { type: "string", choices: ["ef3.1", "ef3.0"], default: "ef3.1", describe: "single-score method: EF 3.1 or EF 3.0 normalisation (same weights)" })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON" }) as unknown as Argv<LcaArgs>,
  handler: async (args) => {
    const report = await nodeLca({
      nodeFile: args.node,
      platform: args.platform,
      nodeType: args["node-type"],
      zone: args.zone,
      pue: args.pue,
      loadPercent: args.load,
      method: (args.method === "ef3.0" ? "3.0" : "3.1") as ScoreMethodVersion,
    });
    process.stdout.write(args.json ? JSON.stringify(report, null, 2) + "\n" : formatLca(report));
  },
};
