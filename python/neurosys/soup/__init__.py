"""The primordial soup: self-modifying BFF / BF programs interacting in pairs (Agüera y Arcas
et al. 2024, arXiv 2406.19108), the seed's fitness-driven GA, metrics and replicator detection."""

from neurosys.soup.engine import ORIGIN_MUTATION, ORIGIN_PRIMORDIAL, Soup
from neurosys.soup.metrics import (SoupMetrics, brotli_size, compute_metrics, high_order_entropy,
                                   shannon_entropy, zlib_size)
from neurosys.soup.replicators import detect_replicators, is_replicator, replicator_scores
from neurosys.soup.tapes import KNOWN_REPLICATOR, run_tape

__all__ = ["Soup", "ORIGIN_PRIMORDIAL", "ORIGIN_MUTATION", "SoupMetrics", "compute_metrics", "shannon_entropy", "brotli_size", "zlib_size",
           "high_order_entropy", "detect_replicators", "is_replicator", "replicator_scores",
           "run_tape", "KNOWN_REPLICATOR", "EvolutionaryDynamics", "SoupDriver", "Islands"]


def __getattr__(name: str):
    # The workspace-facing parts load lazily (they import the workspace and the run store).
    if name == "EvolutionaryDynamics":
        from neurosys.soup.evolution import EvolutionaryDynamics
        return EvolutionaryDynamics
    if name == "SoupDriver":
        from neurosys.soup.driver import SoupDriver
        return SoupDriver
    if name == "Islands":  # the public path kept (#23): the Ray runner of the island model
        from neurosys.cluster.islands import Islands
        return Islands
    raise AttributeError(f"module 'neurosys.soup' has no attribute {name!r}")
