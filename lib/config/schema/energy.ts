import { z } from 'zod';

/**
 * Inputs of the power, energy and water estimate (lib/plan/energy.ts). Sourced figures are the
 * defaults where a source exists; the others are assumptions, labelled as such in the report.
 */
export const energySchema = z.strictObject({
  chipWatts: z
    .number()
    .positive()
    .max(5000)
    .default(500)
    .describe(
      'ASSUMPTION: power of one Trainium2 chip, in watts, for the IT-power estimate (trn1 chips use the same figure). ' +
        'Default 500: neither AWS nor the Neuron documentation publishes a Trainium2 power figure; 500 W is a third-party estimate ' +
        '(NAND Research, "AWS\'s new Trainium2", https://nand-research.com/research-note-awss-new-trainium2). Set your own.',
    ),
  hostWattsPerNode: z
    .number()
    .min(0)
    .max(20000)
    .default(0)
    .describe(
      'ASSUMPTION: power of one node\'s host (CPUs, memory, NICs, fans), in watts, added to its chips. ' +
        'Default 0: no public figure exists, so the estimate counts accelerators only and understates IT power.',
    ),
  pue: z
    .number()
    .min(1)
    .max(3)
    .default(1.15)
    .describe(
      'Power usage effectiveness: facility power / IT power. Default 1.15, the global PUE AWS reported for 2024 ' +
        '(https://aws.amazon.com/sustainability/data-centers/; AWS reports 1.14 for 2025 on https://sustainability.aboutamazon.com/).',
    ),
  wueLitersPerKWh: z
    .number()
    .min(0)
    .max(10)
    .default(0.15)
    .describe(
      'Water usage effectiveness of the site, litres per kWh of IT energy. Default 0.15, the AWS figure the Project Rainier seed article gives ' +
        '(REFERENCE.md §12; AWS reported 0.25 L/kWh for 2021 when it began publishing WUE).',
    ),
  industryWueLitersPerKWh: z
    .number()
    .min(0)
    .max(10)
    .default(0.375)
    .describe('Industry-average WUE the estimate compares with, litres per kWh. Default 0.375, the seed article\'s industry figure (REFERENCE.md §12).'),
  campusGW: z
    .number()
    .positive()
    .max(100)
    .optional()
    .describe('Power of the campus the cluster stands on, in GW, to compare the estimate with. Default: no comparison; `rainier-scale` sets 2.2, the New Carlisle campus at full build (REFERENCE.md §12).'),
});

export type EnergyConfig = z.output<typeof energySchema>;
