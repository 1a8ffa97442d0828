// The sweep search methods (grid, random, bayes), hyperband early termination and metric.target,
// for the local controller. Every function is pure: the controller passes the FILLED config,
// every run of the sweep and a seeded rng, and gets a decision back.
import type { SweepConfig } from '../config/types';
import { bayesNext } from './bayes';
import { gridNext } from './grid';
import { randomNext } from './random';
import type { Rng } from './rng';
import { SearchConfigError, type Suggestion, type SweepRunView } from './types';

export type { Suggestion, SuggestionInfo, SweepRunView } from './types';
export { SearchConfigError } from './types';
export { makeRng, type Rng } from './rng';
export { gridNext, gridSize, qUniformGridValues } from './grid';
export { randomNext, randomParams } from './random';
export { bayesNext, type BayesOptions } from './bayes';
export { hyperbandBands, hyperbandThresholds, stopRuns, type BandThreshold } from './hyperband';
export { targetReached } from './metric';
export { canonicalKey } from './canonical';

/** The next run's parameters for the sweep's method, or `{done}` (only grid ends by itself). */
export function nextRun(config: SweepConfig, runs: SweepRunView[], rng: Rng): Suggestion {
  switch (config.method) {
    case 'grid':
      return gridNext(config, runs, rng);
    case 'random':
      return randomNext(config, runs, rng);
    case 'bayes':
      return bayesNext(config, runs, rng);
    default:
      throw new SearchConfigError(`unknown search method "${String((config as { method?: unknown }).method)}": use grid, random or bayes`);
  }
}
