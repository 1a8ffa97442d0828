// NVIDIA GPUs through nvidia-smi's query interface:
//   nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits
//   nvidia-smi --query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits
// Tag names and meanings follow the W&B system metrics reference (gpu.{i}.*, gpu.process.{i}.*).
import type { RunTool, ToolResult } from './exec';
import { runTool } from './exec';

/**
 * Fields asked of `--query-gpu`, in output order. A field an older driver does not know makes
 * nvidia-smi refuse the whole query (`Field "x" is not a valid field to query.`); such a field is
 * dropped and the query retried, so the list can ask for newer fields.
 */
export const NVIDIA_FIELDS = [
  'index', 'uuid', 'name', 'driver_version', 'memory.total', 'memory.used',
  'utilization.gpu', 'utilization.memory', 'temperature.gpu', 'power.draw', 'enforced.power.limit', 'power.limit',
  'clocks.sm', 'clocks.mem', 'clocks.gr',
  'ecc.errors.corrected.volatile.total', 'ecc.errors.uncorrected.volatile.total', 'utilization.encoder',
] as const;

export type NvidiaField = (typeof NVIDIA_FIELDS)[number];

export interface NvidiaGpu {
  index: number;
  uuid: string;
  name: string;
  driver: string | null;
  /** numeric fields; absent when nvidia-smi says [N/A], [Not Supported], [Unknown Error], ... */
  values: Partial<Record<NvidiaField, number>>;
}

export interface ComputeApp {
  pid: number;
  gpuUuid: string;
  /** MiB, when reported */
  usedMemoryMiB?: number;
}

/** A value nvidia-smi prints as a number, or undefined for its placeholders. */
export function smiNumber(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (!t || t.startsWith('[') || /^n\/?a$/i.test(t) || /not supported/i.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

const TEXT_FIELDS = new Set<string>(['uuid', 'name', 'driver_version']);

/** Parses `--query-gpu` CSV (noheader, nounits) given the fields asked for, in order. */
export function parseGpuQuery(text: string, fields: readonly string[]): NvidiaGpu[] {
  const out: NvidiaGpu[] = [];
  const nameAt = fields.indexOf('name');
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    let cells = line.split(',').map((c) => c.trim());
    // A product name with a comma in it: the extra cells belong to the name.
    if (cells.length > fields.length && nameAt >= 0) {
      const extra = cells.length - fields.length;
      cells = [...cells.slice(0, nameAt), cells.slice(nameAt, nameAt + extra + 1).join(', '), ...cells.slice(nameAt + extra + 1)];
    }
    if (cells.length !== fields.length) continue;
    const get = (f: string) => cells[fields.indexOf(f)];
    const values: NvidiaGpu['values'] = {};
    fields.forEach((f, i) => {
      if (TEXT_FIELDS.has(f) || f === 'index') return;
      const n = smiNumber(cells[i]);
      if (n !== undefined) values[f as NvidiaField] = n;
    });
    const index = smiNumber(get('index')) ?? out.length;
    const text = (f: string) => {
      const v = fields.includes(f) ? get(f) : undefined;
      return v && !v.startsWith('[') && !/^n\/?a$/i.test(v) ? v : null;
    };
    out.push({ index, uuid: text('uuid') ?? `gpu-${index}`, name: text('name') ?? 'NVIDIA GPU', driver: text('driver_version'), values });
  }
  return out;
}

/** Parses `--query-compute-apps=pid,gpu_uuid,used_memory` CSV (noheader, nounits). */
export function parseComputeApps(text: string): ComputeApp[] {
  const out: ComputeApp[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const cells = raw.split(',').map((c) => c.trim());
    if (cells.length < 2) continue;
    const pid = Number(cells[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !cells[1]) continue;
    const app: ComputeApp = { pid, gpuUuid: cells[1] };
    const mem = smiNumber(cells[2]);
    if (mem !== undefined) app.usedMemoryMiB = mem;
    out.push(app);
  }
  return out;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** The W&B tags of one GPU (without the `gpu.{i}.` prefix). */
export function nvidiaTags(g: NvidiaGpu): Record<string, number> {
  const v = g.values;
  const t: Record<string, number> = {};
  const set = (tag: string, x: number | undefined) => {
    if (x !== undefined && Number.isFinite(x)) t[tag] = x;
  };
  set('gpu', v['utilization.gpu']);
  set('memory', v['utilization.memory']);
  const used = v['memory.used'];
  const total = v['memory.total'];
  if (used !== undefined && total) set('memoryAllocated', round((used / total) * 100));
  if (used !== undefined) set('memoryAllocatedBytes', used * 1024 * 1024);
  set('temp', v['temperature.gpu']);
  const watts = v['power.draw'];
  set('powerWatts', watts);
  const limit = v['enforced.power.limit'] ?? v['power.limit'];
  if (watts !== undefined && limit) set('powerPercent', round((watts / limit) * 100));
  set('smClock', v['clocks.sm']);
  set('memoryClock', v['clocks.mem']);
  set('graphicsClock', v['clocks.gr']);
  set('correctedMemoryErrors', v['ecc.errors.corrected.volatile.total']);
  set('unCorrectedMemoryErrors', v['ecc.errors.uncorrected.volatile.total']);
  set('encoderUtilization', v['utilization.encoder']);
  return t;
}

/** `gpu.{i}.{tag}` for every GPU. */
export function gpuTags(gpus: NvidiaGpu[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of gpus) for (const [k, x] of Object.entries(nvidiaTags(g))) out[`gpu.${g.index}.${k}`] = x;
  return out;
}

/** GPU indices used by any of `pids` according to the compute-apps list. */
export function gpusUsedBy(gpus: NvidiaGpu[], apps: ComputeApp[], pids: Iterable<number>): number[] {
  const mine = new Set(pids);
  const uuids = new Set(apps.filter((a) => mine.has(a.pid)).map((a) => a.gpuUuid));
  return gpus.filter((g) => uuids.has(g.uuid)).map((g) => g.index).sort((a, b) => a - b);
}

/** `gpu.process.{i}.{tag}`: the same tags, for the GPUs the run's process tree uses. */
export function gpuProcessTags(gpus: NvidiaGpu[], apps: ComputeApp[], pids: Iterable<number>): Record<string, number> {
  const out: Record<string, number> = {};
  const used = new Set(gpusUsedBy(gpus, apps, pids));
  for (const g of gpus) {
    if (!used.has(g.index)) continue;
    for (const [k, x] of Object.entries(nvidiaTags(g))) out[`gpu.process.${g.index}.${k}`] = x;
  }
  return out;
}

/** What the run view shows about the host's GPUs (stored once per run in metadata.gpu). */
export interface GpuMetadata {
  vendor: 'nvidia' | 'amd';
  count: number;
  driver_version: string | null;
  devices: { index: number; name: string; uuid: string; memory_total_bytes: number | null }[];
}

export function nvidiaMetadata(gpus: NvidiaGpu[]): GpuMetadata {
  return {
    vendor: 'nvidia', count: gpus.length, driver_version: gpus.find((g) => g.driver)?.driver ?? null,
    devices: gpus.map((g) => ({
      index: g.index, name: g.name, uuid: g.uuid,
      memory_total_bytes: g.values['memory.total'] !== undefined ? g.values['memory.total'] * 1024 * 1024 : null,
    })),
  };
}

/** The field nvidia-smi refused, if that is why a query failed. */
export function invalidField(r: ToolResult): string | undefined {
  return /Field "([^"]+)" is not a valid field to query/.exec(r.stdout + '\n' + r.stderr)?.[1];
}

/** Runs nvidia-smi queries, remembering which fields this driver accepts. */
export class NvidiaSmi {
  fields: string[] = [...NVIDIA_FIELDS];

  constructor(readonly exe: string, private run: RunTool = runTool) {}

  /** One `--query-gpu` round; throws with nvidia-smi's message when it fails. */
  async queryGpus(timeoutMs: number): Promise<NvidiaGpu[]> {
    for (;;) {
      const fields = this.fields;
      const r = await this.run(this.exe, [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'], timeoutMs);
      const bad = r.code !== 0 ? invalidField(r) : undefined;
      if (bad && fields.includes(bad) && !['index', 'uuid', 'name'].includes(bad)) {
        this.fields = fields.filter((f) => f !== bad);
        continue;
      }
      if (r.code !== 0) throw new Error(`nvidia-smi --query-gpu failed: ${(r.error ?? (r.stderr.trim() || r.stdout.trim())) || `exit code ${r.code}`}`);
      return parseGpuQuery(r.stdout, fields);
    }
  }

  async queryApps(timeoutMs: number): Promise<ComputeApp[]> {
    const r = await this.run(this.exe, ['--query-compute-apps=pid,gpu_uuid,used_memory', '--format=csv,noheader,nounits'], timeoutMs);
    if (r.code !== 0) throw new Error(`nvidia-smi --query-compute-apps failed: ${(r.error ?? (r.stderr.trim() || r.stdout.trim())) || `exit code ${r.code}`}`);
    return parseComputeApps(r.stdout);
  }
}
