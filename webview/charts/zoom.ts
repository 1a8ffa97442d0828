// Drag to zoom on the x axis, double-click to reset. Pointer handlers and an overlay <div> instead of
// a plugin redraw: the band moves with the pointer without repainting the chart on every move.
import type { Chart } from 'chart.js';
import { h } from '../util/dom';

const MIN_DRAG_PX = 5;

export function attachDragZoom(
  host: HTMLElement, canvas: HTMLCanvasElement, chart: () => Chart | undefined,
  onZoom: (min: number, max: number) => void, onReset: () => void,
): () => void {
  const band = h('div', { class: 'tw-zoom-band', 'aria-hidden': 'true' });
  band.hidden = true;
  host.append(band);
  let start: number | null = null;
  let pointer = -1;

  const localX = (e: PointerEvent) => e.clientX - canvas.getBoundingClientRect().left;
  const area = () => chart()?.chartArea;
  const clamp = (x: number) => {
    const a = area();
    return a ? Math.min(Math.max(x, a.left), a.right) : x;
  };
  const draw = (x0: number, x1: number) => {
    const a = area();
    if (!a) return;
    const off = canvas.offsetLeft;
    band.style.left = `${off + Math.min(x0, x1)}px`;
    band.style.width = `${Math.abs(x1 - x0)}px`;
    band.style.top = `${canvas.offsetTop + a.top}px`;
    band.style.height = `${a.bottom - a.top}px`;
    band.hidden = false;
  };

  const down = (e: PointerEvent) => {
    const a = area();
    if (e.button !== 0 || !a) return;
    const x = localX(e);
    const y = e.clientY - canvas.getBoundingClientRect().top;
    if (x < a.left || x > a.right || y < a.top || y > a.bottom) return;
    start = x;
    pointer = e.pointerId;
    canvas.setPointerCapture(e.pointerId);
  };
  const move = (e: PointerEvent) => {
    if (start === null || e.pointerId !== pointer) return;
    draw(start, clamp(localX(e)));
  };
  const up = (e: PointerEvent) => {
    if (start === null || e.pointerId !== pointer) return;
    const x0 = start, x1 = clamp(localX(e));
    start = null;
    band.hidden = true;
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    const c = chart();
    if (!c || Math.abs(x1 - x0) < MIN_DRAG_PX) return;
    const sx = c.scales.x;
    const a = sx.getValueForPixel(Math.min(x0, x1)), b = sx.getValueForPixel(Math.max(x0, x1));
    if (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > a) onZoom(a, b);
  };
  const cancel = () => {
    start = null;
    band.hidden = true;
  };
  const dbl = () => onReset();
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', cancel);
  canvas.addEventListener('dblclick', dbl);
  return () => {
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('pointercancel', cancel);
    canvas.removeEventListener('dblclick', dbl);
    band.remove();
  };
}
