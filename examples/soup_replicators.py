"""The soup engine alone: a BFF soup (Agüera y Arcas et al. 2024) seeded with a few copies of
the published self-replicator, run until the replicator takes over; prints the high-order
entropy, the number of distinct programs and the replicators the detector confirms.

    python examples/soup_replicators.py [--size 4096] [--epochs 512] [--copies 64]
"""

import argparse

from neurosys import soup

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--size", type=int, default=4096, help="programs in the soup")
ap.add_argument("--epochs", type=int, default=512)
ap.add_argument("--copies", type=int, default=64, help="copies of the replicator injected")
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()

s = soup.Soup(language="bff", size=args.size, seed=args.seed)
s.inject(soup.KNOWN_REPLICATOR, args.copies)
print(f"{'epoch':>6} {'high-order entropy':>19} {'distinct':>9}  replicators")
for _ in range(0, args.epochs, 64):
    s.run(64)
    m = s.metrics(top_k=3)
    print(f"{m.epoch:6d} {m.high_order_entropy:19.2f} {m.distinct:9d}  {len(m.replicators)}")
top, count = m.top_programs[0]
print(f"most common program ({count} copies): {top[:32]!r}...")
