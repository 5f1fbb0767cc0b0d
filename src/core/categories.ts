/**
 * EF 3.1 impact categories (European Commission Environmental Footprint 3.1),
 * with their official names and characterised units, plus two coordinates that
 * are not EF categories: the energy drawn at the facility meter, and primary
 * energy (PE, MJ), which BoaviztaAPI and Green Algorithms report beside the EF
 * categories. Source of names and units: JRC, Andreasi Bassi et al. (2023),
 * EUR 31414 EN, doi:10.2760/798894 (see platforms/lca/SOURCES.md).
 *
 * An ImpactVector is indexed by these positions: the 16 categories, ENERGY,
 * then PE. The order is part of the file formats (CSV column order), so append
 * only. The single score weighs the 16 categories only.
 */
export interface Category {
  /** Short id used in files and code, e.g. "CC". */
  readonly id: string;
  /** Official EF 3.1 category name. */
  readonly name: string;
  /** Characterised unit of the category. */
  readonly unit: string;
  /** Column-safe slug with the unit, e.g. "cc_kgco2eq". */
  readonly column: string;
}

export const EF_CATEGORIES: readonly Category[] = [
  { id: "CC", name: "Climate change", unit: "kg CO2 eq", column: "cc_kgco2eq" },
  { id: "ODP", name: "Ozone depletion", unit: "kg CFC-11 eq", column: "odp_kgcfc11eq" },
  { id: "HTC", name: "Human toxicity, cancer", unit: "CTUh", column: "htc_ctuh" },
  { id: "HTNC", name: "Human toxicity, non-cancer", unit: "CTUh", column: "htnc_ctuh" },
  { id: "PM", name: "Particulate matter", unit: "disease incidence", column: "pm_disease_inc" },
  { id: "IR", name: "Ionising radiation, human health", unit: "kBq U-235 eq", column: "ir_kbqu235eq" },
  { id: "POCP", name: "Photochemical ozone formation, human health", unit: "kg NMVOC eq", column: "pocp_kgnmvoceq" },
  { id: "AC", name: "Acidification", unit: "mol H+ eq", column: "ac_molhpluseq" },
  { id: "EUT", name: "Eutrophication, terrestrial", unit: "mol N eq", column: "eut_molneq" },
  { id: "EUF", name: "Eutrophication, freshwater", unit: "kg P eq", column: "euf_kgpeq" },
  { id: "EUM", name: "Eutrophication, marine", unit: "kg N eq", column: "eum_kgneq" },
  { id: "ETF", name: "Ecotoxicity, freshwater", unit: "CTUe", column: "etf_ctue" },
  { id: "LU", name: "Land use", unit: "pt", column: "lu_pt" },
  { id: "WU", name: "Water use", unit: "m3 world eq deprived", column: "wu_m3worldeq" },
  { id: "RUMM", name: "Resource use, minerals and metals", unit: "kg Sb eq", column: "rumm_kgsbeq" },
  { id: "RUF", name: "Resource use, fossils", unit: "MJ", column: "ruf_mj" },
];

/** Number of EF 3.1 categories. */
export const N_EF = EF_CATEGORIES.length;
/** Index of the energy coordinate: electricity drawn at the facility meter, in joules. */
export const ENERGY = N_EF;
/**
 * Index of primary energy, MJ: the energy taken from nature (fossil, nuclear
 * and renewable) to make the product or the electricity. Not an EF 3.1 category
 * and never weighted; kept where a source gives it (BoaviztaAPI's component
 * factors and per-kWh factors), otherwise missing.
 */
export const PE = N_EF + 1;
/** Length of an ImpactVector: 16 categories, energy, primary energy. */
export const N_COORDS = N_EF + 2;

/** Primary energy as a reported indicator (same shape as a category). */
export const PE_INDICATOR: Category = { id: "PE", name: "Primary energy", unit: "MJ", column: "pe_mj" };

/** An indicator a summary reports: a category, or PE, with its coordinate in an ImpactVector. */
export interface Indicator extends Category {
  readonly index: number;
}

/** The indicators results report per phase: the 16 EF categories in file order, then PE. */
export const INDICATORS: readonly Indicator[] = [...EF_CATEGORIES.map((c, index) => ({ ...c, index })), { ...PE_INDICATOR, index: PE }];

/** Index of a category id ("CC"), of "ENERGY" or "PE", or -1. */
export function categoryIndex(id: string): number {
  if (id === "ENERGY") return ENERGY;
  if (id === "PE") return PE;
  return EF_CATEGORIES.findIndex((c) => c.id === id);
}

export const PHASES = ["fabrication", "transport", "use", "endOfLife"] as const;
export type Phase = (typeof PHASES)[number];
export const N_PHASES = PHASES.length;
export const PHASE_INDEX: Readonly<Record<Phase, number>> = { fabrication: 0, transport: 1, use: 2, endOfLife: 3 };
