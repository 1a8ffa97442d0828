// AMD GPUs through `rocm-smi -a --json` (ROCm 5.x and 6.x key names). Tags as W&B reports them for AMD:
// gpu.{i}.gpu, memoryAllocated, temp, powerWatts, powerPercent (plus memoryAllocatedBytes when the
// VRAM byte counts are there). Which GPUs a pid uses comes from `rocm-smi --showpidgpus` (text only:
// in --json mode rocm_smi.py prints nothing for it), for gpu.process.{i}.*.
//
// rocm-smi has no loop mode (unlike nvidia-smi --loop-ms), so it is run per tick; it is a Python
// program, so each run costs far more CPU than nvidia-smi (docs/benchmarks.md).
import type { GpuMetadata } from './gpuNvidia';
import type { RunTool } from './exec';
import { runTool } from './exec';

export interface RocmGpu {
  index: number;
  name: string;
  uuid: string;
  tags: Record<string, number>;
  memoryTotalBytes: number | null;
}

export interface RocmReading {
  gpus: RocmGpu[];
  driver: string | null;
}

type Card = Record<string, unknown>;

/** A rocm-smi value ("41.0", 41, "N/A", "(800Mhz)") as a number, or undefined. */
export function rocmNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!t || /^n\/?a$/i.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

const first = (card: Card, keys: string[]): number | undefined => {
  for (const k of keys) {
    const n = rocmNumber(card[k]);
    if (n !== undefined) return n;
  }
  return undefined;
};

const firstText = (card: Card, keys: string[]): string | undefined => {
  for (const k of keys) {
    const v = card[k];
    if (typeof v === 'string' && v.trim() && !/^n\/?a$/i.test(v.trim())) return v.trim();
  }
  return undefined;
};

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Tags of one card (without the `gpu.{i}.` prefix). */
export function rocmTags(card: Card): Record<string, number> {
  const t: Record<string, number> = {};
  const set = (tag: string, x: number | undefined) => {
    if (x !== undefined && Number.isFinite(x)) t[tag] = x;
  };
  set('gpu', first(card, ['GPU use (%)']));
  const used = first(card, ['VRAM Total Used Memory (B)']);
  const total = first(card, ['VRAM Total Memory (B)']);
  // Allocated VRAM as % of total: from the byte counts when present (exact), else ROCm 6's
  // "GPU Memory Allocated (VRAM%)", else ROCm 5's "GPU memory use (%)" (what W&B reads there).
  set('memoryAllocated', used !== undefined && total ? round((used / total) * 100) : first(card, ['GPU Memory Allocated (VRAM%)', 'GPU memory use (%)']));
  set('memoryAllocatedBytes', used);
  // W&B reads the memory sensor; cards without one (or N/A there) fall back to junction, then edge.
  set('temp', first(card, ['Temperature (Sensor memory) (C)', 'Temperature (Sensor junction) (C)', 'Temperature (Sensor edge) (C)']));
  // ROCm 5 and RDNA cards: "Average Graphics Package Power"; ROCm 6 on MI300: "Current Socket Graphics Package Power".
  const watts = first(card, ['Average Graphics Package Power (W)', 'Current Socket Graphics Package Power (W)']);
  set('powerWatts', watts);
  const max = first(card, ['Max Graphics Package Power (W)']);
  if (watts !== undefined && max) set('powerPercent', round((watts / max) * 100));
  return t;
}

/** Parses the JSON `rocm-smi -a --json` prints. Throws on text that is not JSON. */
export function parseRocmSmi(text: string): RocmReading {
  // Some versions print warnings before the JSON; start at the first brace.
  const start = text.indexOf('{');
  const json = JSON.parse(start > 0 ? text.slice(start) : text) as Record<string, unknown>;
  const gpus: RocmGpu[] = [];
  for (const [key, value] of Object.entries(json)) {
    const m = /^card(\d+)$/.exec(key);
    if (!m || !value || typeof value !== 'object') continue;
    const card = value as Card;
    const index = Number(m[1]);
    gpus.push({
      index,
      name: firstText(card, ['Card Series', 'Card series', 'Device Name', 'Card Model', 'Card model']) ?? 'AMD GPU',
      uuid: firstText(card, ['Unique ID', 'GUID']) ?? `card${index}`,
      tags: rocmTags(card),
      memoryTotalBytes: first(card, ['VRAM Total Memory (B)']) ?? null,
    });
  }
  gpus.sort((a, b) => a.index - b.index);
  const system = json.system as Card | undefined;
  const driver = system ? firstText(system, ['Driver version', 'Driver Version']) ?? null : null;
  return { gpus, driver };
}

export function rocmGpuTags(r: RocmReading): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of r.gpus) for (const [k, x] of Object.entries(g.tags)) out[`gpu.${g.index}.${k}`] = x;
  return out;
}

export function rocmMetadata(r: RocmReading): GpuMetadata {
  return {
    vendor: 'amd', count: r.gpus.length, driver_version: r.driver,
    devices: r.gpus.map((g) => ({ index: g.index, name: g.name, uuid: g.uuid, memory_total_bytes: g.memoryTotalBytes })),
  };
}

export class RocmSmi {
  constructor(readonly exe: string, private run: RunTool = runTool) {}

  async query(timeoutMs: number): Promise<RocmReading> {
    const r = await this.run(this.exe, ['-a', '--json'], timeoutMs);
    if (r.code !== 0 && !r.stdout.includes('{')) {
      throw new Error(`rocm-smi -a --json failed: ${(r.error ?? (r.stderr.trim() || r.stdout.trim())) || `exit code ${r.code}`}`);
    }
    return parseRocmSmi(r.stdout);
  }

  /** pid -> GPU indices of every KFD (compute) process; throws with rocm-smi's message when it fails. */
  async queryPidGpus(timeoutMs: number): Promise<Map<number, number[]>> {
    const r = await this.run(this.exe, ['--showpidgpus'], timeoutMs);
    if (r.code !== 0) throw new Error(`rocm-smi --showpidgpus failed: ${(r.error ?? (r.stderr.trim() || r.stdout.trim())) || `exit code ${r.code}`}`);
    return parseRocmPidGpus(r.stdout);
  }
}

/**
 * Parses `rocm-smi --showpidgpus` (rocm_smi.py's showGpusByPid, unchanged since ROCm 3.9):
 *
 *     PID 31340 is using 2 DRM device(s):
 *     0 1
 *     PID 777 is using 0 DRM device(s)
 *
 * or `No KFD PIDs currently running`. The numbers are rocm_smi device indices, the N of `cardN` in
 * `rocm-smi -a --json` (rsmi_compute_process_gpus_get writes each KFD node's amdgpu_dev_index). Long
 * lists wrap at 90 columns, so indices are read from the following lines until the count is reached.
 */
export function parseRocmPidGpus(text: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^PID (\d+) is using (\d+) DRM device\(s\):?\s*$/.exec(lines[i].trim());
    if (!m) continue;
    const want = Number(m[2]);
    const gpus: number[] = [];
    while (gpus.length < want && i + 1 < lines.length && /^\d+(\s+\d+)*$/.test(lines[i + 1].trim())) {
      gpus.push(...lines[++i].trim().split(/\s+/).map(Number));
    }
    out.set(Number(m[1]), gpus);
  }
  return out;
}

/** `gpu.process.{i}.*`: the card tags of the GPUs that any of `pids` uses. */
export function rocmProcessTags(r: RocmReading, pidGpus: Map<number, number[]>, pids: Iterable<number>): Record<string, number> {
  const used = new Set<number>();
  for (const pid of pids) for (const g of pidGpus.get(pid) ?? []) used.add(g);
  const out: Record<string, number> = {};
  for (const g of r.gpus) {
    if (!used.has(g.index)) continue;
    for (const [k, x] of Object.entries(g.tags)) out[`gpu.process.${g.index}.${k}`] = x;
  }
  return out;
}
