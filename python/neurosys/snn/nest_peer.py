"""NEST 3 as the peer of the spiking engine: the reference microcircuit (the PyPI package
``microcircuit``, INM-6's PyNEST implementation of Potjans & Diesmann 2014) and the COBA network
as a NEST user writes it (``iaf_cond_exp``), each run in a process of its own (NEST keeps global
state and its own OpenMP runtime), timed, with the spikes handed back.

    python -m neurosys.snn.nest_peer microcircuit --scale 0.1 --seed 55 --out spikes.npz
    python -m neurosys.snn.nest_peer coba --n 4000 --out coba.npz

The tests and ``bench/bench_snn.py`` call ``run_peer(...)``, which runs that command. Needs
``pip install nest-simulator microcircuit`` (the ``bench`` and ``test`` extras).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _microcircuit(args: argparse.Namespace) -> dict[str, Any]:
    import nest
    from microcircuit import network
    from microcircuit.network_params import default_net_dict as net_dict
    from microcircuit.sim_params import default_sim_dict as sim_dict
    from microcircuit.stimulus_params import default_stim_dict

    out_dir = tempfile.mkdtemp(prefix="nest-mc-")
    sims = dict(sim_dict, t_presim=args.presim * 1e3, t_sim=args.duration * 1e3,
                local_num_threads=args.threads, rng_seed=args.seed, data_path=out_dir + "/",
                print_time=False, store_metadata=False, overwrite_files=True)
    nets = dict(net_dict, N_scaling=args.scale, K_scaling=args.k_scale,
                bg_input_type=args.background)
    began = time.perf_counter()
    net = network.Network(sims, nets, dict(default_stim_dict))
    net.create()
    net.spike_recorders.set(record_to="memory")
    net.connect()
    build = time.perf_counter() - began
    began = time.perf_counter()
    net.simulate(sims["t_presim"])
    presim = time.perf_counter() - began
    began = time.perf_counter()
    net.simulate(sims["t_sim"])
    sim = time.perf_counter() - began
    arrays: dict[str, np.ndarray] = {}
    for name, pop, rec in zip(POPULATIONS, net.pops, net.spike_recorders):
        events = rec.get("events")
        first = int(pop.global_id if len(pop) == 1 else pop[0].global_id)
        times = np.asarray(events["times"], dtype=np.float64) * 1e-3
        keep = times >= args.presim
        arrays[f"{name}_times"] = times[keep] - args.presim
        arrays[f"{name}_ids"] = np.asarray(events["senders"], dtype=np.int64)[keep] - first
        arrays[f"{name}_n"] = np.array(len(pop))
    info = {"build_s": build, "presim_s": presim, "sim_s": sim,
            "s_per_bio_s": sim / args.duration, "threads": args.threads,
            "connections": int(nest.GetKernelStatus("num_connections")),
            "peak_rss_mb": _peak_rss_mb(), "nest": nest.__version__}
    return {"arrays": arrays, "info": info}


def _coba(args: argparse.Namespace) -> dict[str, Any]:
    """Vogels & Abbott (2005) COBA as NEST's own example writes it: iaf_cond_exp, the
    benchmark's parameters, fixed probability 0.02 (80 inputs at n = 4000), v uniform in
    [-60, -50] mV, conductances 0 at the start and a 50 ms warm-up drive as in Brette et al."""
    import nest

    nest.ResetKernel()
    nest.set(resolution=0.1, local_num_threads=args.threads, rng_seed=args.seed)
    params = {"C_m": 200.0, "g_L": 10.0, "E_L": -60.0, "V_th": -50.0, "V_reset": -60.0,
              "t_ref": 5.0, "E_ex": 0.0, "E_in": -80.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0}
    began = time.perf_counter()
    n_exc = int(0.8 * args.n)
    cells = nest.Create("iaf_cond_exp", args.n, params=params)
    cells.V_m = nest.random.uniform(-60.0, -50.0)
    exc, inh = cells[:n_exc], cells[n_exc:]
    p = 80.0 / args.n
    nest.Connect(exc, cells, {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": False},
                 {"weight": 6.0, "delay": 0.1})
    nest.Connect(inh, cells, {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": False},
                 {"weight": -67.0, "delay": 0.1})
    kick = nest.Create("poisson_generator", params={"rate": 200.0, "stop": 50.0})
    nest.Connect(kick, cells, syn_spec={"weight": 6.0, "delay": 0.1})
    rec = nest.Create("spike_recorder")
    nest.Connect(cells, rec)
    build = time.perf_counter() - began
    began = time.perf_counter()
    nest.Simulate(args.duration * 1e3)
    sim = time.perf_counter() - began
    events = rec.get("events")
    arrays = {"times": np.asarray(events["times"]) * 1e-3,
              "ids": np.asarray(events["senders"]) - int(cells[0].global_id), "n": np.array(args.n)}
    info = {"build_s": build, "sim_s": sim, "s_per_bio_s": sim / args.duration,
            "threads": args.threads, "peak_rss_mb": _peak_rss_mb(), "nest": nest.__version__}
    return {"arrays": arrays, "info": info}


def run_peer(model: str, *, timeout: float = 3600.0, **options: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Runs ``python -m neurosys.snn.nest_peer MODEL --option value ...`` and returns its
    spike arrays and its timing (build_s, sim_s, s_per_bio_s, peak_rss_mb, ...)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "peer.npz"
        cmd = [sys.executable, "-m", "neurosys.snn.nest_peer", model, "--out", str(out)]
        for key, value in options.items():
            cmd += [f"--{key.replace('_', '-')}", str(value)]
        env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"the NEST peer failed ({' '.join(cmd[3:])}): {done.stderr[-2000:]}")
        with np.load(out) as data:
            arrays = {k: data[k] for k in data.files if k != "info"}
            info = json.loads(str(data["info"]))
    return arrays, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", choices=["microcircuit", "coba"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--k-scale", type=float, default=1.0)
    ap.add_argument("--background", default="poisson", choices=["poisson", "dc"])
    ap.add_argument("--seed", type=int, default=55)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--presim", type=float, default=0.5, help="seconds simulated before recording")
    ap.add_argument("--duration", type=float, default=1.0, help="seconds recorded")
    ap.add_argument("--n", type=int, default=4000)
    args = ap.parse_args(argv)
    # NEST prints its banner and progress on stdout; the results go to --out
    result = _microcircuit(args) if args.model == "microcircuit" else _coba(args)
    np.savez(args.out, info=json.dumps(result["info"]), **result["arrays"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
