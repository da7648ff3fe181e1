import { PRESET_DESCRIPTIONS, PRESET_NAMES } from './presets';
import { resolveConfig } from './load';
import { planCluster } from '../plan/build';
import { RULES } from '../plan/rules';

/** The README's preset table: what each preset plans, computed from the plan itself. */
export function renderPresetTable(): string {
  const lines = [
    '| Preset | What it is | Sites | UltraServers | Nodes | Chips | Dense FP8 / BF16 (PFLOPS) | HBM (TiB) | EFA per fabric (Tbit/s) | Stacks |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const name of PRESET_NAMES) {
    const plan = planCluster(resolveConfig(name));
    const t = plan.totals;
    lines.push(
      `| \`${name}\` | ${PRESET_DESCRIPTIONS[name]} | ${plan.sites.length} | ${fmt(t.ultraServers)} | ${fmt(t.nodes)} | ${fmt(t.chips)} | ${fmt(t.denseFp8Pflops)} / ${fmt(t.denseBf16Pflops)} | ${fmt(t.hbmGiB / 1024)} | ${efaPerFabric(plan)} | ${plan.stacks.length} |`,
    );
  }
  return lines.join('\n');
}

/**
 * EFA bandwidth of each fabric, never summed across fabrics: EFA traffic cannot cross Availability
 * Zones or VPCs (docs/topology.md section 3), so separate fabrics are not one network.
 */
function efaPerFabric(plan: ReturnType<typeof planCluster>): string {
  const each = [...new Set(plan.fabrics.map((f) => f.totals.efaGbps))];
  if (plan.fabrics.length === 1) return fmt(each[0] / 1000);
  return each.length === 1
    ? `${plan.fabrics.length} x ${fmt(each[0] / 1000)}`
    : `${plan.fabrics.length} fabrics, largest ${fmt(Math.max(...each) / 1000)}`;
}

/** The README's rule table, from the rule catalogue. */
export function renderRuleTable(): string {
  const lines = ['| Code | Level | Rule | Why |', '| --- | --- | --- | --- |'];
  for (const r of [...RULES].sort((a, b) => a.code.slice(6).localeCompare(b.code.slice(6)))) {
    lines.push(`| \`${r.code}\` | ${r.level} | ${r.name} | ${r.explanation.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
