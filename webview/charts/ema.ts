// Exponential moving average as W&B and TensorBoard draw it: last = last*w + (1-w)*y, divided by
// (1 - w^n) so the first points are not dragged toward zero (the "debiasing" users expect).

export interface EmaState {
  last: number;
  n: number;
}

export const emaStart = (): EmaState => ({ last: 0, n: 0 });

/** Clamp the slider's weight: 1 would freeze the line at its first value. */
export const emaWeight = (w: number): number => (Number.isFinite(w) ? Math.min(Math.max(w, 0), 0.999) : 0);

/** One step; non-finite or missing values pass through as gaps and do not disturb the average. */
export function emaNext(s: EmaState, y: number | null, weight: number): number | null {
  if (y === null || !Number.isFinite(y)) return y;
  const w = emaWeight(weight);
  if (w === 0) return y;
  s.last = s.last * w + (1 - w) * y;
  s.n++;
  return s.last / (1 - Math.pow(w, s.n));
}

export function ema(ys: readonly (number | null)[], weight: number): (number | null)[] {
  const s = emaStart();
  return ys.map((y) => emaNext(s, y, weight));
}
