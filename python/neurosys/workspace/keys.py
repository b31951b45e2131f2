"""Every workspace key, declared once: its name, the component that writes it, its value type
and its meaning. Code names a key through these constants (``keys.SNN_MEAN_RATE``), never as a
string literal (tests/workspace/test_keys.py fails on one), and docs/workspace-keys.md is
generated from this table (``python tools/gen_workspace_keys.py``).

Unprefixed names are the seed's keys and keep the seed's meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KeySpec", "TABLE", "island_prefix", "actor_status"]


@dataclass(frozen=True)
class KeySpec:
    name: str     # the key, or a pattern with <placeholders> for a family of keys
    writer: str   # the component that owns (writes) it
    type: str     # the value, as the workspace codec carries it
    meaning: str


TABLE: list[KeySpec] = []


def _key(name: str, writer: str, type: str, meaning: str = "") -> str:
    TABLE.append(KeySpec(name, writer, type, meaning))
    return name


# -- the spiking network (snn.NeuromorphicNetwork) ------------------------------------------------
NEURAL_ACTIVATIONS = _key("neural_activations", "snn (`NeuromorphicNetwork`)", "float64 array",
                          "per-neuron rate in Hz over the last chunk")
SNN_MEAN_RATE = _key("snn/mean_rate", "snn", "float", "population mean rate (Hz) over the last chunk")
SNN_RATE_HISTORY = _key("snn/rate_history", "snn", "float64 array", "mean rate per chunk, last 200 chunks")
SNN_SYNCHRONY = _key("snn/synchrony", "snn", "float",
                     "variance of population rate / mean of per-neuron variance (0..1)")
SNN_VOLTAGE_SAMPLE = _key("snn/voltage_sample", "snn", "float64 array",
                          "membrane potential (V) of the sampled neurons")
SNN_RASTER = _key("snn/raster", "snn", 'dict {"times": float64 array (s), "indices": int32 array}',
                  "the last chunk's spikes, at most 5000")
SNN_TIME = _key("snn/time", "snn", "float", "simulated seconds so far")
SNN_I_INJ = _key("snn/i_inj", "snn", "float", "current injected into every neuron (A)")
MODULATION = _key("modulation", "LLM integration / controller agents",
                  '"increase" / "decrease" / "maintain", or a float step in nA',
                  "the network's stimulus change, applied and consumed by the network")

# -- the soup (soup.SoupDriver, soup.EvolutionaryDynamics) ----------------------------------------
AVG_ENTROPY = _key("avg_entropy", "soup (`EvolutionaryDynamics` and the pairwise soup driver)", "float",
                   "mean high-order entropy")
DIVERSITY_INDEX = _key("diversity_index", "soup", "float", "distinct programs / programs")
SOUP_EPOCH = _key("soup/epoch", "soup", "int", "epochs run so far")
SOUP_METRICS = _key("soup/metrics", "soup", "dict",
                    "epoch, shannon, compressed_bits_per_byte, high_order_entropy, distinct, "
                    "program_entropy, ops_per_pair")
SOUP_HOE_HISTORY = _key("soup/hoe_history", "soup", "float64 array",
                        "high-order entropy per metrics sample, last 500")
SOUP_TOP_PROGRAMS = _key("soup/top_programs", "soup", 'list of {"program": bytes, "count": int}',
                         "most common programs first, at most 10")
SOUP_REPLICATORS = _key("soup/replicators", "soup", "list of bytes",
                        "programs the replicator detector confirmed")
SOUP_MUTATION_RATE = _key("soup/mutation_rate", "soup", "float", "the current per-byte mutation rate")

# -- agents, ledger, LLM ---------------------------------------------------------------------------
AGENTS_TABLE = _key("agents/table", "agent manager",
                    'list of {"id", "role", "last_action", "reward", "balance", "alive"}', "the agents now")
AGENTS_EVENTS = _key("agents/events", "agent manager",
                     'list of {"time", "kind": "spawn"/"retire", "id", "role", "reason"}', "last 50")
LEDGER_BALANCES = _key("ledger/balances", "ledger", "dict agent_id -> float", "tokens held")
LEDGER_RECENT = _key("ledger/recent", "ledger",
                     'list of {"time", "kind", "src", "dst", "amount", "reason"}', "last 50 transfers")
LLM_DECISIONS = _key("llm/decisions", "LLM integration", "dict",
                     "made, timed_out, fell_back (counts), latency_median, latency_p95 "
                     "(s, over the last 256)")

# -- the run ----------------------------------------------------------------------------------------
SYSTEM_STATUS = _key("system/status", "system", "dict",
                     'state ("running"/"paused"/"stopping"/"stopped"), started, wall_seconds, pid '
                     '(the system\'s process); once "stopped" also summary (the final progress line) '
                     "and stop_reason")
SYSTEM_TARGETS = _key("system/targets", "system / UI", "dict", "rate_hz, complexity")
SYSTEM_COMMAND = _key("system/command", "UI / CLI", 'dict {"op": ..., "args": {...}, "seq": int}',
                      "the system polls and executes it")
SYSTEM_COMMAND_ACKS = _key("system/command_acks", "system", "dict str(seq) -> str",
                           '"done" or the reason the command was rejected, for the last 32 commands')

# -- families of keys, named through the functions below ----------------------------------------
_ISLAND = _key("soup/island/<i>/<key>", "soup island `i` >= 1 of `neurosys run --ray` "
               "(`cluster.soup_islands`)", "as the soup key",
               "its soup's keys (`epoch`, `metrics`, `avg_entropy`, ...); island 0 publishes the "
               "plain soup keys above")
_ACTOR_STATUS = _key("cluster/<actor>/status", "each actor of `neurosys run --ray` (network, soup, agents)",
                     "dict as `system/status`",
                     "for that actor's share of the system (its pid is on its node)")
CLUSTER_MIGRATIONS = _key("cluster/migrations", "the driver of `neurosys run --ray` with "
                          "`cluster.soup_islands` > 1", "int", "island migrations done so far")

SOUP_KEY_PREFIX = "soup/"  # an island's keys replace this prefix of the soup keys with its own


def island_prefix(island: int) -> str:
    """Where soup island ``island`` publishes its soup's keys: "" for island 0 (the plain keys)."""
    return _ISLAND.split("<i>")[0] + f"{island}/" if island else ""


def actor_status(actor: str) -> str:
    """The status key of one Ray actor's share of the system (``cluster/<actor>/status``)."""
    return _ACTOR_STATUS.replace("<actor>", actor)


NAMES: frozenset[str] = frozenset(spec.name for spec in TABLE)


def markdown() -> str:
    """docs/workspace-keys.md, as generated from the table."""
    lines = [
        "# Workspace keys",
        "",
        "<!-- generated from python/neurosys/workspace/keys.py by tools/gen_workspace_keys.py -->",
        "",
        "The global workspace is the only channel between components. This table is the contract: a",
        "component writes only the keys it owns, and reads others' keys as documented here. Values are",
        "plain workspace values (None, bool, int, float, str, bytes, numpy arrays, lists/dicts of those).",
        "Unprefixed names are the seed's keys and keep the seed's meaning. Code names each key through",
        "its constant in `neurosys.workspace.keys`.",
        "",
        "| key | writer | value | meaning |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{s.name}` | {s.writer} | {s.type} | {s.meaning} |" for s in TABLE]
    return "\n".join(lines) + "\n"
