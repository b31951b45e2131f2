"""The two workspace backends through the same API, measured in the same run: calls per second
of write/read of a float and of a 1000-float64 array, shm against Redis (a private redis-server
on 127.0.0.1, so the figure is the round trip, not a network).

    python bench/bench_workspace_backends.py [--seconds 0.5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics

from bench_workspace import loop_rates  # the same loops as the workspace benchmark

from neurosys.cluster.redis_server import LocalRedis
from neurosys.workspace import Workspace


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load before: {os.getloadavg()}")
    with LocalRedis() as url:
        results: dict[str, dict[str, list[float]]] = {}
        for _ in range(args.repeat):
            for backend in ("shm", url):
                with Workspace(backend=backend) as ws:
                    for op, r in loop_rates(ws.read, ws.write, args.seconds).items():
                        results.setdefault(op, {}).setdefault(backend, []).append(r)
    print(f"{'calls/s (median of %d)' % args.repeat:26}{'shm':>12}{'redis':>12}{'ratio':>8}")
    for op, by in results.items():
        shm, red = statistics.median(by["shm"]), statistics.median(by[url])
        print(f"{op:26}{shm:>12,.0f}{red:>12,.0f}{shm / red:>8.0f}")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
