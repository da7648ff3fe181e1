import { EnergyConfig, energySchema } from '../config/schema/energy';
import { FabricPlan } from './fabric';
import { Totals } from './types';

/**
 * Power, energy and water of a cluster, estimated from its chips and nodes (issue #12):
 *
 *   IT power       = chips x chipWatts + nodes x hostWattsPerNode
 *   facility power = IT power x PUE            (PUE = facility energy / IT energy)
 *   energy         = facility power x 24 h (per day), x 365 days (per year), at full power all the time
 *   water per day  = IT energy per day x WUE   (WUE = site water / IT energy, The Green Grid's metric
 *                    as AWS reports it: "annual water usage by the energy consumption of the computing
 *                    equipment", AWS water+ announcement, Nov 2022)
 *
 * Every input is in the config (`energy`): sourced defaults where AWS publishes a figure (PUE), the
 * seed article's figures for water (REFERENCE.md §12), and labelled assumptions where nobody does
 * (Trainium2 chip power, host power). The report prints the inputs with their status.
 */
export interface EnergyInput {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Where the figure comes from, or why it is an assumption. */
  readonly source: string;
  readonly assumption: boolean;
}

export interface EnergyEstimate {
  readonly chips: number;
  readonly nodes: number;
  readonly itKW: number;
  readonly facilityKW: number;
  readonly energyPerDayMWh: number;
  readonly energyPerYearGWh: number;
  readonly waterPerDayLiters: number;
  readonly industryWaterPerDayLiters: number;
}

export interface EnergyPlan {
  readonly inputs: readonly EnergyInput[];
  readonly total: EnergyEstimate;
  /** Per EFA fabric (a building in this model), in fabric order. */
  readonly fabrics: readonly { readonly fabric: string; readonly estimate: EnergyEstimate }[];
  /** Set when the config names the campus power (`energy.campusGW`). */
  readonly campus?: { readonly campusGW: number; readonly facilityShare: number };
}

export const HOURS_PER_DAY = 24;
export const DAYS_PER_YEAR = 365;

/** Rounded to 0.001 so sums and snapshots stay free of floating-point noise. */
function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export function estimateEnergy(totals: Pick<Totals, 'chips' | 'nodes'>, energy: EnergyConfig): EnergyEstimate {
  const itKW = (totals.chips * energy.chipWatts + totals.nodes * energy.hostWattsPerNode) / 1000;
  const facilityKW = itKW * energy.pue;
  const itKWhPerDay = itKW * HOURS_PER_DAY;
  return {
    chips: totals.chips,
    nodes: totals.nodes,
    itKW: round(itKW),
    facilityKW: round(facilityKW),
    energyPerDayMWh: round((facilityKW * HOURS_PER_DAY) / 1000),
    energyPerYearGWh: round((facilityKW * HOURS_PER_DAY * DAYS_PER_YEAR) / 1_000_000),
    waterPerDayLiters: round(itKWhPerDay * energy.wueLitersPerKWh),
    industryWaterPerDayLiters: round(itKWhPerDay * energy.industryWueLitersPerKWh),
  };
}

/** `trainium1`: the cluster has first-generation Trainium chips, which the same chip figure is applied to. */
export function energyInputs(energy: EnergyConfig, trainium1 = false): EnergyInput[] {
  const defaults = energySchema.parse({});
  const configured = (field: keyof EnergyConfig, input: EnergyInput): EnergyInput =>
    energy[field] === defaults[field] ? input : { ...input, source: `set in the configuration (energy.${field})`, assumption: true };
  const [chip, host, pue, wue, industry, duty] = [
    {
      name: 'Trainium chip power',
      value: energy.chipWatts,
      unit: 'W',
      source:
        'AWS and Neuron publish no Trainium2 power figure; default 500 W is a third-party estimate (NAND Research)' +
        (trainium1 ? '; applied to this cluster\'s first-generation Trainium (trn1) chips too, for which no figure is published either' : ''),
      assumption: true,
    },
    {
      name: 'host power per node',
      value: energy.hostWattsPerNode,
      unit: 'W',
      source: 'no public figure; default 0 counts accelerators only',
      assumption: true,
    },
    { name: 'PUE', value: energy.pue, unit: '', source: 'AWS global PUE 2024 (aws.amazon.com/sustainability/data-centers)', assumption: false },
    { name: 'WUE (AWS)', value: energy.wueLitersPerKWh, unit: 'L/kWh', source: 'seed article, REFERENCE.md §12', assumption: false },
    { name: 'WUE (industry)', value: energy.industryWueLitersPerKWh, unit: 'L/kWh', source: 'seed article, REFERENCE.md §12', assumption: false },
    { name: 'duty', value: 100, unit: '%', source: 'every chip at the assumed power all day, every day', assumption: true },
  ];
  return [
    configured('chipWatts', chip),
    configured('hostWattsPerNode', host),
    configured('pue', pue),
    configured('wueLitersPerKWh', wue),
    configured('industryWueLitersPerKWh', industry),
    duty,
  ];
}

export function planEnergy(totals: Totals, fabrics: readonly FabricPlan[], energy: EnergyConfig, trainium1 = false): EnergyPlan {
  const total = estimateEnergy(totals, energy);
  return {
    inputs: energyInputs(energy, trainium1),
    total,
    fabrics: fabrics.map((f) => ({ fabric: f.id, estimate: estimateEnergy(f.totals, energy) })),
    ...(energy.campusGW === undefined
      ? {}
      : { campus: { campusGW: energy.campusGW, facilityShare: round(total.facilityKW / (energy.campusGW * 1_000_000)) } }),
  };
}
