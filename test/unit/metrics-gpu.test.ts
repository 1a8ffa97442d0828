// GPU tool parsing from checked-in outputs (test/fixtures/gpu): every tag, placeholders, several GPUs,
// process-to-GPU matching (nvidia-smi compute apps, rocm-smi --showpidgpus), fields an old driver
// refuses, ROCm 5.x and 6.x key names, nvidia-smi --loop-ms lines grouped into readings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  gpuProcessTags, gpuTags, gpusUsedBy, NVIDIA_FIELDS, NvidiaSmi, nvidiaMetadata, parseComputeApps, parseGpuQuery, smiNumber,
} from '../../runtime/metrics/gpuNvidia';
import { parseRocmPidGpus, parseRocmSmi, rocmGpuTags, rocmMetadata, rocmProcessTags, RocmSmi } from '../../runtime/metrics/gpuRocm';
import { GpuLineBatcher } from '../../runtime/metrics/gpuNvidiaLoop';
import type { RunTool, ToolResult } from '../../runtime/metrics/exec';
import { gpuSummary } from '../../runtime/protocol/gpuSummary';
import { metadataLines } from '../../runtime/cli/metadataText';

const FIX = path.resolve(__dirname, '..', 'fixtures', 'gpu');
const fixture = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');

const GPU_TAGS = [
  'gpu', 'memory', 'memoryAllocated', 'memoryAllocatedBytes', 'temp', 'powerWatts', 'powerPercent', 'smClock', 'memoryClock',
  'graphicsClock', 'correctedMemoryErrors', 'unCorrectedMemoryErrors', 'encoderUtilization',
];

test('nvidia-smi --query-gpu, one GPU: every W&B tag with its value and unit', () => {
  const gpus = parseGpuQuery(fixture('nvidia-smi-query-gpu-1.txt'), NVIDIA_FIELDS);
  assert.equal(gpus.length, 1);
  assert.equal(gpus[0].name, 'NVIDIA A100-SXM4-40GB');
  assert.equal(gpus[0].uuid, 'GPU-5c1e7a3f-8d2b-4e6a-9f10-2b3c4d5e6f70');
  const tags = gpuTags(gpus);
  assert.deepEqual(Object.keys(tags).sort(), GPU_TAGS.map((t) => `gpu.0.${t}`).sort());
  assert.deepEqual(tags, {
    'gpu.0.gpu': 87,
    'gpu.0.memory': 41,
    'gpu.0.memoryAllocated': 42.08, // 17236 / 40960 MiB
    'gpu.0.memoryAllocatedBytes': 17236 * 1024 * 1024,
    'gpu.0.temp': 63,
    'gpu.0.powerWatts': 312.45,
    'gpu.0.powerPercent': 78.113, // of the 400 W enforced limit
    'gpu.0.smClock': 1410,
    'gpu.0.memoryClock': 1215,
    'gpu.0.graphicsClock': 1410,
    'gpu.0.correctedMemoryErrors': 0,
    'gpu.0.unCorrectedMemoryErrors': 0,
    'gpu.0.encoderUtilization': 0,
  });
  assert.deepEqual(nvidiaMetadata(gpus), {
    vendor: 'nvidia', count: 1, driver_version: '535.129.03',
    devices: [{ index: 0, name: 'NVIDIA A100-SXM4-40GB', uuid: 'GPU-5c1e7a3f-8d2b-4e6a-9f10-2b3c4d5e6f70', memory_total_bytes: 40960 * 1024 * 1024 }],
  });
});

test('nvidia-smi --query-gpu, two GPUs: [N/A] and [Not Supported] leave the tag out, not 0', () => {
  const gpus = parseGpuQuery(fixture('nvidia-smi-query-gpu-2.txt'), NVIDIA_FIELDS);
  assert.deepEqual(gpus.map((g) => g.index), [0, 1]);
  const tags = gpuTags(gpus);
  assert.equal(tags['gpu.0.gpu'], 99);
  assert.equal(tags['gpu.0.powerPercent'], 97.486);
  assert.equal(tags['gpu.0.encoderUtilization'], 0);
  assert.ok(!('gpu.0.correctedMemoryErrors' in tags));
  assert.ok(!('gpu.0.unCorrectedMemoryErrors' in tags));
  assert.equal(tags['gpu.1.gpu'], 0);
  assert.equal(tags['gpu.1.memoryAllocatedBytes'], 3 * 1024 * 1024);
  assert.equal(tags['gpu.1.temp'], 34);
  for (const t of ['powerWatts', 'powerPercent', 'correctedMemoryErrors', 'unCorrectedMemoryErrors', 'encoderUtilization']) {
    assert.ok(!(`gpu.1.${t}` in tags), `gpu.1.${t} should be absent`);
  }
  assert.equal(nvidiaMetadata(gpus).count, 2);
  for (const v of ['[N/A]', '[Not Supported]', '[Unknown Error]', 'N/A', '', undefined]) assert.equal(smiNumber(v), undefined);
  assert.equal(smiNumber(' 12.5 '), 12.5);
});

test('a product name with a comma stays one field', () => {
  const line = '0, GPU-aaaa, NVIDIA RTX A6000, Ada Generation, 550.54.14, 49140, 100, 1, 2, 30, 20.5, 300.00, 300.00, 210, 405, 210, 0, 0, 0\n';
  const [g] = parseGpuQuery(line, NVIDIA_FIELDS);
  assert.equal(g.name, 'NVIDIA RTX A6000, Ada Generation');
  assert.equal(g.values['memory.total'], 49140);
  assert.equal(g.values['utilization.encoder'], 0);
});

test('compute apps match the run\'s process tree to the GPUs it uses', () => {
  const gpus1 = parseGpuQuery(fixture('nvidia-smi-query-gpu-1.txt'), NVIDIA_FIELDS);
  const apps1 = parseComputeApps(fixture('nvidia-smi-compute-apps-1.txt'));
  assert.deepEqual(apps1, [
    { pid: 4242, gpuUuid: 'GPU-5c1e7a3f-8d2b-4e6a-9f10-2b3c4d5e6f70', usedMemoryMiB: 16890 },
    { pid: 9999, gpuUuid: 'GPU-5c1e7a3f-8d2b-4e6a-9f10-2b3c4d5e6f70', usedMemoryMiB: 320 },
  ]);
  // The run's tree: the training process 4200 and its worker 4242 (the one on the GPU).
  const proc = gpuProcessTags(gpus1, apps1, [4200, 4242]);
  assert.deepEqual(Object.keys(proc).sort(), GPU_TAGS.map((t) => `gpu.process.0.${t}`).sort());
  assert.equal(proc['gpu.process.0.gpu'], 87);
  assert.deepEqual(gpuProcessTags(gpus1, apps1, [1, 2, 3]), {}); // a tree that uses no GPU

  const gpus2 = parseGpuQuery(fixture('nvidia-smi-query-gpu-2.txt'), NVIDIA_FIELDS);
  const apps2 = parseComputeApps(fixture('nvidia-smi-compute-apps-2.txt'));
  assert.equal(apps2[1].usedMemoryMiB, undefined); // [N/A]
  assert.deepEqual(gpusUsedBy(gpus2, apps2, [31300, 31337]), [0]);
  assert.deepEqual(gpusUsedBy(gpus2, apps2, [31340]), [1]);
  assert.deepEqual(gpusUsedBy(gpus2, apps2, [31337, 31340]), [0, 1]);
  const p2 = gpuProcessTags(gpus2, apps2, [31340]);
  assert.equal(p2['gpu.process.1.temp'], 34);
  assert.ok(!Object.keys(p2).some((k) => k.startsWith('gpu.process.0.')));
  assert.deepEqual(parseComputeApps(''), []);
  assert.deepEqual(parseComputeApps('No running processes found\n'), []);
});

test('a field the driver refuses is dropped and the query retried', async () => {
  const calls: string[][] = [];
  const run: RunTool = async (_file, args): Promise<ToolResult> => {
    calls.push(args);
    const q = args[0].slice('--query-gpu='.length).split(',');
    if (q.includes('utilization.encoder')) return { code: 2, stdout: fixture('nvidia-smi-query-gpu-invalid-field.txt'), stderr: '' };
    // The one-GPU line without its last (encoder) field.
    return { code: 0, stdout: fixture('nvidia-smi-query-gpu-1.txt').replace(/, 0\n$/, '\n'), stderr: '' };
  };
  const smi = new NvidiaSmi('/usr/bin/nvidia-smi', run);
  const gpus = await smi.queryGpus(1000);
  assert.equal(calls.length, 2);
  assert.ok(!smi.fields.includes('utilization.encoder'));
  const tags = gpuTags(gpus);
  assert.equal(tags['gpu.0.gpu'], 87);
  assert.ok(!('gpu.0.encoderUtilization' in tags));
  await smi.queryGpus(1000);
  assert.equal(calls.length, 3, 'the field stays dropped');
  const failing = new NvidiaSmi('nvidia-smi', async () => ({ code: 9, stdout: 'NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.', stderr: '' }));
  await assert.rejects(failing.queryGpus(1000), /couldn't communicate with the NVIDIA driver/);
});

test('rocm-smi -a --json, ROCm 5.x: two cards', () => {
  const r = parseRocmSmi(fixture('rocm-smi-5.x.json'));
  assert.equal(r.driver, '5.18.13');
  assert.deepEqual(rocmGpuTags(r), {
    'gpu.0.gpu': 96,
    'gpu.0.memoryAllocated': 60, // 41221619712 / 68702699520 B
    'gpu.0.memoryAllocatedBytes': 41221619712,
    'gpu.0.temp': 58, // the memory sensor, as W&B reads it
    'gpu.0.powerWatts': 212,
    'gpu.0.powerPercent': 70.667,
    'gpu.1.gpu': 0,
    'gpu.1.memoryAllocated': 0.017,
    'gpu.1.memoryAllocatedBytes': 11624448,
    'gpu.1.temp': 46,
    'gpu.1.powerWatts': 41,
    'gpu.1.powerPercent': 13.667,
  });
  const meta = rocmMetadata(r);
  assert.equal(meta.count, 2);
  assert.deepEqual(meta.devices[0], { index: 0, name: 'AMD Instinct MI210', uuid: '0x9c2f4e8a1b7d3c65', memory_total_bytes: 68702699520 });
});

test('rocm-smi -a --json, ROCm 6.x: MI300X key names, N/A sensors', () => {
  const r = parseRocmSmi(fixture('rocm-smi-6.x.json'));
  assert.equal(r.driver, '6.7.0');
  assert.deepEqual(rocmGpuTags(r), {
    'gpu.0.gpu': 88,
    'gpu.0.memoryAllocated': 50,
    'gpu.0.memoryAllocatedBytes': 102911442944,
    'gpu.0.temp': 49,
    'gpu.0.powerWatts': 489, // "Current Socket Graphics Package Power (W)"
    'gpu.0.powerPercent': 65.2,
  });
  assert.equal(rocmMetadata(r).devices[0].name, 'AMD Instinct MI300X OAM');
});

test('rocm-smi: only-percent keys, numbers as JSON numbers, a warning before the JSON', () => {
  const text = 'WARNING: AMD GPU device(s) is/are in a low-power state. Check power control/runtime_status\n\n' +
    JSON.stringify({ card0: { 'GPU use (%)': 12, 'GPU Memory Allocated (VRAM%)': '7', 'Temperature (Sensor memory) (C)': 'N/A', 'Temperature (Sensor edge) (C)': '40.0', 'Average Graphics Package Power (W)': 'N/A' } });
  const r = parseRocmSmi(text);
  assert.deepEqual(rocmGpuTags(r), { 'gpu.0.gpu': 12, 'gpu.0.memoryAllocated': 7, 'gpu.0.temp': 40 });
  const v5 = parseRocmSmi(JSON.stringify({ card3: { 'GPU memory use (%)': '5' } }));
  assert.deepEqual(rocmGpuTags(v5), { 'gpu.3.memoryAllocated': 5 });
});

test('RocmSmi runs the tool and reports failures', async () => {
  const ok = new RocmSmi('rocm-smi', async (_f, args) => {
    assert.deepEqual(args, ['-a', '--json']);
    return { code: 0, stdout: fixture('rocm-smi-6.x.json'), stderr: '' };
  });
  assert.equal((await ok.query(1000)).gpus.length, 1);
  const bad = new RocmSmi('rocm-smi', async () => ({ code: 1, stdout: '', stderr: 'ERROR: GPU[0] : Unable to open file' }));
  await assert.rejects(bad.query(1000), /Unable to open file/);
});

test('rocm-smi --showpidgpus: pid -> GPU indices, none running, wrapped lists; gpu.process.{i}.* for the run\'s tree', async () => {
  const pids = parseRocmPidGpus(fixture('rocm-smi-showpidgpus.txt'));
  assert.deepEqual([...pids], [[31300, [1]], [31340, [1]], [4242, [0, 1]], [777, []]]);
  assert.equal(parseRocmPidGpus(fixture('rocm-smi-showpidgpus-none.txt')).size, 0);
  // More devices than fit in 90 columns continue on the next line (rocm_smi.py's printListLog).
  const wrapped = 'PID 9001 is using 40 DRM device(s):\n0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 \n21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 \n';
  assert.deepEqual(parseRocmPidGpus(wrapped).get(9001), Array.from({ length: 40 }, (_, i) => i));
  // The run (31300 and its worker 31340) uses card 1 only; 4242 (another process) uses both.
  const r = parseRocmSmi(fixture('rocm-smi-5.x.json'));
  const tags = rocmProcessTags(r, pids, [31300, 31340]);
  assert.deepEqual(tags, Object.fromEntries(Object.entries(rocmGpuTags(r)).filter(([k]) => k.startsWith('gpu.1.')).map(([k, v]) => [k.replace('gpu.1.', 'gpu.process.1.'), v])));
  assert.equal(tags['gpu.process.1.memoryAllocatedBytes'], 11624448);
  assert.deepEqual(rocmProcessTags(r, pids, [777, 5]), {}, 'no GPU, or not a KFD process: no gpu.process tags');
  const calls: string[][] = [];
  const smi = new RocmSmi('rocm-smi', async (_f, args) => {
    calls.push(args);
    return { code: 0, stdout: fixture('rocm-smi-showpidgpus.txt'), stderr: '' };
  });
  assert.equal((await smi.queryPidGpus(1000)).size, 4);
  assert.deepEqual(calls, [['--showpidgpus']]);
  await assert.rejects(new RocmSmi('rocm-smi', async () => ({ code: 2, stdout: '', stderr: 'rocm-smi: error: unrecognized arguments' })).queryPidGpus(1000), /--showpidgpus failed: rocm-smi: error/);
});

test('nvidia-smi --loop-ms lines become one reading per iteration, also when a GPU goes away or appears', () => {
  const lines = fixture('nvidia-smi-query-gpu-2.txt').trim().split('\n');
  let now = 1000;
  const b = new GpuLineBatcher(NVIDIA_FIELDS, 2, () => now);
  b.line(lines[0]);
  assert.equal(b.latest, undefined, 'half an iteration is no reading');
  b.line(lines[1]);
  assert.deepEqual(b.latest!.gpus.map((g) => g.index), [0, 1]);
  assert.equal(b.latest!.at, 1000);
  now = 2000;
  b.line('garbage that is not a CSV row');
  b.line('');
  b.line(lines[0]);
  b.line(lines[1]);
  assert.equal(b.latest!.at, 2000);
  assert.equal(b.latest!.gpus[1].values['temperature.gpu'], 34);
  // GPU 1 falls off the bus: GPU 0 alone is a reading once the next iteration starts, and from then on at once.
  now = 3000;
  b.line(lines[0]);
  now = 4000;
  b.line(lines[0]);
  assert.deepEqual(b.latest!.gpus.map((g) => g.index), [0]);
  assert.equal(b.latest!.at, 4000);
  now = 5000;
  b.line(lines[0]);
  assert.equal(b.latest!.at, 5000);
  // It comes back: added to the reading just made, and expected from then on.
  b.line(lines[1]);
  assert.deepEqual(b.latest!.gpus.map((g) => g.index), [0, 1]);
  now = 6000;
  b.line(lines[0]);
  assert.equal(b.latest!.at, 5000, 'waits for GPU 1 again');
  b.line(lines[1]);
  assert.equal(b.latest!.at, 6000);
});

test('GPU summary for show / Overview: the client\'s nvidia-smi list, else the sampler\'s inventory (AMD)', () => {
  // An AMD machine: the client found no nvidia-smi (host.gpus empty); the runtime merged rocm-smi's inventory.
  const amd = rocmMetadata(parseRocmSmi(fixture('rocm-smi-5.x.json')));
  const host = { hostname: 'box', os: 'Linux', release: '6.1', gpus: [] };
  const meta = JSON.parse(JSON.stringify({ host, gpu: amd }));
  const summary = gpuSummary(meta);
  assert.equal(summary.length, amd.count);
  assert.ok(summary.length > 0);
  assert.deepEqual(summary[0], { name: amd.devices[0].name, memory_total: amd.devices[0].memory_total_bytes, driver: amd.driver_version, vendor: 'amd' });
  const lines = metadataLines(meta).filter((l) => l.trim().startsWith('gpu '));
  assert.equal(lines.length, amd.count, 'show lists the AMD GPUs instead of none');
  assert.ok(lines[0].includes(amd.devices[0].name));
  // No host record at all (an old client): the inventory still shows.
  assert.equal(metadataLines(JSON.parse(JSON.stringify({ gpu: amd }))).filter((l) => l.trim().startsWith('gpu ')).length, amd.count);
  // The client's list, when it has one, is what is shown.
  const nv = { ...meta, host: { ...host, gpus: [{ name: 'NVIDIA A100', memory_total: 40 * 2 ** 30, driver: '535.1' }] } };
  assert.deepEqual(gpuSummary(nv), [{ name: 'NVIDIA A100', memory_total: 40 * 2 ** 30, driver: '535.1' }]);
  assert.match(metadataLines(nv).join('\n'), /gpu +NVIDIA A100 {2}40\.0 GiB {2}driver 535\.1/);
  // Neither: no GPU lines.
  assert.deepEqual(gpuSummary({ host }), []);
  assert.deepEqual(gpuSummary(null), []);
  assert.ok(!metadataLines({ host }).some((l) => l.includes('gpu ')));
});
