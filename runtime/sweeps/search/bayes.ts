// Bayesian optimisation as W&B's bayes search does it: parameters mapped to [0,1] through their
// CDFs, a Matérn-3/2 GP on standardised targets (minimised; maximize goals negated), running and
// pending runs added at the GP's own prediction ("kriging believer") and the GP refit, then the
// candidate with the largest expected improvement, mapped back through the PPFs.
import type { Goal, Impute, SweepConfig } from '../config/types';
import { buildParams, encode, flattenParameters, getPath, ppf, type LeafParam } from './distributions';
import { fitGaussianProcess, type GpFit, type GpFitOptions } from './gp';
import { bestValue, latestValue, worstValue } from './metric';
import type { Rng } from './rng';
import { normalCdf, normalPdf } from './special';
import { SearchConfigError, type Suggestion, type SuggestionInfo, type SweepRunView } from './types';

export interface BayesOptions {
  /** Uniform random candidates scored by EI (W&B: 1000). */
  candidates?: number;
  /** Extra candidates drawn around the best observations, so the optimum can be refined. */
  localCandidates?: number;
  /** Observations kept for the GP; above this a deterministic subsample (W&B: 100). */
  maxObservations?: number;
  /** Pending points kept (W&B: 95). */
  maxPending?: number;
  gp?: GpFitOptions;
}

const STD_EPS = 1e-6; // as W&B: keeps the standardisation and Z finite

interface Data {
  searchable: LeafParam[];
  X: number[][];
  y: number[];
  pending: number[][];
}

const TERMINAL = new Set<SweepRunView['state']>(['finished', 'failed', 'crashed', 'killed']);

/**
 * The value W&B's `worst` imputation uses: the worst finite value any ended run logged;
 * failing that, any run's; failing that, 0.
 */
export function worstMetric(runs: SweepRunView[], goal: Goal): number {
  const pick = (rs: SweepRunView[]) => {
    let worst: number | undefined;
    for (const r of rs) {
      const w = worstValue(r, goal);
      if (w === undefined) continue;
      if (worst === undefined || (goal === 'maximize' ? w < worst : w > worst)) worst = w;
    }
    return worst;
  };
  return pick(runs.filter((r) => TERMINAL.has(r.state))) ?? pick(runs) ?? 0;
}

/** The metric value that stands for a run in the model, or undefined when it is a pending point. */
export function observedValue(run: SweepRunView, goal: Goal, impute: Impute, imputeWhileRunning: Impute | false, worst: number): number | undefined {
  const byStrategy = (s: Impute) => (s === 'best' ? bestValue(run, goal) : s === 'latest' ? latestValue(run) : undefined) ?? worst;
  switch (run.state) {
    case 'finished':
      // A finished run counts with its best value (W&B's metric_extremum); with none finite, as the worst.
      return bestValue(run, goal) ?? worst;
    case 'failed':
    case 'crashed':
    case 'killed':
      return byStrategy(impute);
    case 'running':
      return imputeWhileRunning === false ? undefined : byStrategy(imputeWhileRunning);
    case 'pending':
      return undefined;
  }
}

function collect(config: SweepConfig, runs: SweepRunView[]): Data {
  const metric = config.metric;
  if (!metric) throw new SearchConfigError('bayes search needs a metric: add `metric: {name: ..., goal: ...}`');
  const goal = metric.goal ?? 'minimize';
  const searchable = flattenParameters(config.parameters).filter((l) => l.spec.distribution !== 'constant');
  const worst = worstMetric(runs, goal);
  const X: number[][] = [];
  const y: number[] = [];
  const pending: number[][] = [];
  for (const run of runs) {
    const x: number[] = [];
    for (const leaf of searchable) {
      const got = getPath(run.params, leaf.path);
      const e = got.found ? encode(leaf.spec, got.value) : undefined;
      if (e === undefined || !Number.isFinite(e)) break;
      x.push(e);
    }
    if (x.length !== searchable.length) continue; // parameters we cannot place (e.g. a prior run from another space)
    const v = observedValue(run, goal, metric.impute ?? 'worst', metric.impute_while_running ?? false, worst);
    if (v === undefined) pending.push(x);
    else {
      X.push(x);
      y.push(goal === 'maximize' ? -v : v); // the GP minimises
    }
  }
  return { searchable, X, y, pending };
}

function standardise(y: number[]): { z: number[]; mean: number; std: number } {
  if (y.length === 1) return { z: [0], mean: y[0], std: 1 };
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const std = Math.sqrt(y.reduce((a, b) => a + (b - mean) * (b - mean), 0) / y.length) + STD_EPS;
  return { z: y.map((v) => (v - mean) / std), mean, std };
}

/** Keeps the best observation and a seeded random subset of the rest (without replacement). */
function subsample(X: number[][], y: number[], max: number, rng: Rng): { X: number[][]; y: number[] } {
  if (X.length <= max) return { X, y };
  let bestI = 0;
  for (let i = 1; i < y.length; i++) if (y[i] < y[bestI]) bestI = i;
  const rest = y.map((_, i) => i).filter((i) => i !== bestI);
  for (let i = 0; i < max - 1; i++) {
    const j = i + rng.int(rest.length - i);
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  const keep = [bestI, ...rest.slice(0, max - 1)].sort((a, b) => a - b);
  return { X: keep.map((i) => X[i]), y: keep.map((i) => y[i]) };
}

function fit(X: number[][], y: number[], rng: Rng, opts: GpFitOptions): { fit: GpFit; mean: number; std: number } | undefined {
  const s = standardise(y);
  const f = fitGaussianProcess(X, s.z, rng, opts);
  return f && { fit: f, mean: s.mean, std: s.std };
}

function suggestionFrom(config: SweepConfig, searchable: LeafParam[], point: number[], info: SuggestionInfo): Suggestion {
  const leaves = flattenParameters(config.parameters);
  const at = new Map(searchable.map((l, i) => [JSON.stringify(l.path), point[i]]));
  const values = leaves.map((l) => (l.spec.distribution === 'constant' ? l.spec.value : ppf(l.spec, at.get(JSON.stringify(l.path))!, l.name)));
  return { params: buildParams(leaves, values), info };
}

export function bayesNext(config: SweepConfig, runs: SweepRunView[], rng: Rng, opts: BayesOptions = {}): Suggestion {
  const { searchable, X: allX, y: allY, pending: allPending } = collect(config, runs);
  const d = searchable.length;
  const randomPoint = () => Array.from({ length: d }, () => rng.uniform());
  const random = (note: string) => suggestionFrom(config, searchable, randomPoint(), { method: 'bayes', source: 'random', note });
  if (d === 0) return suggestionFrom(config, searchable, [], { method: 'bayes', source: 'random', note: 'every parameter is constant' });
  if (allX.length < 2) return random(`random until 2 runs have a metric (${allX.length} so far)`);

  const gpOpts: GpFitOptions = { restarts: 2, ...opts.gp };
  const { X, y } = subsample(allX, allY, opts.maxObservations ?? 100, rng);
  let model = fit(X, y, rng, gpOpts);
  if (!model) return random('the Gaussian process could not be fitted');

  const pending = allPending.slice(0, opts.maxPending ?? 95);
  if (pending.length) {
    // Kriging believer: running/pending points take the GP's own prediction, then refit.
    const fantasies = pending.map((p) => model!.fit.gp.predict(p).mean * model!.std + model!.mean);
    const refit = fit([...X, ...pending], [...y, ...fantasies], rng, { ...gpOpts, start: model.fit.hyper, restarts: 1 });
    if (!refit) return random('the Gaussian process could not be fitted with the pending runs');
    model = refit;
  }
  const { fit: f, mean, std } = model;
  // Every length scale at its lower bound: the model sees only noise (W&B goes random at a bound).
  if (f.atLowerBound.every(Boolean)) return random('the Gaussian process fit degenerated (length scales at their lower bound)');

  const yBest = (Math.min(...y) - mean) / std; // observed runs only, not the fantasies
  const candidates: number[][] = [];
  const nUniform = Math.max(1000, opts.candidates ?? 1000);
  for (let i = 0; i < nUniform; i++) candidates.push(randomPoint());
  // Local candidates: Gaussian steps around the best few observations, scaled by the length scales.
  const nLocal = opts.localCandidates ?? 250;
  if (nLocal > 0) {
    const order = y.map((_, i) => i).sort((a, b) => y[a] - y[b]).slice(0, 5);
    for (let i = 0; i < nLocal; i++) {
      const base = X[order[i % order.length]];
      const scale = i % 2 === 0 ? 0.05 : 0.01;
      candidates.push(base.map((v, j) => {
        const l = f.hyper.lengthScales.length === 1 ? f.hyper.lengthScales[0] : f.hyper.lengthScales[j];
        const c = v + rng.normal() * scale * Math.min(1, l);
        return Math.min(1 - 1e-9, Math.max(1e-9, c));
      }));
    }
  }
  let best = -Infinity;
  let bestIdx = 0;
  let bestMu = 0;
  let bestSigma = 0;
  for (let i = 0; i < candidates.length; i++) {
    const { mean: mu, variance } = f.gp.predict(candidates[i]);
    const sigma = Math.sqrt(variance);
    const z = (yBest - mu) / (sigma + STD_EPS);
    const ei = (yBest - mu) * normalCdf(z) + sigma * normalPdf(z);
    if (ei > best) {
      best = ei;
      bestIdx = i;
      bestMu = mu;
      bestSigma = sigma;
    }
  }
  const sign = config.metric?.goal === 'maximize' ? -1 : 1;
  return suggestionFrom(config, searchable, candidates[bestIdx], {
    method: 'bayes',
    source: 'gp',
    predicted: sign * (bestMu * std + mean),
    predictedStd: bestSigma * std,
    expectedImprovement: best * std,
    probabilityOfImprovement: normalCdf((yBest - bestMu) / (bestSigma + STD_EPS)),
  });
}
