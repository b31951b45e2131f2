"""Experiment sweeps on Ray: ``run_points`` runs one function over many points as Ray tasks and
keeps one resumable table (see api.py); ``neurosys sweep CONFIG`` drives it from a TOML file."""

from neurosys.sweep.api import RESULTS, SweepError, grid, point_dir, point_id, read_results, run_points

__all__ = ["run_points", "grid", "point_id", "point_dir", "read_results", "SweepError", "RESULTS"]
