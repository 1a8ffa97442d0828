// One colour per run, the same in every chart: a run prefers the palette slot `key % size`, so a run
// keeps its colour from view to view; within one chart set, collisions move to the next free slot
// (in ascending key order, so the result does not depend on the order runs were picked).

export function assignColors(keys: readonly number[], size: number): Map<number, number> {
  const out = new Map<number, number>();
  if (size <= 0) return out;
  const taken = new Set<number>();
  for (const key of [...new Set(keys)].sort((a, b) => a - b)) {
    const want = ((key % size) + size) % size;
    let slot = want;
    if (taken.size < size) {
      while (taken.has(slot)) slot = (slot + 1) % size;
    }
    taken.add(slot);
    out.set(key, slot);
  }
  return out;
}

/** Fallbacks when the host defines no --vscode-charts-* colours, then more hues for larger sets. */
export const BASE_COLOR_VARS: readonly [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#388a34'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-yellow', '#cca700'],
];

/** Mid-luminance hues that read on light and dark backgrounds alike. */
export const EXTRA_COLORS: readonly string[] = [
  '#17a2b8', '#e377c2', '#8c6d31', '#7f7fff', '#2ca02c', '#d62728', '#9467bd', '#bcbd22',
  '#1f9e89', '#ff7f0e', '#c51b7d', '#5b8ff9', '#a0522d', '#00a6ed',
];

export const PALETTE_SIZE = BASE_COLOR_VARS.length + EXTRA_COLORS.length;

/** Resolves the palette against the current theme (`read` returns a CSS variable's value or ''). */
export function palette(read: (cssVar: string) => string): string[] {
  return [...BASE_COLOR_VARS.map(([v, dflt]) => read(v).trim() || dflt), ...EXTRA_COLORS];
}
