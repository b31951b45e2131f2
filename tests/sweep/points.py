"""Point functions for the sweep tests: top-level, so Ray workers import them by name."""

from __future__ import annotations

from neurosys.sweep import point_dir


def square(point: dict) -> dict:
    return {"y": point["x"] ** 2, "tag": f"x{point['x']}"}


def fail_on_three(point: dict) -> dict:
    if point["x"] == 3:
        raise ValueError("three")
    return {"y": point["x"]}


def count_calls(point: dict) -> dict:
    # Counts how often this point ran, in its own folder: resume must not rerun it.
    marker = point_dir() / "calls"
    n = int(marker.read_text()) + 1 if marker.exists() else 1
    marker.write_text(str(n))
    return {"calls": n}
