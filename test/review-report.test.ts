import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildClusterApp } from '../lib/app';
import { loadConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { ClusterPlan } from '../lib/plan/types';
import { CFN_RESOURCE_LIMIT } from '../lib/review/assembly';
import {
  REPORT_JSON_FILE,
  REPORT_MARKDOWN_FILE,
  REPORT_SCHEMA_VERSION,
  buildReport,
  describeSource,
  renderReportJson,
  renderReportMarkdown,
  writeReportFiles,
} from '../lib/review/report';
import { testApp } from './support/synth';

const plans = new Map<string, ClusterPlan>();
function plan(preset: string): ClusterPlan {
  if (!plans.has(preset)) {
    plans.set(preset, planCluster(loadConfig({ preset })));
  }
  return plans.get(preset)!;
}

function lines(markdown: string): string[] {
  return markdown.split('\n');
}

/** Every object's keys are in sorted order, at every depth. */
function assertSortedKeys(value: unknown, at = '$'): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertSortedKeys(v, `${at}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    expect({ at, keys }).toEqual({ at, keys: [...keys].sort() });
    keys.forEach((k) => assertSortedKeys((value as Record<string, unknown>)[k], `${at}.${k}`));
  }
}

describe('topology report (Markdown) for the default preset, from the plan', () => {
  const md = renderReportMarkdown(buildReport(plan('rainier-mini'), { source: describeSource({}) }));

  test('names the cluster and the configuration source', () => {
    expect(lines(md)[0]).toBe('# Topology of cluster `rainier`');
    expect(md).toContain('Configuration: preset rainier-mini (the default).');
    expect(md).toContain('Generated from the cluster plan only (no synthesis');
  });

  test.each([
    ['Sites', '1'],
    ['Trn2 UltraServers', '2'],
    ['Nodes', '10'],
    ['Trainium chips', '160'],
    ['NeuronCores', '1,280'],
    ['HBM', '15,360 GiB (15 TiB)'],
    ['Dense FP8', '208 PFLOPS'],
    ['Dense BF16', '107 PFLOPS'],
    ['EFA interfaces', '160'],
    ['EFA-node network bandwidth', '32,000 Gbit/s (32 Tbit/s)'],
  ])('totals line %s = %s', (label, value) => {
    expect(lines(md)).toContain(`| ${label} | ${value} |`);
  });

  test('one row per pool with capacity kind, counts, EFA and placement', () => {
    expect(lines(md)).toContain(
      '| ohio/train | UltraServer Capacity Block | trn2u.48xlarge | 2 | 8 (8) | 128 | 16 | none | rainier-ohio-train |',
    );
    expect(lines(md)).toContain(
      '| ohio/dev | On-Demand Capacity Reservation | trn2.48xlarge | - | 2 (2) | 32 | 16 | cluster | rainier-ohio-dev |',
    );
  });

  test('storage section shows the planned file system with FSx-style TiB and throughput', () => {
    const st = plan('rainier-mini').sites[0].storage;
    expect(md).toContain('## Storage');
    expect(md).toMatch(new RegExp(`^\\| ohio \\| PERSISTENT_2, Lustre 2\\.15, /fsx \\| ${st.capacityGiB.toLocaleString('en-US')} GiB`, 'm'));
    expect(md).toContain(`${(st.capacityGiB / 1000).toString()} TiB`);
  });

  test('monitoring section lists every planned alarm of the site', () => {
    const alarms = plan('rainier-mini').monitoring.sites[0].alarms;
    expect(alarms.length).toBeGreaterThan(0);
    expect(md).toContain(`${alarms.length} alarms;`);
    for (const a of alarms) {
      expect(md).toMatch(new RegExp(`^\\| ohio \\| ${a.id} \\|`, 'm'));
    }
  });

  test('says which Capacity Reservations each site watches', () => {
    const report = (preset: string) => renderReportMarkdown(buildReport(plan(preset), { source: describeSource({ preset }) }));
    expect(md).toContain('- ohio: every Capacity Reservation of us-east-2 tagged rainier:cluster=rainier, because some Capacity Block IDs there are deploy-time parameters\n');
    expect(report('single-node')).toContain('- ohio: its own (the IDs in the configuration and the On-Demand reservations its stacks create)\n');
    const scale = report('rainier-scale');
    expect(scale).toContain('- building-01: every Capacity Reservation of us-east-2 tagged rainier:cluster=rainier, because some Capacity Block IDs there are deploy-time parameters, for building-02, building-03, building-04 and 26 more too\n');
    expect(scale).not.toMatch(/^- building-02/m);
  });

  test('stack table lists the planned layout, without figures when nothing was synthesised', () => {
    expect(lines(md)).toContain('| rainier-ohio-network | network | - | no | - | - |');
    expect(lines(md)).toContain('| rainier-ohio-storage | storage | - | yes | - | - |');
    expect(lines(md)).toContain('| rainier-ohio-train | compute | 2 | no | - | - |');
    expect(lines(md)).toContain('| rainier-ohio-dev | compute | 1 | no | - | - |');
    // Subscriber and image are deploy-time parameters, so the default preset has no open warning.
    expect(md).not.toContain('RAIN-W701');
    expect(md).not.toContain('RAIN-W702');
  });
});

describe('stack table with synthesised figures', () => {
  test('shows resources and template size against the 500-resource and 1 MB limits', () => {
    const md = renderReportMarkdown(
      buildReport(plan('rainier-mini'), {
        stacks: [
          { id: 'rainier-ohio-network', resources: 28, templateBytes: 20_778 },
          { id: 'rainier-ohio-train', resources: 50, templateBytes: 2_000 },
        ],
      }),
    );
    expect(lines(md)).toContain('| rainier-ohio-network | network | - | no | 28 (6 %) | 20.3 KiB (2 %) |');
    expect(lines(md)).toContain('| rainier-ohio-train | compute | 2 | no | 50 (10 %) | 2 KiB (<1 %) |');
    expect(lines(md)).toContain('| rainier-ohio-dev | compute | 1 | no | not rendered | not rendered |');
    expect(md).not.toContain('Over a CloudFormation limit');
  });

  test('fails loudly when a stack is over a limit', () => {
    const md = renderReportMarkdown(
      buildReport(plan('ultraserver'), { stacks: [{ id: 'rainier-ohio-train', resources: CFN_RESOURCE_LIMIT + 1, templateBytes: 10 }] }),
    );
    expect(md).toContain('**Over a CloudFormation limit:** rainier-ohio-train.');
  });
});

describe('findings in the report', () => {
  test('an acknowledged warning shows its reason (rainier-scale acknowledges RAIN-W107)', () => {
    const md = renderReportMarkdown(buildReport(plan('rainier-scale')));
    expect(md).toMatch(/^- Warning `RAIN-W107` `sites[^`]*`: .* Acknowledged: A Rainier-size deployment runs under a negotiated capacity agreement/m);
    expect(lines(md)).toContain('| Trainium chips | 499,200 |');
    expect(lines(md)).toContain('| Trn2 UltraServers | 7,800 |');
  });
});

describe('topology report (JSON)', () => {
  const json = renderReportJson(buildReport(plan('rainier-mini'), { source: 'preset rainier-mini' }));

  test('keys are sorted at every level and the output is byte-stable', () => {
    assertSortedKeys(JSON.parse(json));
    expect(renderReportJson(buildReport(planCluster(loadConfig({ preset: 'rainier-mini' })), { source: 'preset rainier-mini' }))).toBe(json);
    expect(json.endsWith('}\n')).toBe(true);
  });

  test('carries the schema version and the figures of the Markdown', () => {
    const parsed = JSON.parse(json);
    expect(parsed.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(Object.keys(parsed)).toEqual([
      'cluster',
      'findings',
      'limits',
      'monitoringTotals',
      'overviewDashboards',
      'schemaVersion',
      'sites',
      'source',
      'stacks',
      'storageTotals',
      'synthesised',
      'topology',
      'totals',
    ]);
    expect(parsed.totals.chips).toBe(160);
    expect(parsed.sites[0].pools.map((p: { name: string }) => p.name)).toEqual(['train', 'dev']);
    expect(parsed.limits).toEqual({ resourcesPerStack: 500, templateBytes: 1_000_000 });
  });
});

describe('report written on synthesis (as bin/rainier.ts does)', () => {
  test('topology.md and topology.json land in the assembly with every planned stack rendered and within limits', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-report-'));
    try {
      const app = testApp({ outdir });
      const { plan: p } = buildClusterApp(app, { preset: 'ultraserver' });
      const report = writeReportFiles(p, app.synth(), 'preset ultraserver');
      const md = fs.readFileSync(path.join(outdir, REPORT_MARKDOWN_FILE), 'utf8');
      const json = JSON.parse(fs.readFileSync(path.join(outdir, REPORT_JSON_FILE), 'utf8'));
      expect(md).toBe(renderReportMarkdown(report));
      expect(json.synthesised).toBe(true);
      for (const s of json.stacks) {
        expect({ id: s.id, rendered: s.rendered }).toEqual({ id: s.id, rendered: true });
        expect(s.resources).toBeGreaterThan(0);
        expect(s.resources).toBeLessThanOrEqual(500);
        expect(s.templateBytes).toBeLessThanOrEqual(1_000_000);
      }
      expect(md).toMatch(/^\| rainier-ohio-storage \| storage \| - \| yes \| \d+ \(\d+ %\) \| [\d.]+ KiB \(\d+ %\) \|$/m);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
