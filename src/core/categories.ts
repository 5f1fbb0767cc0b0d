/**
 * EF 3.1 impact categories (European Commission Environmental Footprint 3.1),
 * with their official names and characterised units, plus one energy
 * coordinate. Source of names and units: JRC, Andreasi Bassi et al. (2023),
 * EUR 31414 EN, doi:10.2760/798894 (see platforms/lca/SOURCES.md).
 *
 * An ImpactVector is indexed by these positions; the order is part of the
 * file formats (CSV column order), so append only.
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
/** Length of an ImpactVector: 16 categories plus energy. */
export const N_COORDS = N_EF + 1;

/** Index of a category id ("CC"), or -1. */
export function categoryIndex(id: string): number {
  if (id === "ENERGY") return ENERGY;
  return EF_CATEGORIES.findIndex((c) => c.id === id);
}

export const PHASES = ["fabrication", "transport", "use", "endOfLife"] as const;
export type Phase = (typeof PHASES)[number];
export const N_PHASES = PHASES.length;
export const PHASE_INDEX: Readonly<Record<Phase, number>> = { fabrication: 0, transport: 1, use: 2, endOfLife: 3 };
