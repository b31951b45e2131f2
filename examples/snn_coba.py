"""The spiking engine alone: the COBA benchmark network (Vogels & Abbott 2005; 4,000 conductance
LIF neurons, 80 % excitatory), one simulated second, then its rates and a raster.

    python examples/snn_coba.py [--seconds 1.0] [--figure raster.png]
"""

import argparse

import numpy as np

from neurosys.snn.models import coba

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--seconds", type=float, default=1.0, help="simulated time")
ap.add_argument("--neurons", type=int, default=4000)
ap.add_argument("--figure", default=None, help="write a raster of 400 neurons to this PNG")
args = ap.parse_args()

net, exc, inh = coba(n=args.neurons, seed=1)
spikes_e, spikes_i = net.monitor_spikes(exc), net.monitor_spikes(inh)
net.run(args.seconds)  # releases the GIL; OpenMP threads inside
for name, pop, mon in (("E", exc, spikes_e), ("I", inh, spikes_i)):
    rates = mon.counts() / args.seconds
    print(f"{name}: {len(pop)} neurons, mean rate {rates.mean():.1f} Hz, "
          f"{np.mean(rates == 0):.0%} silent")
if args.figure:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keep = spikes_e.indices < 400
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot(spikes_e.times[keep], spikes_e.indices[keep], ",k")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("neuron")
    fig.tight_layout()
    fig.savefig(args.figure, dpi=120)
    print("raster:", args.figure)
