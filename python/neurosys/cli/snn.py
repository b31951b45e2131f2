"""``neurosys snn``: run the seed's network or the COBA benchmark network from the terminal and
print firing rates."""

from __future__ import annotations

import argparse
import time


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("snn", help="run a spiking network and print its firing rates",
                       description="Run the seed's 1000-neuron network (with STDP) or the "
                       "Vogels-Abbott COBA network alone and print rates per chunk.")
    p.add_argument("model", nargs="?", choices=("seed", "coba"), default="seed",
                   help="which network (default: seed)")
    p.add_argument("--duration", type=float, default=1.0, help="simulated seconds (default 1)")
    p.add_argument("--chunk", type=float, default=None,
                   help="seconds per printed line (default: duration/5 for seed, all for coba)")
    p.add_argument("--neurons", type=int, default=None,
                   help="network size (default 1000 for seed, 4000 for coba)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--threads", type=int, default=None, help="threads (default: automatic)")
    p.add_argument("--current", type=float, default=None,
                   help="seed network: injected current in nA (default 0.17)")
    p.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    if not args.duration > 0:
        raise ValueError(f"--duration must be > 0 seconds, got {args.duration}")
    if args.chunk is not None and not args.chunk > 0:
        raise ValueError(f"--chunk must be > 0 seconds, got {args.chunk}")
    if args.neurons is not None and args.neurons < 2:
        raise ValueError(f"--neurons must be >= 2, got {args.neurons}")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from neurosys.units import nA

    _check(args)
    if args.model == "coba":
        from neurosys.snn import models

        n = args.neurons or 4000
        net, E, I = models.coba(n=n, seed=args.seed, threads=args.threads)
        mons = [net.monitor_spikes(E), net.monitor_spikes(I)]
        chunk = args.chunk or args.duration
        print(f"COBA: {n} neurons, {sum(len(p) for p in net.projections)} synapses, "
              f"{net.threads if args.threads else 'auto'} thread(s)")
        print(f"{'t (s)':>8} {'E rate (Hz)':>12} {'I rate (Hz)':>12} {'wall (s)':>9}")
        while net.t < args.duration - 1e-12:
            t0 = time.perf_counter()
            span = net.run(min(chunk, args.duration - net.t))
            wall = time.perf_counter() - t0
            rates = [len(m.take()[0]) / (m.group.n * span) for m in mons]
            print(f"{net.t:8.3f} {rates[0]:12.2f} {rates[1]:12.2f} {wall:9.3f}")
        return 0

    from neurosys.snn.preset import NeuromorphicNetwork

    kwargs = {} if args.current is None else {"i_inj": args.current * nA}
    nn = NeuromorphicNetwork(n_neurons=args.neurons or 1000, seed=args.seed, threads=args.threads,
                             **kwargs)
    chunk = args.chunk or args.duration / 5
    print(f"seed network: {nn.n} neurons, I_inj {nn.i_inj / nA:.3f} nA, STDP on")
    print(f"{'t (s)':>8} {'rate (Hz)':>10} {'synchrony':>10} {'mean w (nS)':>12} {'wall (s)':>9}")
    while nn.net.t < args.duration - 1e-12:
        t0 = time.perf_counter()
        s = nn.step(min(chunk, args.duration - nn.net.t))
        wall = time.perf_counter() - t0
        w = float(np.mean(nn.plastic.weights)) * 1e9
        print(f"{s['time']:8.3f} {s['mean_rate']:10.2f} {s['synchrony']:10.3f} {w:12.4f} {wall:9.3f}")
    return 0
