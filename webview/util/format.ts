// Formatting for tables, axes and tooltips.
import type { JsonValue } from '../../runtime/protocol/journal';

export function formatDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return '';
  const s = Math.floor(sec);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  if (h >= 24) return `${Math.floor(h / 24)}d ${h % 24}h`;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(r).padStart(2, '0')}s`;
  return sec < 10 && sec !== s ? `${sec.toFixed(1)}s` : `${r}s`;
}

const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Epoch seconds as a local date and time. */
export const formatDate = (epochSec: number | null | undefined): string => (epochSec ? dateFmt.format(new Date(epochSec * 1000)) : '');
export const formatClock = (epochSec: number): string => timeFmt.format(new Date(epochSec * 1000));

/** Seconds as h:mm:ss for relative-time axes. */
export function formatElapsed(sec: number): string {
  const neg = sec < 0;
  const s = Math.round(Math.abs(sec));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const body = h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
  return neg ? `-${body}` : body;
}

/** Compact numbers for table cells and axis ticks: 0.000123 -> 1.23e-4, 1234567 -> 1.23e+6. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(5)));
}

/** A config/summary value as text; non-finite markers ({"$num": "NaN"}) as their name. */
export function formatValue(v: JsonValue | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (!Array.isArray(v) && typeof v.$num === 'string' && Object.keys(v).length === 1) return v.$num;
  return JSON.stringify(v);
}
