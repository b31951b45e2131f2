"""The sweep API: run many independent points of an experiment as Ray tasks, one CSV row each.

    from neurosys.sweep import run_points, grid
    rows = run_points(my_point, grid(seed=range(8), rate=[1e-3, 1e-4]), "runs/my_sweep")

``fn(point) -> dict`` must be a top-level function (Ray pickles it) taking a dict of scalars and
returning a dict of scalars. Each finished point is appended at once to ``out_dir/results.csv``,
which is also the checkpoint: a rerun with ``resume=True`` skips the points already there, so an
interrupted sweep loses at most the points that were running. A long point may save its own
state under ``point_dir()`` (a folder per point, stable across reruns) and continue from it.

Ray is the only executor (a local cluster when no address is given): the same code runs on a
laptop and on a cluster, and there is no second, sequential path to keep in step. A point whose
worker process or node dies is run again elsewhere (up to ``NODE_RETRIES`` times; a point that
raises is not retried), resuming from what it saved under ``point_dir()``.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["run_points", "grid", "point_id", "point_dir", "read_results", "SweepError", "RESULTS"]

RESULTS = "results.csv"
NODE_RETRIES = 3  # runs of a point whose worker or node died (Ray's system failures only)
ID_COLUMN = "point_id"
Scalar = int | float | str | bool | None
_SCALARS = (int, float, str, bool, type(None))

# Set inside a running task (one task at a time per Ray worker process) for point_dir().
_current_dir: Path | None = None


class SweepError(RuntimeError):
    """Some points raised; the others are in results.csv. ``failures`` maps point_id -> error."""

    def __init__(self, failures: dict[str, str]) -> None:
        self.failures = failures
        first = next(iter(failures.items()))
        super().__init__(f"{len(failures)} sweep point(s) failed; first {first[0]}: {first[1]}")


def grid(**axes: Iterable[Scalar]) -> list[dict[str, Scalar]]:
    """The Cartesian product of the axes, in order: grid(a=[1, 2], b="xy") -> 4 points."""
    names = list(axes)
    values = [list(v) for v in axes.values()]
    for name, vals in zip(names, values):
        if not vals:
            raise ValueError(f"grid: axis {name!r} has no values")
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def point_id(point: Mapping[str, Scalar]) -> str:
    """A stable id of a point (its sorted JSON), the resume key and the name of its folder."""
    return hashlib.sha1(json.dumps(dict(point), sort_keys=True).encode()).hexdigest()[:12]


def point_dir() -> Path:
    """Inside ``fn``: this point's own folder under out_dir/points/, for its checkpoints."""
    if _current_dir is None:
        raise RuntimeError("point_dir() is only available inside a point run by run_points")
    _current_dir.mkdir(parents=True, exist_ok=True)
    return _current_dir


def _check_point(point: Any, i: int) -> dict[str, Scalar]:
    if not isinstance(point, Mapping) or not point:
        raise ValueError(f"points[{i}]: expected a non-empty dict of scalars, got {point!r}")
    for k, v in point.items():
        if not isinstance(k, str) or k == ID_COLUMN:
            raise ValueError(f"points[{i}]: keys must be strings other than {ID_COLUMN!r}, got {k!r}")
        if not isinstance(v, _SCALARS):
            raise ValueError(f"points[{i}][{k!r}]: expected int, float, str, bool or None, "
                             f"got {type(v).__name__}")
    return dict(point)


def _parse(text: str) -> Scalar:
    """CSV cells back to scalars: int, float, bool, None (empty) or the string itself."""
    if text == "":
        return None
    if text in ("True", "False"):
        return text == "True"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def read_results(out_dir: str | os.PathLike[str]) -> list[dict[str, Scalar]]:
    """The rows of out_dir/results.csv (with their point_id), values parsed back to scalars."""
    path = Path(out_dir) / RESULTS
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [{k: (v if k == ID_COLUMN else _parse(v)) for k, v in row.items()}
                for row in csv.DictReader(f)]


class _Table:
    """results.csv, appended row by row (flushed and fsynced: it is the checkpoint). A row with
    new columns rewrites the file once with the wider header."""

    def __init__(self, path: Path, rows: list[dict[str, Any]]) -> None:
        self.path = path
        self.rows = rows
        self.columns: list[str] = []
        for row in rows:
            self.columns += [k for k in row if k not in self.columns]

    def append(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        new = [k for k in row if k not in self.columns]
        if new or not self.path.exists():
            self.columns += new
            self._rewrite()
            return
        with open(self.path, "a", newline="") as f:
            csv.DictWriter(f, self.columns).writerow(row)
            f.flush()
            os.fsync(f.fileno())

    def _rewrite(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", newline="") as f:
            w = csv.DictWriter(f, self.columns)
            w.writeheader()
            w.writerows(self.rows)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


def _run_one(fn: Callable[[dict], dict], point: dict, pid: str, out_dir: str) -> dict:
    # Runs in a Ray worker: expose the point's folder to fn, then check what fn returned.
    global _current_dir
    _current_dir = Path(out_dir) / "points" / pid
    try:
        result = fn(dict(point))
    finally:
        _current_dir = None
    if not isinstance(result, Mapping):
        raise TypeError(f"fn must return a dict of scalars, got {type(result).__name__}")
    bad = {k: type(v).__name__ for k, v in result.items() if not isinstance(v, _SCALARS)}
    if bad:
        raise TypeError(f"fn returned non-scalar values: {bad}")
    return dict(result)


def _progress(total: int, done: int, enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn(), disable=not enabled)
    task = bar.add_task("sweep", total=total, completed=done)
    return bar, task


def run_points(fn: Callable[[dict], dict], points: Iterable[Mapping[str, Scalar]],
               out_dir: str | os.PathLike[str], *, address: str | None = None, resume: bool = True,
               num_cpus: int | None = None, cpus_per_point: float = 1,
               progress: bool = True) -> list[dict[str, Scalar]]:
    """Run ``fn(point)`` for every point as a Ray task; returns one row per point, in the order
    of ``points``: the point's values, then fn's results, then ``point_id``.

    Args:
        fn: top-level function ``fn(point: dict) -> dict`` of scalars.
        points: dicts of scalars (see ``grid``); duplicates run once.
        out_dir: folder of results.csv and of the points' own checkpoints (points/<point_id>/).
        address: Ray cluster address; None joins the running Ray session or starts a local one.
        resume: skip points already in results.csv; False starts a fresh table.
        num_cpus: CPUs of a local cluster started here (default: all).
        cpus_per_point: Ray CPUs each task reserves (set it to the threads fn uses).
        progress: show a progress bar on the terminal.
    Raises SweepError after all other points have finished when some points raised.
    """
    if not callable(fn):
        raise TypeError("fn: expected a callable fn(point: dict) -> dict")
    checked = [_check_point(p, i) for i, p in enumerate(points)]
    if not (isinstance(cpus_per_point, (int, float)) and cpus_per_point > 0):
        raise ValueError(f"cpus_per_point: expected a number > 0, got {cpus_per_point!r}")
    if num_cpus is not None and (isinstance(num_cpus, bool) or not isinstance(num_cpus, int) or num_cpus < 1):
        raise ValueError(f"num_cpus: expected an integer >= 1 or None, got {num_cpus!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not resume and (out / RESULTS).exists():
        (out / RESULTS).unlink()
    table = _Table(out / RESULTS, read_results(out))
    done = {row[ID_COLUMN] for row in table.rows}
    ids = [point_id(p) for p in checked]
    todo = {pid: p for pid, p in zip(ids, checked) if pid not in done}

    failures: dict[str, str] = {}
    if todo:
        from neurosys.cluster.session import ray_session

        with ray_session(address=address, num_cpus=num_cpus) as ray:
            task = ray.remote(num_cpus=cpus_per_point, max_retries=NODE_RETRIES,
                              retry_exceptions=False)(_run_one)
            fn_ref = ray.put(fn)
            pending = {task.remote(fn_ref, p, pid, str(out)): pid for pid, p in todo.items()}
            bar, bar_task = _progress(len(set(ids)), len(set(ids)) - len(todo), progress)
            with bar:
                while pending:
                    ready, _ = ray.wait(list(pending), num_returns=1)
                    pid = pending.pop(ready[0])
                    try:
                        result = ray.get(ready[0])
                    except Exception as exc:  # noqa: BLE001 - reported after the other points
                        failures[pid] = f"{type(exc).__name__}: {exc}"
                    else:
                        table.append({**todo[pid], **result, ID_COLUMN: pid})
                    bar.advance(bar_task)
    if failures:
        raise SweepError(failures)
    by_id = {row[ID_COLUMN]: row for row in table.rows}
    return [by_id[pid] for pid in dict.fromkeys(ids)]

