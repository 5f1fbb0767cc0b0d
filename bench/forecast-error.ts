/**
 * How the savings of temporal shifting degrade with forecast error, on the QoS
 * study scenario (scenarios/qos-eu.json): the green class's use-phase climate
 * change saved against EASY, for forecast noise sigma 0 .. 0.4 (relative, per
 * series segment) and a +20 % bias. A study, not a test: prints a table.
 * Usage: npx tsx bench/forecast-error.ts
 */
import { comparePolicies } from "../src/run/compare.js";

const cases: { bias: number; sigma: number }[] = [
  { bias: 0, sigma: 0 },
  { bias: 0, sigma: 0.1 },
  { bias: 0, sigma: 0.2 },
  { bias: 0, sigma: 0.4 },
  { bias: 0.2, sigma: 0 },
];
console.log("forecast bias  sigma  green CC saved  green wait added h  all CC saved");
for (const forecast of cases) {
  const { rows } = await comparePolicies({
    scenario: "scenarios/qos-eu.json",
    policies: [{ name: "easy" }, { name: "temporal" }],
    overrides: { forecast },
    outRoot: "results/forecast-error",
  });
  const green = rows.find((r) => r.policy === "temporal" && r.class === "green")!;
  const all = rows.find((r) => r.policy === "temporal" && r.class === "all")!;
  console.log(
    `${String(forecast.bias).padStart(13)}  ${String(forecast.sigma).padStart(5)}  ${(100 * green.cc_saved).toFixed(1).padStart(13)} %  ${(green.wait_added_s / 3600).toFixed(2).padStart(18)}  ${(100 * all.cc_saved).toFixed(1).padStart(11)} %`,
  );
}
