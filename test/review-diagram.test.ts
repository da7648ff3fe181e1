import * as fs from 'fs';
import { loadConfig } from '../lib/config/load';
import { PRESET_NAMES } from '../lib/config/presets';
import { planCluster } from '../lib/plan/build';
import { PICTURE_STYLE, fabricGroups, pictureTitle, renderDot, renderSvg } from '../lib/review/picture';
import { ARCHITECTURE_FILE, ARCHITECTURE_SVG, renderArchitecture, renderArchitectureSvg } from '../scripts/diagram';

/** The SVG's size in points and its text, entities decoded (Graphviz writes `-` as `&#45;`). */
function inspect(svg: string) {
  const size = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg)!;
  const fonts = [...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
  const text = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)]
    .map((m) => m[1].replace(/&#45;/g, '-').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))))
    .join('\n');
  return { widthPt: Number(size[1]), heightPt: Number(size[2]), minFontPt: Math.min(...fonts), text };
}

/** A page 900 px wide shows the picture scaled to fit: px per point = 900 / width in points. */
const PAGE_PX = 900;
const READABLE_PX = 10;

describe('architecture picture (SVG, from the plan)', () => {
  test('docs/architecture.md and docs/architecture.svg match the generator for the default preset', async () => {
    const committed = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
    if (committed(ARCHITECTURE_FILE) !== renderArchitecture() || committed(ARCHITECTURE_SVG) !== (await renderArchitectureSvg())) {
      throw new Error('docs/architecture.md or docs/architecture.svg is out of date with the plan of the default preset: run `npm run diagram` and commit the result.');
    }
  });

  const pictures = new Map<string, Promise<string>>();
  const picture = (preset: string) => {
    if (!pictures.has(preset)) {
      pictures.set(preset, renderSvg(planCluster(loadConfig({ preset })), `preset ${preset}`));
    }
    return pictures.get(preset)!;
  };

  test.each(PRESET_NAMES.map((p) => [p]))('%s: drawn within size bounds, readable at 900 px wide', async (preset) => {
    const { widthPt, heightPt, minFontPt } = inspect(await picture(preset));
    expect(widthPt).toBeGreaterThan(300);
    expect(widthPt).toBeLessThanOrEqual(1100);
    expect(heightPt).toBeLessThanOrEqual(3000);
    expect(minFontPt).toBeGreaterThanOrEqual(PICTURE_STYLE.edgePt);
    expect((minFontPt * PAGE_PX) / widthPt).toBeGreaterThanOrEqual(READABLE_PX);
  });

  test.each(PRESET_NAMES.map((p) => [p]))('%s: every building and pool is in the picture, with its capacity', async (preset) => {
    const plan = planCluster(loadConfig({ preset }));
    const { text } = inspect(await picture(preset));
    for (const site of plan.sites) {
      expect(text).toContain(site.name);
      expect(text).toContain(`Availability Zone ${site.availabilityZone}`);
      for (const pool of site.pools) {
        expect(text).toContain(`Pool ${pool.name}`);
        expect(text).toContain(pool.instanceType);
      }
    }
    expect(text).toContain(pictureTitle(plan, `preset ${preset}`).split('\n')[0]);
  });

  test('UltraServers: counted, four nodes joined by NeuronLink, EFA to the fabric', async () => {
    const dot = renderDot(planCluster(loadConfig({ preset: 'rainier-mini' })), 'test');
    expect(dot).toContain('2 × UltraServer');
    // A ring of four NeuronLink edges inside the UltraServer cluster.
    expect(dot.match(/r0z0b0p\d+n\d -- r0z0b0p\d+n\d \[penwidth=3, color="#2e7d32"\]/g)).toHaveLength(4);
    expect(dot).toMatch(/-- r0z0b0efa \[ltail=cluster_r0z0b0p\d+, penwidth=2.5, color="#d9822b", label="EFA, 16 per node"\]/);
    expect(dot).toMatch(/-- r0z0b0fsx \[ltail=cluster_r0z0b0p\d+, label="Lustre"\]/);
  });

  test('an EFA-enabled file system is joined to the fabric; a TCP one is not', () => {
    const efa = renderDot(planCluster(loadConfig({ preset: 'trn1-small' })), 'test');
    expect(efa).toContain('r0z0b0efa -- r0z0b0fsx [penwidth=2.5');
    const tcp = renderDot(planCluster(loadConfig({ preset: 'rainier-mini' })), 'test');
    expect(tcp).toContain('r0z0b0efa -- r0z0b0fsx [style=invis]');
  });

  test('rainier-scale: identical buildings and all UltraServers collapse into counts, one group per Availability Zone', async () => {
    const plan = planCluster(loadConfig({ preset: 'rainier-scale' }));
    expect(fabricGroups(plan).map((g) => [g.availabilityZone, g.sites.length])).toEqual([
      ['us-east-2a', 10],
      ['us-east-2b', 10],
      ['us-east-2c', 10],
    ]);
    const dot = renderDot(plan, 'test');
    expect(dot).toContain('260 × UltraServer');
    expect(dot).toContain('9 identical buildings');
    expect(dot).toContain('10 identical buildings');
    expect(dot.split('\n').length).toBeLessThan(300);
  });
});
