// The GPUs a run view lists (trackwell show, the Overview tab). Two sources can say: the client's host
// record (metadata.host.gpus, from nvidia-smi only) and the runtime's sampler (metadata.gpu, from
// nvidia-smi or rocm-smi, merged into the run's metadata with its first GPU sample). The client's list
// comes first; when it is empty (an AMD machine, or nvidia-smi missing on the client's PATH) the
// sampler's inventory is used, so AMD GPUs are not shown as "none". Pure: no Node imports, so the
// webview can use it too.
import type { JsonObject, JsonValue } from './journal';

export interface GpuSummary {
  name: string;
  /** bytes, or null when unknown */
  memory_total: number | null;
  driver: string | null;
  /** 'nvidia' | 'amd' when the runtime's inventory told */
  vendor?: string;
}

const obj = (v: JsonValue | undefined): JsonObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v : undefined);
const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
const strOrNull = (v: JsonValue | undefined): string | null => (v === null || v === undefined || v === '' ? null : String(v));

export function gpuSummary(meta: JsonObject | null | undefined): GpuSummary[] {
  const host = obj(meta?.host);
  const fromClient = (Array.isArray(host?.gpus) ? host!.gpus : []).map(obj).filter((g): g is JsonObject => !!g);
  if (fromClient.length) {
    return fromClient.map((g) => ({ name: strOrNull(g.name) ?? '', memory_total: num(g.memory_total), driver: strOrNull(g.driver) }));
  }
  const inv = obj(meta?.gpu);
  const devices = (Array.isArray(inv?.devices) ? inv!.devices : []).map(obj).filter((d): d is JsonObject => !!d);
  const vendor = strOrNull(inv?.vendor) ?? undefined;
  return devices.map((d) => ({
    name: strOrNull(d.name) ?? '', memory_total: num(d.memory_total_bytes), driver: strOrNull(inv?.driver_version),
    ...(vendor ? { vendor } : {}),
  }));
}
