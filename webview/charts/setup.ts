// Chart.js, tree-shaken to what line charts need, plus a hover mode that finds each dataset's point
// nearest the pointer's x by binary search: runs in a compare chart have different x values, so
// Chart.js's 'index' mode does not fit, and its 'nearest' mode scans every point on every move.
import {
  Chart, Decimation, Interaction, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartEvent, type InteractionItem, type InteractionModeFunction,
} from 'chart.js';

declare module 'chart.js' {
  interface InteractionModeMap {
    twNearestX: InteractionModeFunction;
  }
}

/** Datasets marked with this are drawn but not hovered (the faded raw line under a smoothed one). */
export const SKIP_HOVER = 'twSkipHover';
const MAX_HOVER_PX = 40;

const nearestX: InteractionModeFunction = (chart, e: ChartEvent) => {
  const items: InteractionItem[] = [];
  const x = e.x;
  if (x === null) return items;
  chart.data.datasets.forEach((ds, di) => {
    if ((ds as unknown as Record<string, unknown>)[SKIP_HOVER] || !chart.isDatasetVisible(di)) return;
    const els = chart.getDatasetMeta(di).data as unknown as { x: number }[];
    if (!els.length) return;
    let lo = 0, hi = els.length - 1;
    const sorted = els.length < 3 || (els[0].x <= els[els.length - 1].x && els[0].x <= els[1].x);
    let best = -1;
    if (sorted) {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (els[mid].x < x) lo = mid + 1;
        else hi = mid;
      }
      // lo is the first element at or right of x; look one step either way for the closest one. Gaps
      // (NaN, ±Infinity: not drawn) count too, so the tooltip can say what is there.
      for (const j of [lo - 1, lo, lo + 1, lo - 2, lo + 2]) {
        if (j < 0 || j >= els.length || !Number.isFinite(els[j].x)) continue;
        if (best < 0 || Math.abs(els[j].x - x) < Math.abs(els[best].x - x)) best = j;
      }
    } else {
      els.forEach((el, j) => {
        if (Number.isFinite(el.x) && (best < 0 || Math.abs(el.x - x) < Math.abs(els[best].x - x))) best = j;
      });
    }
    if (best >= 0 && Math.abs(els[best].x - x) <= MAX_HOVER_PX) {
      items.push({ element: els[best] as unknown as InteractionItem['element'], datasetIndex: di, index: best });
    }
  });
  return items;
};

let done = false;
export function setupCharts(): void {
  if (done) return;
  done = true;
  Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation);
  Interaction.modes.twNearestX = nearestX;
}

/** Any CSS colour with an alpha, via the canvas's own colour parser (theme colours come as #hex or rgb()). */
export function withAlpha(color: string, alpha: number): string {
  const ctx = scratch();
  ctx.fillStyle = '#000';
  ctx.fillStyle = color;
  const c = String(ctx.fillStyle);
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (m) return `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})`;
  const r = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(c);
  return r ? `rgba(${r[1].trim()}, ${r[2].trim()}, ${r[3].trim()}, ${alpha})` : color;
}

let scratchCtx: CanvasRenderingContext2D | undefined;
function scratch(): CanvasRenderingContext2D {
  scratchCtx ??= document.createElement('canvas').getContext('2d')!;
  return scratchCtx;
}
