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

Ready sweep files live in examples/sweeps/ (shipped in the wheel as neurosys/examples/sweeps);
``example_sweeps()`` finds them and ``resolve_sweep("soup_transition")`` names one by its stem.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from neurosys.config import read_toml
from neurosys.sweep.api import grid
from neurosys.sweep.experiments import EXPERIMENTS

_KEYS = ("experiment", "out_dir", "cpus_per_point", "fixed", "grid", "points")


@dataclass
class SweepSpec:
    experiment: str
    out_dir: Path
    cpus_per_point: float
    points: list[dict[str, Any]]


def load_sweep(path: str | Path) -> SweepSpec:
    """Reads and checks a sweep file; ValueError names what is wrong."""
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
