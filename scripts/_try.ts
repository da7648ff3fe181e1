import { resolveConfig } from '../lib/config/load';
import { planCluster } from '../lib/plan/build';
for (const o of [
  { orchestrator: 'pcs' },
  { orchestrator: { engine: 'eks', access: [{ principal: 'X', policy: 'owner' }] } },
  { orchestrator: { engine: 'eks', kubernetes: '1.34' } },
  { orchestrator: { engine: 'pcs' } },
  { orchestrator: { engine: 'eks', kubernetesVersion: 1.34 } },
  { orchestrator: { engine: 'eks', access: { principal: 'X', policy: 'admin' } } },
  { orchestrator: 'EKS' },
]) {
  try { planCluster(resolveConfig('rainier-mini', o)); console.log('OK', JSON.stringify(o)); } catch (e) { console.log((e as Error).message); }
}
