// Batches history requests: charts that mount in the same moment ask for their keys separately,
// and this folds them into one /api/runs/:key/history call per run, x axis and range.
import type { SeriesData, XAxis } from '../../runtime/protocol/api';
import type { Api } from '../api';
import type { Pt } from './metricChart';

const BATCH_MS = 16;
const MAX_KEYS = 40;

interface Want {
  key: string;
  resolve: (s: SeriesData | undefined) => void;
  reject: (e: unknown) => void;
}

export class HistoryLoader {
  private batches = new Map<string, { run: number; x: XAxis; width: number; range: [number, number] | null; wants: Want[] }>();
  private timer?: number;

  constructor(private api: Api) {}

  get(run: number, x: XAxis, key: string, width: number, range: [number, number] | null): Promise<SeriesData | undefined> {
    // Widths are rounded so charts of almost the same size share a request.
    const w = Math.ceil(width / 100) * 100;
    const id = JSON.stringify([run, x, w, range]);
    let b = this.batches.get(id);
    if (!b) this.batches.set(id, (b = { run, x, width: w, range, wants: [] }));
    const batch = b;
    const p = new Promise<SeriesData | undefined>((resolve, reject) => batch.wants.push({ key, resolve, reject }));
    this.timer ??= window.setTimeout(() => this.flush(), BATCH_MS);
    return p;
  }

  private flush(): void {
    this.timer = undefined;
    const batches = [...this.batches.values()];
    this.batches.clear();
    for (const b of batches) {
      for (let i = 0; i < b.wants.length; i += MAX_KEYS) {
        const wants = b.wants.slice(i, i + MAX_KEYS);
        const keys = [...new Set(wants.map((w) => w.key))];
        this.api.history(b.run, { keys, x: b.x, width: b.width, from: b.range?.[0], to: b.range?.[1] }).then(
          (res) => wants.forEach((w) => w.resolve(res.series[w.key])),
          (e) => wants.forEach((w) => w.reject(e)),
        );
      }
    }
  }
}

/** Chart points of a series; gaps keep their kind (NaN, Infinity, -Infinity) for the tooltip. */
export function toPts(s: SeriesData | undefined): Pt[] {
  if (!s) return [];
  const out: Pt[] = new Array(s.x.length);
  for (let i = 0; i < s.x.length; i++) out[i] = { x: s.x[i], y: s.y[i], step: s.steps[i] };
  if (s.nonFinite) for (const [i, kind] of Object.entries(s.nonFinite)) if (out[Number(i)]) out[Number(i)].nf = kind;
  return out;
}

/** The last value of a series fetched with x = step, and its step (NaN for a non-finite value). */
export function lastValue(s: SeriesData | undefined): { v: number; step: number } | undefined {
  const n = s?.x.length ?? 0;
  if (!s || !n) return undefined;
  return { v: s.y[n - 1] ?? NaN, step: s.steps[n - 1] };
}
