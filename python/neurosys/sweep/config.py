"""A sweep file (TOML) for ``neurosys sweep``::

    experiment = "soup_transition"      # or "snn" (neurosys/sweep/experiments.py)
    out_dir = "runs/sweeps/transition"  # default: runs/sweeps/<experiment>
    cpus_per_point = 1                  # Ray CPUs per point (the engine threads it uses)

    [fixed]                             # the same for every point
    size = 131072
    max_epochs = 16000

    [grid]                              # every combination; a list of seeds is a grid of one axis
    seed = [0, 1, 2, 3]

``[[points]]`` tables may replace (or add to) ``[grid]``: each is one point, completed by [fixed].

Every point is checked here, before Ray starts: its keys against the experiment's, and each value
of a key named after an engine parameter (size, program_length, mutation_rate, threads,
n_neurons, ...) against the engine's rule, so ``size = [-5]`` is reported as ``grid.size[0]``
by a ParameterError, not by a failed Ray task after the cluster started.

Ready sweep files live in examples/sweeps/ (shipped in the wheel as neurosys/examples/sweeps);
``example_sweeps()`` finds them and ``resolve_sweep("soup_transition")`` names one by its stem.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from neurosys.arguments import seed as seed_value
from neurosys.config import read_toml
from neurosys.errors import ParameterError
from neurosys.limits import check_range, engine_limit, engine_parameters
from neurosys.sweep.api import grid
from neurosys.sweep.experiments import EXPERIMENTS, SNN_DEFAULTS, SOUP_DEFAULTS

_KEYS = ("experiment", "out_dir", "cpus_per_point", "fixed", "grid", "points")


@dataclass
class SweepSpec:
    experiment: str
    out_dir: Path
    cpus_per_point: float
    points: list[dict[str, Any]]


def _accepted_keys(experiment: str) -> tuple[str, dict[str, Any]]:
    """The engine an experiment's points feed, and its point keys with their defaults."""
    if experiment == "abiogenesis":
        from dataclasses import fields

        from neurosys.experiments.abiogenesis import Point

        zero = {"int": 0, "float": 0.0, "str": "", "bool": False}  # a value of each field's type
        return "soup", {f.name: zero[str(f.type)] for f in fields(Point)}
    return {"soup_transition": ("soup", SOUP_DEFAULTS), "snn": ("snn", SNN_DEFAULTS)}[experiment]


def _type_name(default: Any) -> str:
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}[type(default)]


def _check_value(label: str, key: str, value: Any, default: Any, engine: str) -> None:
    """The value's type against the key's default, then the engine's rule where the key is an
    engine parameter's name (a seed: the engines' seed rule)."""
    kind = type(default)
    fits = (isinstance(value, bool) if kind is bool else
            not isinstance(value, bool) and isinstance(value, int) if kind is int else
            not isinstance(value, bool) and isinstance(value, (int, float)) if kind is float else
            isinstance(value, str))
    if not fits:
        raise ParameterError(f"{label} must be {_type_name(default)}, got {value!r}")
    if key == "seed":
        try:
            seed_value(value)
        except ParameterError:
            raise ParameterError(f"{label} must be in [0, 2^64), got {value!r}") from None
    elif key in engine_parameters(engine):
        check_range(label, value, engine_limit(engine, key))


def check_points(experiment: str, fixed: dict[str, Any], axes: dict[str, list[Any]],
                 listed: list[Any]) -> None:
    """Checks a sweep's values where the user wrote them (fixed.KEY, grid.KEY[i], points[i].KEY)."""
    engine, accepted = _accepted_keys(experiment)
    tables = [("fixed", fixed), *((f"points[{i}]", p) for i, p in enumerate(listed))]
    for where, table in tables:
        if not isinstance(table, dict):
            raise ParameterError(f"{where}: expected a table of point keys, got {table!r}")
    for key in [*fixed, *axes, *(k for _, t in tables for k in t)]:
        if key not in accepted:
            raise ParameterError(f"sweep file: {experiment} points do not accept {key!r}; "
                                 f"accepted: {', '.join(sorted(accepted))}")
    for where, table in tables:
        for key, value in table.items():
            _check_value(f"{where}.{key}", key, value, accepted[key], engine)
    for key, values in axes.items():
        for i, value in enumerate(values):
            _check_value(f"grid.{key}[{i}]", key, value, accepted[key], engine)


def load_sweep(path: str | Path) -> SweepSpec:
    """Reads and checks a sweep file and its points; ParameterError names what is wrong."""
    data = read_toml(path, "sweep file")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ValueError(f"sweep file: unknown keys {unknown}; accepted: {', '.join(_KEYS)}")
    experiment = data.get("experiment")
    if experiment not in EXPERIMENTS:
        raise ValueError(f"experiment: expected one of {', '.join(EXPERIMENTS)}, got {experiment!r}")
    fixed = data.get("fixed", {})
    axes = data.get("grid", {})
    listed = data.get("points", [])
    if not isinstance(fixed, dict) or not isinstance(axes, dict) or not isinstance(listed, list):
        raise ValueError("fixed and grid must be tables, points an array of tables")
    for name, values in axes.items():
        if not isinstance(values, list):
            raise ValueError(f"grid.{name}: expected a list of values, got {values!r}")
    check_points(experiment, fixed, axes, listed)
    points = [{**fixed, **p} for p in (grid(**axes) if axes else [])]
    points += [{**fixed, **p} for p in listed if isinstance(p, dict)]
    if not points:
        raise ValueError("sweep file: no points (give [grid] axes or [[points]] tables)")
    cpus = data.get("cpus_per_point", 1)
    if isinstance(cpus, bool) or not isinstance(cpus, (int, float)) or cpus <= 0:
        raise ValueError(f"cpus_per_point: expected a number > 0, got {cpus!r}")
    out_dir = Path(data.get("out_dir", f"runs/sweeps/{experiment}"))
    return SweepSpec(experiment, out_dir, float(cpus), points)


def _example_dirs() -> list[Path]:
    """examples/sweeps in the installed package, then in the source checkout it came from."""
    dirs = [Path(str(resources.files("neurosys"))) / "examples" / "sweeps"]
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file():
        dirs.append(checkout / "examples" / "sweeps")
    return [d for d in dirs if d.is_dir()]


def example_sweeps() -> dict[str, tuple[Path, str]]:
    """The ready sweep files: name (the file's stem) -> (path, its first comment line)."""
    found: dict[str, tuple[Path, str]] = {}
    for folder in _example_dirs():
        for path in sorted(folder.glob("*.toml")):
            lines = path.read_text(encoding="utf-8").splitlines()
            first = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("#")), "")
            found.setdefault(path.stem, (path, first))
    return found


def resolve_sweep(config: str) -> Path:
    """A sweep file's path: ``config`` itself when it exists, else the example of that name."""
    path = Path(config)
    if path.exists():
        return path
    examples = example_sweeps()
    if config in examples:
        return examples[config][0]
    raise FileNotFoundError(f"CONFIG: no sweep file {config!r}, and no example of that name "
                            f"(examples: {', '.join(examples) or 'none installed'})")
