// L-BFGS with a backtracking (Armijo) line search, for fitting GP hyperparameters. The GP maps
// its box bounds through a sigmoid, so this only needs the unconstrained form. A failed
// evaluation (non-finite value, e.g. a Cholesky failure) just makes the line search step back.

export type ValueAndGradient = (x: Float64Array) => { f: number; g: Float64Array };

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

const finiteAll = (a: Float64Array) => a.every((v) => Number.isFinite(v));

/** Minimises fg from x0; returns undefined when fg is not finite at x0. */
export function lbfgs(
  fg: ValueAndGradient,
  x0: ArrayLike<number>,
  opts: { maxIter?: number; memory?: number; gtol?: number; ftol?: number } = {},
): MinimizeResult | undefined {
  const maxIter = opts.maxIter ?? 100;
  const memory = opts.memory ?? 8;
  const gtol = opts.gtol ?? 1e-6;
  const ftol = opts.ftol ?? 1e-10;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let cur = fg(x);
  let evaluations = 1;
  if (!Number.isFinite(cur.f) || !finiteAll(cur.g)) return undefined;
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  let it = 0;
  for (; it < maxIter; it++) {
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(cur.g[i]));
    if (gmax < gtol) break;

    // Two-loop recursion: d = -H g.
    const q = Float64Array.from(cur.g);
    const alphas: number[] = [];
    for (let k = ss.length - 1; k >= 0; k--) {
      const a = dot(ss[k], q) / dot(ys[k], ss[k]);
      alphas[k] = a;
      for (let i = 0; i < n; i++) q[i] -= a * ys[k][i];
    }
    const gamma = ss.length ? dot(ss[ss.length - 1], ys[ys.length - 1]) / dot(ys[ys.length - 1], ys[ys.length - 1]) : 1 / Math.max(1, Math.sqrt(dot(cur.g, cur.g)));
    for (let i = 0; i < n; i++) q[i] *= gamma;
    for (let k = 0; k < ss.length; k++) {
      const b = dot(ys[k], q) / dot(ys[k], ss[k]);
      for (let i = 0; i < n; i++) q[i] += ss[k][i] * (alphas[k] - b);
    }
    let d = q.map((v) => -v);
    let slope = dot(cur.g, d);
    if (!(slope < 0)) {
      // Not a descent direction (stale curvature): restart from steepest descent.
      ss.length = 0;
      ys.length = 0;
      d = cur.g.map((v) => -v / Math.max(1, Math.sqrt(dot(cur.g, cur.g))));
      slope = dot(cur.g, d);
    }

    let t = 1;
    let next: { f: number; g: Float64Array } | undefined;
    let xn = x;
    for (let ls = 0; ls < 40; ls++) {
      xn = x.map((v, i) => v + t * d[i]);
      const cand = fg(xn);
      evaluations++;
      if (Number.isFinite(cand.f) && finiteAll(cand.g) && cand.f <= cur.f + 1e-4 * t * slope) {
        next = cand;
        break;
      }
      t *= 0.5;
    }
    if (!next) break; // no progress possible along d

    const s = xn.map((v, i) => v - x[i]);
    const y = next.g.map((v, i) => v - cur.g[i]);
    const sy = dot(s, y);
    if (sy > 1e-10 * Math.sqrt(dot(s, s) * dot(y, y))) {
      ss.push(s);
      ys.push(y);
      if (ss.length > memory) {
        ss.shift();
        ys.shift();
      }
    }
    const df = cur.f - next.f;
    x = xn;
    cur = next;
    if (df <= ftol * Math.max(1, Math.abs(cur.f))) {
      it++;
      break;
    }
  }
  return { x, f: cur.f, iterations: it, evaluations };
}
