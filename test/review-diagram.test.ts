import * as fs from 'fs';
import { loadConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
import { MAX_DRAWN_ULTRASERVERS, renderMermaid } from '../lib/review/diagram';
import { ARCHITECTURE_FILE, renderArchitecture } from '../scripts/diagram';

describe('architecture diagram', () => {
  test('docs/architecture.md matches the generator for the default preset', () => {
    const committed = fs.existsSync(ARCHITECTURE_FILE) ? fs.readFileSync(ARCHITECTURE_FILE, 'utf8') : '';
    if (committed !== renderArchitecture()) {
      throw new Error('docs/architecture.md is out of date with the plan of the default preset: run `npm run diagram` and commit the result.');
    }
  });

  test('draws each UltraServer of a small pool, with its capacity, EFA fabric and file system', () => {
    const mermaid = renderMermaid(planCluster(loadConfig({ preset: 'rainier-mini' })));
    expect(mermaid.startsWith('flowchart TB\n')).toBe(true);
    expect(mermaid).toContain('UltraServer ohio-train-u0000<br/>4 x trn2u.48xlarge, 64 chips, NeuronLink');
    expect(mermaid).toContain('UltraServer ohio-train-u0001<br/>');
    expect(mermaid).toContain('s0p0 ---|EFA| s0efa');
    expect(mermaid).toContain('s0p1 ---|Lustre| s0fsx');
    expect(mermaid).toContain('2 x trn2.48xlarge<br/>32 chips, 16 EFA per node');
  });

  test('collapses big pools into a count so rainier-scale stays readable', () => {
    const plan = planCluster(loadConfig({ preset: 'rainier-scale' }));
    const mermaid = renderMermaid(plan);
    expect(plan.sites[0].pools[0].ultraServerCount).toBeGreaterThan(MAX_DRAWN_ULTRASERVERS);
    expect(mermaid).toContain('260 x Trn2 UltraServer<br/>building-01-train-u0000 .. building-01-train-u0259');
    expect(mermaid).not.toContain('UltraServer building-01-train-u0001');
    // About 15 lines per building, whatever its size (30 buildings since issue #12).
    expect(mermaid.split('\n').length).toBeLessThan(500);
  });
});
