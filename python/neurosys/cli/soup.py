"""``neurosys soup``: run a primordial soup from the terminal and print a metrics line every
--metrics-every epochs (or the seed's GA with --mode ga)."""

from __future__ import annotations

import argparse
import time

from neurosys.limits import engine_default


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("soup", help="run a primordial soup (BFF / BF) and print its metrics",
                       description="Run a pairwise soup of self-modifying programs (Agüera y Arcas "
                       "et al. 2024) and print metrics lines; --mode ga runs the seed's GA.")
    p.add_argument("--mode", choices=("pairwise", "ga"), default="pairwise")
    p.add_argument("--language", choices=("bff", "bf"), default="bff")
    p.add_argument("--size", type=int, default=engine_default("soup", "size", int), help="programs in the soup (even)")
    p.add_argument("--program-length", type=int, default=engine_default("soup", "program_length", int))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=1024)
    p.add_argument("--mutation-rate", type=float, default=engine_default("soup", "mutation_rate"))
    p.add_argument("--max-steps", type=int, default=engine_default("soup", "max_steps", int))
    p.add_argument("--rng", choices=("default", "cubff"), default="default")
    p.add_argument("--heads-from-tape", action="store_true", help="head0=T[0], head1=T[1], start at 2")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--threads", type=int, default=engine_default("soup", "threads", int), help="OpenMP threads (0 = all)")
    p.add_argument("--metrics-every", type=int, default=64)
    p.add_argument("--load", help="resume from a checkpoint")
    p.add_argument("--save", help="write a checkpoint at the end")
    p.add_argument("--stop-at-hoe", type=float, default=None,
                   help="stop once high-order entropy exceeds this (the paper uses 1.0)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.epochs < 0:
        raise ValueError(f"--epochs must be >= 0, got {args.epochs}")
    if args.metrics_every < 1:
        raise ValueError(f"--metrics-every must be >= 1, got {args.metrics_every}")
    if args.mode == "ga":
        return _run_ga(args)
    from neurosys.soup import Soup

    if args.load:
        soup = Soup.load(args.load, device=args.device, threads=args.threads)
    else:
        soup = Soup(language=args.language, size=args.size, program_length=args.program_length,
                    seed=args.seed, mutation_rate=args.mutation_rate, max_steps=args.max_steps,
                    rng=args.rng, heads_from_tape=args.heads_from_tape, device=args.device,
                    threads=args.threads)
    print(f"# {soup!r}", flush=True)
    print(f"{'epoch':>8} {'hoe':>7} {'shannon':>7} {'bits/B':>7} {'distinct':>9} {'ops/pair':>9} "
          f"{'Mops/s':>8} {'epochs/s':>8} replicators", flush=True)
    target = soup.epoch + args.epochs
    while soup.epoch < target:
        chunk = min(args.metrics_every - soup.epoch % args.metrics_every, target - soup.epoch)
        t0 = time.perf_counter()
        ops = soup.run(chunk)
        dt = max(time.perf_counter() - t0, 1e-9)
        m = soup.metrics(use_zlib=False)
        print(f"{m.epoch:>8} {m.high_order_entropy:>7.3f} {m.shannon:>7.3f} {m.compressed_bits_per_byte:>7.3f} "
              f"{m.distinct:>9} {m.ops_per_pair:>9.1f} {ops / dt / 1e6:>8.1f} {chunk / dt:>8.2f} "
              f"{len(m.replicators)}", flush=True)
        if args.stop_at_hoe is not None and m.high_order_entropy > args.stop_at_hoe:
            print(f"# high-order entropy {m.high_order_entropy:.3f} > {args.stop_at_hoe} at epoch {m.epoch}")
            break
    if args.save:
        soup.save(args.save)
        print(f"# saved {args.save}")
    return 0


def _run_ga(args: argparse.Namespace) -> int:
    from neurosys.soup.evolution import EvolutionaryDynamics

    ga = EvolutionaryDynamics(soup_size=args.size, program_length=args.program_length,
                              max_steps=args.max_steps, language=args.language, seed=args.seed,
                              threads=args.threads)
    print(f"{'epoch':>6} {'avg_entropy':>12} {'best':>8} {'diversity':>9}")
    for _ in range(args.epochs):
        r = ga.step()
        print(f"{r['epoch']:>6} {r['avg_entropy']:>12.4f} {r['best_entropy']:>8.4f} {r['diversity_index']:>9.3f}",
              flush=True)
    return 0
