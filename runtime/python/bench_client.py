"""Cost of tracking on the training thread: `python3 runtime/python/bench_client.py`.

For 10,000 steps of 10 and of 100 scalars, in offline mode (and online when TRACKWELL_RUNTIME is set),
prints one JSON object per scenario: the median and p99 of one `log()` call measured on the calling
thread (perf_counter_ns around each call), and how long `finish()` took (journal flushed and fsynced,
and online: everything acknowledged by the runtime). `stored_at` is the epoch time finish() returned.
Uses a temporary data root unless TRACKWELL_DIR is set. Options: --steps N, --scalars 10,100.
"""
import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import trackwell as tw  # noqa: E402


def scenario(mode, scalars, steps):
    run = tw.init(project="bench", mode=mode, settings={"console": "off"}, reinit="finish_previous")
    keys = ["metric_%d" % k for k in range(scalars)]
    times = []
    t_loop = time.perf_counter()
    for i in range(steps):
        row = {k: i * 0.001 + j for j, k in enumerate(keys)}
        t0 = time.perf_counter_ns()
        run.log(row)
        times.append(time.perf_counter_ns() - t0)
    loop_s = time.perf_counter() - t_loop
    t0 = time.perf_counter()
    run.finish()
    finish_s = time.perf_counter() - t0
    times.sort()
    return {
        "mode": mode, "scalars": scalars, "steps": steps,
        "median_us": round(times[len(times) // 2] / 1000, 3),
        "p99_us": round(times[int(len(times) * 0.99)] / 1000, 3),
        "max_us": round(times[-1] / 1000, 1),
        "loop_s": round(loop_s, 4),
        "finish_s": round(finish_s, 4),
        "run_id": run.id,
        "stored_at": time.time(),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--scalars", default="10,100")
    args = ap.parse_args()
    tmp = None
    if not os.environ.get("TRACKWELL_DIR"):
        tmp = tempfile.mkdtemp(prefix="trackwell-bench-")
        os.environ["TRACKWELL_DIR"] = tmp
    modes = ["offline"] + (["online"] if os.environ.get("TRACKWELL_RUNTIME") else [])
    for mode in modes:
        for scalars in [int(s) for s in args.scalars.split(",")]:
            print(json.dumps(scenario(mode, scalars, args.steps)), flush=True)
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
