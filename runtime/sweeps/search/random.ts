// Random search: every parameter drawn independently from its distribution. It never ends by
// itself; the controller stops at run_cap and agents at their count.
import type { SweepConfig } from '../config/types';
import { buildParams, flattenParameters, sample } from './distributions';
import type { Rng } from './rng';
import type { Suggestion, SweepRunView } from './types';

export function randomParams(config: SweepConfig, rng: Rng): Record<string, unknown> {
  const leaves = flattenParameters(config.parameters);
  return buildParams(leaves, leaves.map((l) => sample(l.spec, rng, l.name)));
}

export function randomNext(config: SweepConfig, _runs: SweepRunView[], rng: Rng): Suggestion {
  return { params: randomParams(config, rng), info: { method: 'random' } };
}
