// A Gaussian process with a Matérn ν=3/2 kernel: k(x, x') = s² (1 + √3 r) exp(−√3 r), with
// r² = Σ_j ((x_j − x'_j)/ℓ_j)². Hyperparameters (s², ℓ) are fitted by maximising the log
// marginal likelihood with L-BFGS over their logs (bounded through a sigmoid), from a default
// start plus random restarts. The noise is a fixed nugget (alpha), raised only as far as the
// Cholesky factorisation needs.
import { cholInverse, cholLogDet, cholSolve, cholesky, solveLower } from './linalg';
import { lbfgs } from './optimize';
import type { Rng } from './rng';

const SQRT3 = Math.sqrt(3);
const LOG_2PI = Math.log(2 * Math.PI);

export function matern32(r: number): number {
  return (1 + SQRT3 * r) * Math.exp(-SQRT3 * r);
}

export interface GpHyperparameters {
  /** s²: the kernel's variance (targets are standardised, so ≈ 1). */
  signalVariance: number;
  /** One length scale per input dimension (ARD), or a single shared one. */
  lengthScales: number[];
}

/** k(a, b) for the given hyperparameters; a single length scale is shared by every dimension. */
export function kernel(a: ArrayLike<number>, b: ArrayLike<number>, h: GpHyperparameters): number {
  let r2 = 0;
  for (let j = 0; j < a.length; j++) {
    const l = h.lengthScales.length === 1 ? h.lengthScales[0] : h.lengthScales[j];
    const t = (a[j] - b[j]) / l;
    r2 += t * t;
  }
  return h.signalVariance * matern32(Math.sqrt(r2));
}

/** Nuggets tried in turn when K is not numerically positive definite (added to alpha). */
const JITTERS = [0, 1e-10, 1e-8, 1e-6, 1e-4];

/** A GP conditioned on data with fixed hyperparameters. */
export class GaussianProcess {
  readonly n: number;
  private readonly l: Float64Array;
  private readonly weights: Float64Array;
  /** The noise actually on the diagonal (alpha plus any jitter Cholesky needed). */
  readonly noise: number;

  constructor(readonly X: number[][], readonly y: number[], readonly hyper: GpHyperparameters, alpha = 1e-7) {
    this.n = X.length;
    const n = this.n;
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = kernel(X[i], X[j], hyper);
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    let l: Float64Array | undefined;
    let noise = alpha;
    for (const jitter of JITTERS) {
      noise = alpha + jitter * hyper.signalVariance;
      for (let i = 0; i < n; i++) k[i * n + i] = hyper.signalVariance + noise;
      l = cholesky(k, n);
      if (l) break;
    }
    if (!l) throw new Error('GP covariance is not positive definite');
    this.l = l;
    this.noise = noise;
    this.weights = cholSolve(l, n, y);
  }

  /** The posterior mean and variance of the latent function at x (no observation noise). */
  predict(x: ArrayLike<number>): { mean: number; variance: number } {
    const ks = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) ks[i] = kernel(x, this.X[i], this.hyper);
    let mean = 0;
    for (let i = 0; i < this.n; i++) mean += ks[i] * this.weights[i];
    const v = solveLower(this.l, this.n, ks);
    let vv = 0;
    for (let i = 0; i < this.n; i++) vv += v[i] * v[i];
    return { mean, variance: Math.max(0, this.hyper.signalVariance - vv) };
  }

  logMarginalLikelihood(): number {
    let yw = 0;
    for (let i = 0; i < this.n; i++) yw += this.y[i] * this.weights[i];
    return -0.5 * yw - 0.5 * cholLogDet(this.l, this.n) - 0.5 * this.n * LOG_2PI;
  }
}

/** Pairwise squared differences per dimension, computed once per fit. */
function pairwiseSq(X: number[][]): Float64Array[] {
  const n = X.length;
  const d = n ? X[0].length : 0;
  const out: Float64Array[] = [];
  for (let j = 0; j < d; j++) {
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < i; k++) {
        const t = X[i][j] - X[k][j];
        m[i * n + k] = t * t;
        m[k * n + i] = t * t;
      }
    }
    out.push(m);
  }
  return out;
}

/**
 * The log marginal likelihood and its gradient with respect to θ = [ln s², ln ℓ_1, …] (one ln ℓ
 * when shared). Returns value −Infinity when K cannot be factorised even with jitter.
 */
export function logMarginalLikelihood(
  X: number[][],
  y: number[],
  theta: ArrayLike<number>,
  alpha = 1e-7,
  sq: Float64Array[] = pairwiseSq(X),
): { value: number; grad: Float64Array } {
  const n = X.length;
  const d = sq.length;
  const s2 = Math.exp(theta[0]);
  const shared = theta.length !== d + 1; // [ln s², ln ℓ]: one length scale for every dimension
  const inv2 = new Float64Array(d);
  for (let j = 0; j < d; j++) inv2[j] = Math.exp(-2 * theta[shared ? 1 : 1 + j]);
  const grad = new Float64Array(theta.length);
  const kker = new Float64Array(n * n);
  const ex = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k <= i; k++) {
      let r2 = 0;
      for (let j = 0; j < d; j++) r2 += sq[j][i * n + k] * inv2[j];
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT3 * r);
      const v = s2 * (1 + SQRT3 * r) * e;
      kker[i * n + k] = v;
      kker[k * n + i] = v;
      ex[i * n + k] = e;
      ex[k * n + i] = e;
    }
  }
  const kmat = new Float64Array(kker);
  let l: Float64Array | undefined;
  for (const jitter of JITTERS) {
    for (let i = 0; i < n; i++) kmat[i * n + i] = kker[i * n + i] + alpha + jitter * s2;
    l = cholesky(kmat, n);
    if (l) break;
  }
  if (!l) return { value: -Infinity, grad };
  const w = cholSolve(l, n, y);
  let yw = 0;
  for (let i = 0; i < n; i++) yw += y[i] * w[i];
  const value = -0.5 * yw - 0.5 * cholLogDet(l, n) - 0.5 * n * LOG_2PI;
  // ∂L/∂θ = ½ tr((wwᵀ − K⁻¹) ∂K/∂θ); ∂K/∂ln s² = K_kernel, ∂K/∂ln ℓ_j = 3 s² e^{−√3 r} Δ_j²/ℓ_j².
  const kinv = cholInverse(l, n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const wik = w[i] * w[k] - kinv[i * n + k];
      const idx = i * n + k;
      grad[0] += 0.5 * wik * kker[idx];
      const base = 0.5 * wik * 3 * s2 * ex[idx];
      for (let j = 0; j < d; j++) grad[shared ? 1 : 1 + j] += base * sq[j][idx] * inv2[j];
    }
  }
  return { value, grad };
}

export interface GpFitOptions {
  /** Per-dimension length scales (default) or one shared length scale. */
  ard?: boolean;
  /** Random restarts on top of the default start (default 2, as W&B's n_restarts_optimizer). */
  restarts?: number;
  alpha?: number;
  /** Bounds on s² and on every ℓ (inputs live in [0, 1]). */
  signalBounds?: [number, number];
  lengthBounds?: [number, number];
  /** Start here instead of the default (e.g. a previous fit's hyperparameters). */
  start?: GpHyperparameters;
}

export interface GpFit {
  gp: GaussianProcess;
  hyper: GpHyperparameters;
  logLikelihood: number;
  /** Per length scale: within 1% (in log space) of the lower / upper bound. */
  atLowerBound: boolean[];
  atUpperBound: boolean[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logit = (p: number) => Math.log(p / (1 - p));

/** Maximum-likelihood hyperparameters, or undefined when no start gives a finite likelihood. */
export function fitGaussianProcess(X: number[][], y: number[], rng: Rng, opts: GpFitOptions = {}): GpFit | undefined {
  const d = X.length ? X[0].length : 0;
  const ard = opts.ard ?? true;
  const alpha = opts.alpha ?? 1e-7;
  const [sLo, sHi] = (opts.signalBounds ?? [1e-3, 1e3]).map(Math.log);
  const [lLo, lHi] = (opts.lengthBounds ?? [1e-3, 1e3]).map(Math.log);
  const m = ard ? d : 1;
  const lo = [sLo, ...Array<number>(m).fill(lLo)];
  const hi = [sHi, ...Array<number>(m).fill(lHi)];
  const toTheta = (z: ArrayLike<number>) => Array.from(z, (v, i) => lo[i] + (hi[i] - lo[i]) * sigmoid(v));
  const toZ = (theta: number[]) =>
    theta.map((t, i) => logit(Math.min(1 - 1e-9, Math.max(1e-9, (t - lo[i]) / (hi[i] - lo[i])))));
  const sq = pairwiseSq(X);
  // A shared length scale with d > 1 uses θ of length 2; with d = 1 both forms coincide.
  const objective = (z: Float64Array) => {
    const theta = toTheta(z);
    const { value, grad } = logMarginalLikelihood(X, y, theta, alpha, sq);
    const g = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) {
      const s = sigmoid(z[i]);
      g[i] = -grad[i] * (hi[i] - lo[i]) * s * (1 - s);
    }
    return { f: -value, g };
  };

  const starts: number[][] = [];
  if (opts.start) starts.push([Math.log(opts.start.signalVariance), ...(ard ? opts.start.lengthScales : [opts.start.lengthScales[0]]).map(Math.log)]);
  else starts.push([0, ...Array<number>(m).fill(Math.log(0.3))]);
  for (let r = 0; r < (opts.restarts ?? 2); r++) {
    const s = [Math.log(0.1) + rng.uniform() * Math.log(100)];
    for (let j = 0; j < m; j++) s.push(Math.log(0.03) + rng.uniform() * Math.log(100));
    starts.push(s);
  }

  let best: { theta: number[]; f: number } | undefined;
  for (const s of starts) {
    const res = lbfgs(objective, toZ(s), { maxIter: 80, gtol: 1e-5, ftol: 1e-9 });
    if (res && Number.isFinite(res.f) && (!best || res.f < best.f)) best = { theta: toTheta(res.x), f: res.f };
  }
  if (!best) return undefined;
  const hyper: GpHyperparameters = { signalVariance: Math.exp(best.theta[0]), lengthScales: best.theta.slice(1).map(Math.exp) };
  let gp: GaussianProcess;
  try {
    gp = new GaussianProcess(X, y, hyper, alpha);
  } catch {
    return undefined;
  }
  const tol = 0.01 * (lHi - lLo);
  const logL = best.theta.slice(1);
  return {
    gp,
    hyper,
    logLikelihood: -best.f,
    atLowerBound: logL.map((t) => t - lLo < tol),
    atUpperBound: logL.map((t) => lHi - t < tol),
  };
}
