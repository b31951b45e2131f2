"""The soup's transition, defined once and fixed in advance for every experiment: high-order
entropy at least 2 bits per byte **and** a replicator confirmed by the detector holding at
least 1 % of the soup, judged on samples every 64 epochs. The entropy alone is not an event: a
writer that fills programs with one byte makes a soup compressible without anything copying
itself, and injected copies raise it with no dynamics at all.

``run_until_transition`` is the one loop the experiments share (the ``soup_transition`` sweep
and ``abiogenesis``): advance a chunk, sample, judge, until the transition or the cap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Criterion", "CRITERION", "SAMPLE_EVERY", "run_until_transition"]

SAMPLE_EVERY = 64


@dataclass(frozen=True)
class Criterion:
    hoe: float = 2.0                  # bits per byte
    replicator_fraction: float = 0.01  # of the soup's programs, one confirmed replicator

    def __post_init__(self) -> None:
        if not self.hoe > 0:
            raise ValueError(f"hoe must be > 0, got {self.hoe!r}")
        if not 0 < self.replicator_fraction <= 1:
            raise ValueError(f"replicator_fraction must be in (0, 1], got {self.replicator_fraction!r}")

    def replicator_share(self, metrics: Any, size: int) -> float:
        """The largest share of the soup held by one detector-confirmed replicator."""
        counts = dict(metrics.top_programs)
        return max((counts.get(r, 0) / size for r in metrics.replicators), default=0.0)

    def met(self, metrics: Any, size: int) -> bool:
        return (metrics.high_order_entropy >= self.hoe
                and self.replicator_share(metrics, size) >= self.replicator_fraction)


CRITERION = Criterion()


def run_until_transition(advance: Callable[[int], Any], sample: Callable[[], Any],
                         epoch: Callable[[], int], *, size: int, cap: int,
                         every: int = SAMPLE_EVERY, criterion: Criterion = CRITERION,
                         before_chunk: Callable[[int], None] | None = None,
                         after_sample: Callable[[Any], None] | None = None,
                         keep_going: Callable[[], bool] | None = None) -> tuple[int | None, Any]:
    """Advance ``every`` epochs at a time (``advance(epochs)``), then ``sample()`` the metrics
    and judge them, until ``criterion`` is met (returns its epoch and the sample) or the soup
    reaches ``cap`` epochs or ``keep_going()`` says stop (returns None and the last sample).
    ``before_chunk(epoch)`` runs before each chunk (injections), ``after_sample(metrics)``
    after each sample (logs, checkpoints)."""
    if every < 1 or cap < 0:
        raise ValueError(f"every must be >= 1 and cap >= 0, got {every!r}, {cap!r}")
    last = None
    while epoch() < cap and (keep_going is None or keep_going()):
        if before_chunk is not None:
            before_chunk(epoch())
        advance(min(every, cap - epoch()))
        last = sample()
        if after_sample is not None:
            after_sample(last)
        if criterion.met(last, size):
            return epoch(), last
    return None, last
