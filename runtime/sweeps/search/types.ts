// The shapes the controller and the search methods exchange.

/** What the controller knows about a run of the sweep. */
export interface SweepRunView {
  id: string;
  state: 'pending' | 'running' | 'finished' | 'failed' | 'killed' | 'crashed';
  /** The run's parameter values, nested params as nested objects. */
  params: Record<string, unknown>;
  /** The sweep metric's logged values in order (all, including non-finite). */
  metricHistory: number[];
  /** The metric's summary value (last value) if any. */
  metricValue?: number;
}

/** Why a suggestion looks the way it does (for logs and the sweep panel; never needed to run it). */
export interface SuggestionInfo {
  method: 'grid' | 'random' | 'bayes';
  /** Bayes: 'gp' when the model chose the point, else why it fell back to random. */
  source?: 'gp' | 'random';
  note?: string;
  /** Bayes with 'gp': the model's prediction at the point, in the metric's own units and sign. */
  predicted?: number;
  predictedStd?: number;
  expectedImprovement?: number;
  probabilityOfImprovement?: number;
}

export type Suggestion = { params: Record<string, unknown>; info?: SuggestionInfo } | { done: true; reason: string };

/** A sweep config the search methods cannot run (e.g. a uniform parameter in a grid sweep). */
export class SearchConfigError extends Error {
  constructor(message: string, readonly parameter?: string) {
    super(message);
    this.name = 'SearchConfigError';
  }
}
