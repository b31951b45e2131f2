"""``neurosys report RUN_DIR``: PNG figures and a text summary from a run's store (run.db).

The store is opened read-only, so a report can be made of a run that is still going. Figures
whose data a run does not have (a component that was disabled or not built) are skipped and the
summary says so.
"""

from __future__ import annotations

import sqlite3
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["make_report", "format_summary", "progress_line", "FIGURES"]

RATE_BIN = 0.01  # seconds per bin of the population rate
_RATE_BLOCKS = 200  # blocks the rate figure summarises its bins into


def num(v: Any, fmt: str) -> str:
    """``v`` formatted, or "-" when it is not a number (not measured yet)."""
    return format(v, fmt) if isinstance(v, (int, float)) and not isinstance(v, bool) else "-"


def progress_line(s: dict[str, Any]) -> str:
    """One line of a snapshot (``System.snapshot``): the progress line, and the TUI's
    summary of a system that stopped."""
    tokens = sum(s["balances"].values()) if s["balances"] else None
    return (f"[{num(s['wall_seconds'], '6.1f')} s] {s['state']:<8} sim {num(s['sim_time'], '.2f')} s"
            f"  rate {num(s['mean_rate'], '.1f')} Hz  epoch {num(s['soup_epoch'], 'd')}"
            f"  entropy {num(s['entropy'], '.3f')}  agents {s['agents']}"
            f"  tokens {num(tokens, '.2f')}")


def format_summary(s: dict[str, Any]) -> str:
    """The end-of-run summary (as ``System.stop`` returns it) as text."""
    lines = [
        f"run directory    {s.get('run_dir', '-')}",
        f"stopped by       {s.get('stop_reason') or '-'}",
        f"wall time        {num(s.get('wall_seconds'), '.1f')} s",
        f"start            {num(s.get('start_seconds'), '.1f')} s to every component running"
        " (the duration counts from there)",
        f"simulated time   {num(s.get('sim_time'), '.3f')} s"
        + (f"  (network {s['network_speed']:.3f} simulated s per wall s of stepping)"
           if "network_speed" in s else ""),
        f"mean rate        {num(s.get('mean_rate'), '.2f')} Hz",
        f"soup epoch       {num(s.get('soup_epoch'), 'd')}   high-order entropy "
        f"{num(s.get('entropy'), '.4f')}   diversity {num(s.get('diversity'), '.4f')}",
        f"agents alive     {s.get('agents', 0)}",
    ]
    llm = s.get("llm")
    if isinstance(llm, dict):
        lines.append(f"llm decisions    {llm.get('made', 0)} made, {llm.get('timed_out', 0)} timed "
                     f"out, {llm.get('fell_back', 0)} other fallbacks; latency median "
                     f"{num(llm.get('latency_median'), '.2f')} s, p95 "
                     f"{num(llm.get('latency_p95'), '.2f')} s")
    balances = s.get("balances") or {}
    if balances:
        top = sorted(balances.items(), key=lambda kv: -kv[1])[:8]
        lines.append("balances         " + ", ".join(f"{k} {v:.2f}" for k, v in top))
    if s.get("steps"):
        lines.append("steps            " + ", ".join(f"{k} {v}" for k, v in s["steps"].items()))
    for name, why in (s.get("missing") or {}).items():
        lines.append(f"left out         {name}: {why}")
    for name, how in (s.get("recovered") or {}).items():
        lines.append(f"recovered        {name}: {how}")
    for name, err in (s.get("failed") or {}).items():
        lines.append(f"FAILED           {name}: {err}")
    return "\n".join(lines) + "\n"


# -- reading the store ------------------------------------------------------------------------
def _connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def _tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return {n: [r[1] for r in conn.execute(f"PRAGMA table_info({n})")] for n in names}


def _find(tables: dict[str, list[str]], *columns: str, prefer: str = "") -> str | None:
    """The table that has all ``columns`` (one whose name contains ``prefer`` first)."""
    found = [t for t, cols in tables.items() if all(c in cols for c in columns)]
    found.sort(key=lambda t: (prefer not in t, t))
    return found[0] if found else None


# -- figures ---------------------------------------------------------------------------------
def _raster(conn, tables, ax) -> str | None:
    t = _find(tables, "time", "neuron_id", prefer="spike")
    if t is None:
        return "no spike table"
    where = " WHERE variable='spike'" if "variable" in tables[t] else ""
    last = conn.execute(f"SELECT MAX(time) FROM {t}{where}").fetchone()[0]
    if last is None:
        return "no spikes recorded"
    rows = conn.execute(f"SELECT time, neuron_id FROM {t}{where}"
                        f"{' AND' if where else ' WHERE'} time >= ? LIMIT 50000",
                        (last - 1.0,)).fetchall()
    ax.scatter([r[0] for r in rows], [r[1] for r in rows], s=0.5, c="k")
    ax.set(xlabel="time (s)", ylabel="neuron", title="spike raster (last simulated second)")
    return None


def _run_info(conn, tables, key: str) -> str | None:
    """The run's recorded ``key`` (run_info), or None when the store has none."""
    if "run_info" not in tables:
        return None
    row = conn.execute("SELECT value FROM run_info WHERE key=?", (key,)).fetchone()
    return row[0] if row else None


def _n_neurons(conn, tables) -> int | None:
    config = _run_info(conn, tables, "config")
    try:
        return int(tomllib.loads(config)["network"]["n_neurons"]) if config else None
    except (tomllib.TOMLDecodeError, KeyError, ValueError):
        return None


def _rates(conn, tables, ax) -> str | None:
    n = _n_neurons(conn, tables)
    if "neural_activity" in tables and n:  # every spike is logged: bin them
        rows = conn.execute(f"SELECT CAST(time / {RATE_BIN} AS INTEGER) AS b, COUNT(*) FROM"
                            " neural_activity WHERE variable='spike' GROUP BY b ORDER BY b"
                            ).fetchall()
        xs = [(b + 0.5) * RATE_BIN for b, _ in rows]
        ys = [c / (n * RATE_BIN) for _, c in rows]
    elif "system_progress" in tables:  # sampled once per progress interval
        rows = conn.execute("SELECT sim_time, mean_rate FROM system_progress WHERE sim_time IS"
                            " NOT NULL AND mean_rate IS NOT NULL ORDER BY wall").fetchall()
        xs, ys = [r[0] for r in rows], [r[1] for r in rows]
    else:
        xs = ys = []
    if not xs:
        return "no rate samples"
    # Thousands of 10 ms bins drawn as one line read as a solid band: draw the mean of each
    # block of bins, with the block's min and max as a shaded envelope.
    block = max(1, len(xs) // _RATE_BLOCKS)
    centers, means, lows, highs = _blocks(xs, ys, block)
    ax.fill_between(centers, lows, highs, alpha=0.3, lw=0, label="min / max")
    ax.plot(centers, means, lw=1.2, label="mean")
    span = f"{block * (xs[1] - xs[0]) * 1e3:.0f} ms" if len(xs) > 1 and block > 1 else "bin"
    ax.set(xlabel="simulated time (s)", ylabel="population rate (Hz)",
           title=f"population mean rate (mean and range per {span})")
    ax.legend(fontsize="small", loc="upper right")
    return None


def _blocks(xs: list[float], ys: list[float], size: int) -> tuple[list, list, list, list]:
    """Centres, means, minima and maxima of consecutive blocks of ``size`` points."""
    import numpy as np

    n = len(ys) // size * size  # the last partial block is left out
    x = np.asarray(xs[:n], dtype=float).reshape(-1, size)
    y = np.asarray(ys[:n], dtype=float).reshape(-1, size)
    return list(x.mean(1)), list(y.mean(1)), list(y.min(1)), list(y.max(1))


def _weights(conn, tables, ax) -> str | None:
    if "synapse_weights" not in tables:
        return "no weight table"
    import numpy as np

    stages = {stage: np.array([r[0] for r in conn.execute(
        "SELECT weight FROM synapse_weights WHERE stage=?", (stage,))]) * 1e9  # S -> nS
        for stage in ("before", "after")}
    stages = {k: v for k, v in stages.items() if v.size}
    if not stages:
        return "no weights recorded"
    edges = np.histogram_bin_edges(np.concatenate(list(stages.values())), bins=50)
    for stage, w in stages.items():
        ax.hist(w, bins=edges, alpha=0.6, label=f"{stage} ({w.size} plastic synapses)")
    ax.set(xlabel="weight (nS)", ylabel="synapses", title="plastic synaptic weights before / after")
    ax.legend()
    return None


def _entropy(conn, tables, ax) -> str | None:
    t = _find(tables, "epoch", "high_order_entropy", prefer="soup")
    if t is not None:
        rows = conn.execute(f"SELECT epoch, high_order_entropy FROM {t} ORDER BY epoch").fetchall()
    elif "system_progress" in tables:
        rows = conn.execute("SELECT soup_epoch, entropy FROM system_progress WHERE entropy IS NOT"
                            " NULL ORDER BY wall").fetchall()
    else:
        rows = []
    if not rows:
        return "no soup metrics"
    ax.plot([r[0] for r in rows], [r[1] for r in rows])
    ax.set(xlabel="epoch", ylabel="high-order entropy (bits/byte)", title="soup complexity")
    return None


def _rewards(conn, tables, ax) -> str | None:
    t = _find(tables, "agent_id", "reward", prefer="agent")
    if t is None:
        return "no agent interaction table"
    time_col = "time" if "time" in tables[t] else "rowid"
    rows = conn.execute(f"SELECT agent_id, {time_col}, reward FROM {t} ORDER BY {time_col}").fetchall()
    if not rows:
        return "no agent interactions"
    series: dict[str, tuple[list, list]] = {}
    for agent, when, reward in rows:
        xs, ys = series.setdefault(str(agent), ([], []))
        xs.append(when)
        ys.append((ys[-1] if ys else 0.0) + float(reward or 0.0))
    for agent, (xs, ys) in list(series.items())[:12]:
        ax.plot(xs, ys, label=agent)
    ax.set(xlabel=time_col, ylabel="cumulative reward", title="agent rewards")
    ax.legend(fontsize="small")
    return None


def _balances(conn, tables, ax) -> str | None:
    """Each account's balance replayed from the ledger journal (failed entries left out): one
    line per agent, the treasury dashed and apart from them."""
    if "ledger_journal" not in tables:
        return "no ledger journal"
    failed = {r[0] for r in conn.execute("SELECT entry_id FROM ledger_status WHERE status="
                                         "'failed'")} if "ledger_status" in tables else set()
    rows = conn.execute("SELECT time, entry_id, src, dst, amount_wei FROM ledger_journal"
                        " ORDER BY seq").fetchall()
    if not rows:
        return "no ledger entries"
    start = _run_start(conn, tables) or rows[0][0]
    balance: dict[str, float] = {}
    series: dict[str, tuple[list[float], list[float]]] = {}
    for when, entry, src, dst, wei in rows:
        if entry in failed:
            continue
        amount = int(wei) / 1e18
        for account, delta in ((src, -amount), (dst, amount)):
            if not account:  # the mint side of a reward
                continue
            balance[account] = balance.get(account, 0.0) + delta
            xs, ys = series.setdefault(account, ([], []))
            xs.append(when - start)
            ys.append(balance[account])
    end = max(xs[-1] for xs, _ in series.values())
    for account, (xs, ys) in sorted(series.items(), key=lambda kv: kv[0] == "treasury"):
        treasury = account == "treasury"
        ax.step(xs + [end], ys + [ys[-1]], where="post", label=account,
                ls="--" if treasury else "-", color="black" if treasury else None)
    ax.set(xlabel="wall time since the start (s)", ylabel="tokens",
           title="token balance per agent, and the treasury (dashed)")
    ax.legend(fontsize="small", ncol=2)
    return None


def _run_start(conn, tables) -> float | None:
    started = _run_info(conn, tables, "started")
    try:
        return float(started) if started else None
    except ValueError:
        return None


FIGURES: dict[str, Callable[..., str | None]] = {
    "raster": _raster, "rates": _rates, "weights": _weights, "entropy": _entropy,
    "rewards": _rewards, "balances": _balances,
}


def make_report(run_dir: str | Path, out_dir: str | Path | None = None) -> tuple[list[Path], str]:
    """Write ``<name>.png`` for every figure the run has data for, and ``report.txt``; returns
    the figure paths and the text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    db = run_dir / "run.db"
    if not db.is_file():
        raise FileNotFoundError(f"RUN_DIR {str(run_dir)!r} has no run.db")
    out = Path(out_dir) if out_dir is not None else run_dir / "report"
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    skipped: list[str] = []
    conn = _connect(db)
    try:
        tables = _tables(conn)
        for name, draw in FIGURES.items():
            fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
            try:
                why = draw(conn, tables, ax)
                if why is None:
                    fig.tight_layout()
                    fig.savefig(out / f"{name}.png")
                    written.append(out / f"{name}.png")
                else:
                    skipped.append(f"{name}: {why}")
            finally:
                plt.close(fig)
        text = _text(conn, tables, run_dir, written, skipped)
    finally:
        conn.close()
    (out / "report.txt").write_text(text, encoding="utf-8")
    return written, text


def _text(conn, tables, run_dir: Path, written: list[Path], skipped: list[str]) -> str:
    info = dict(conn.execute("SELECT key, value FROM run_info").fetchall()) \
        if "run_info" in tables else {}
    lines = [f"neurosys run {run_dir}"]
    for key in ("started", "stopped"):
        if info.get(key):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info[key])))
            lines.append(f"  {key:<12} {when}")
    for key in ("stop_reason", "workspace", "missing"):
        if info.get(key):
            lines.append(f"  {key:<12} {info[key]}")
    if "system_progress" in tables:
        last = conn.execute("SELECT wall, sim_time, mean_rate, soup_epoch, entropy, agents,"
                            " total_balance FROM system_progress ORDER BY wall DESC LIMIT 1"
                            ).fetchone()
        if last:
            names = ("wall s", "sim s", "rate Hz", "epoch", "entropy", "agents", "tokens")
            lines.append("  last sample  " + ", ".join(
                f"{n} {v:.4g}" if isinstance(v, float) else f"{n} {v}"
                for n, v in zip(names, last) if v is not None))
    lines.append("  tables")
    for t in sorted(tables):
        if t != "sqlite_sequence":
            lines.append(f"    {t:<28} {conn.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0]} rows")
    lines.append("  figures      " + (", ".join(p.name for p in written) or "none"))
    for s in skipped:
        lines.append(f"  no figure    {s}")
    return "\n".join(lines) + "\n"
