// The numerics under bayes search: Cholesky and solves, the Matérn kernel, a GP posterior and
// log marginal likelihood computed by hand, the likelihood gradient, L-BFGS, and the ML fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, cholSolve, cholInverse, cholLogDet, solveLower } from '../../runtime/sweeps/search/linalg';
import { matern32, kernel, GaussianProcess, logMarginalLikelihood, fitGaussianProcess } from '../../runtime/sweeps/search/gp';
import { lbfgs } from '../../runtime/sweeps/search/optimize';
import { makeRng } from '../../runtime/sweeps/search';

const close = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

test('cholesky of a known matrix, solves, inverse and log-determinant', () => {
  const a = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
  const l = cholesky(a, 3)!;
  assert.deepEqual(Array.from(l), [2, 0, 0, 6, 1, 0, -8, 5, 3]);
  const x = cholSolve(l, 3, [1, 2, 3]);
  const ax = [0, 1, 2].map((i) => a[i * 3] * x[0] + a[i * 3 + 1] * x[1] + a[i * 3 + 2] * x[2]);
  ax.forEach((v, i) => close(v, i + 1, 1e-9));
  assert.deepEqual(Array.from(solveLower(l, 3, [2, 7, 0])), [1, 1, 1]);
  const inv = cholInverse(l, 3);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let s = 0;
    for (let k = 0; k < 3; k++) s += a[i * 3 + k] * inv[k * 3 + j];
    close(s, i === j ? 1 : 0, 1e-9);
  }
  close(cholLogDet(l, 3), Math.log(36), 1e-12); // det = (2·1·3)²
  assert.equal(cholesky(Float64Array.from([1, 2, 2, 1]), 2), undefined, 'indefinite');
});

test('Matérn 3/2 kernel values, shared and per-dimension length scales', () => {
  assert.equal(matern32(0), 1);
  close(matern32(1), (1 + Math.sqrt(3)) * Math.exp(-Math.sqrt(3)), 1e-15);
  close(kernel([0], [0.5], { signalVariance: 2, lengthScales: [0.5] }), 2 * matern32(1), 1e-15);
  // ARD: r = sqrt((0.3/0.1)² + (0.4/2)²)
  close(kernel([0, 0], [0.3, 0.4], { signalVariance: 1.5, lengthScales: [0.1, 2] }), 1.5 * matern32(Math.hypot(3, 0.2)), 1e-15);
  close(kernel([0, 0], [0.3, 0.4], { signalVariance: 1, lengthScales: [0.5] }), matern32(1), 1e-15);
});

test('GP posterior and log marginal likelihood on a 2-point dataset match the closed form', () => {
  const s2 = 2, ell = 0.5, alpha = 1e-7;
  const X = [[0], [1]], y = [1, -1];
  const gp = new GaussianProcess(X, y, { signalVariance: s2, lengthScales: [ell] }, alpha);
  const a = s2 + alpha, k01 = s2 * matern32(1 / ell);
  const det = a * a - k01 * k01;
  const kinv = [[a / det, -k01 / det], [-k01 / det, a / det]];
  const ks = [s2 * matern32(0.25 / ell), s2 * matern32(0.75 / ell)];
  const w = [kinv[0][0] * y[0] + kinv[0][1] * y[1], kinv[1][0] * y[0] + kinv[1][1] * y[1]];
  const mean = ks[0] * w[0] + ks[1] * w[1];
  const quad = ks[0] * (kinv[0][0] * ks[0] + kinv[0][1] * ks[1]) + ks[1] * (kinv[1][0] * ks[0] + kinv[1][1] * ks[1]);
  const p = gp.predict([0.25]);
  close(p.mean, mean, 1e-12, 'mean');
  close(p.variance, s2 - quad, 1e-12, 'variance');
  close(gp.predict([0.5]).mean, 0, 1e-12, 'symmetric midpoint');
  close(gp.predict([0]).mean, 1, 1e-5, 'interpolates');
  assert.ok(gp.predict([0]).variance < 1e-6);
  const lml = -0.5 * (y[0] * w[0] + y[1] * w[1]) - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
  close(gp.logMarginalLikelihood(), lml, 1e-10, 'lml');
  close(logMarginalLikelihood(X, y, [Math.log(s2), Math.log(ell)], alpha).value, lml, 1e-10, 'lml (θ form)');
});

test('the likelihood gradient matches finite differences (ARD and shared)', () => {
  const rng = makeRng(3);
  const X = Array.from({ length: 12 }, () => [rng.uniform(), rng.uniform(), rng.uniform()]);
  const y = X.map((x) => Math.sin(4 * x[0]) + x[1] * x[1] + 0.1 * rng.normal());
  for (const theta of [[0.3, Math.log(0.4), Math.log(0.2), Math.log(1.5)], [-0.2, Math.log(0.3)]]) {
    const { grad } = logMarginalLikelihood(X, y, theta);
    theta.forEach((_, i) => {
      const h = 1e-6;
      const up = [...theta], dn = [...theta];
      up[i] += h;
      dn[i] -= h;
      const fd = (logMarginalLikelihood(X, y, up).value - logMarginalLikelihood(X, y, dn).value) / (2 * h);
      close(grad[i], fd, 1e-5 * Math.max(1, Math.abs(fd)), `∂/∂θ${i}`);
    });
  }
});

test('L-BFGS minimises the Rosenbrock function', () => {
  const res = lbfgs((x) => ({
    f: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2,
    g: Float64Array.from([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)]),
  }), [-1.2, 1], { maxIter: 500, gtol: 1e-10, ftol: 0 })!;
  close(res.x[0], 1, 1e-4);
  close(res.x[1], 1, 1e-4);
  assert.equal(lbfgs(() => ({ f: NaN, g: new Float64Array(1) }), [0]), undefined);
});

test('maximum-likelihood fit: better than the starting and random hyperparameters, bounds respected, irrelevant dimensions get long length scales', () => {
  const rng = makeRng(11);
  const X = Array.from({ length: 30 }, () => [rng.uniform(), rng.uniform()]);
  const y0 = X.map((x) => Math.sin(6 * x[0]));
  const m = y0.reduce((a, b) => a + b) / y0.length;
  const sd = Math.sqrt(y0.reduce((a, b) => a + (b - m) ** 2, 0) / y0.length);
  const y = y0.map((v) => (v - m) / sd);
  const fit = fitGaussianProcess(X, y, makeRng(1))!;
  assert.ok(fit);
  const at = (theta: number[]) => logMarginalLikelihood(X, y, theta).value;
  assert.ok(fit.logLikelihood >= at([0, Math.log(0.3), Math.log(0.3)]) - 1e-9);
  for (let i = 0; i < 20; i++) assert.ok(fit.logLikelihood >= at([rng.uniform() * 4 - 2, Math.log(0.05 + rng.uniform()), Math.log(0.05 + rng.uniform())]) - 1e-6);
  close(fit.logLikelihood, fit.gp.logMarginalLikelihood(), 1e-6);
  const [l0, l1] = fit.hyper.lengthScales;
  assert.ok(l1 > 5 * l0, `x1 is irrelevant: ℓ = ${l0}, ${l1}`);
  for (const l of fit.hyper.lengthScales) assert.ok(l >= 1e-3 && l <= 1e3);
  assert.ok(fit.hyper.signalVariance >= 1e-3 && fit.hyper.signalVariance <= 1e3);
  // Shared length scale: one ℓ.
  const shared = fitGaussianProcess(X, y, makeRng(1), { ard: false })!;
  assert.equal(shared.hyper.lengthScales.length, 1);
  // Duplicate inputs stay factorisable (jitter on demand).
  const dup = new GaussianProcess([[0.5], [0.5], [0.2]], [1, 1, 0], { signalVariance: 1, lengthScales: [0.3] });
  assert.ok(Number.isFinite(dup.predict([0.4]).mean));
});
