"""run_points on a real local Ray cluster: rows, resume from results.csv, failures, bad input."""

from __future__ import annotations

import pytest

from neurosys.sweep import SweepError, grid, point_id, read_results, run_points
from tests.sweep.points import count_calls, fail_on_three, square


def test_grid_is_the_product_in_order():
    assert grid(a=[1, 2], b="xy") == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"},
                                      {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]
    with pytest.raises(ValueError, match="axis 'b'"):
        grid(a=[1], b=[])


def test_rows_in_point_order_and_table_written(ray_cluster, tmp_path):
    points = grid(x=[3, 1, 2])
    rows = run_points(square, points, tmp_path, progress=False)
    assert [(r["x"], r["y"], r["tag"]) for r in rows] == [(3, 9, "x3"), (1, 1, "x1"), (2, 4, "x2")]
    assert [r["point_id"] for r in rows] == [point_id(p) for p in points]
    assert sorted(r["x"] for r in read_results(tmp_path)) == [1, 2, 3]


def test_resume_skips_finished_points(ray_cluster, tmp_path):
    run_points(count_calls, grid(x=[1, 2]), tmp_path, progress=False)
    rows = run_points(count_calls, grid(x=[1, 2, 3]), tmp_path, progress=False)
    assert [r["calls"] for r in rows] == [1, 1, 1]
    assert len(read_results(tmp_path)) == 3
    rows = run_points(count_calls, grid(x=[1]), tmp_path, resume=False, progress=False)
    assert rows[0]["calls"] == 2 and len(read_results(tmp_path)) == 1


def test_failed_points_are_reported_after_the_others(ray_cluster, tmp_path):
    with pytest.raises(SweepError, match="three") as info:
        run_points(fail_on_three, grid(x=[1, 2, 3, 4]), tmp_path, progress=False)
    assert list(info.value.failures) == [point_id({"x": 3})]
    assert sorted(r["x"] for r in read_results(tmp_path)) == [1, 2, 4]


@pytest.mark.parametrize("points, match", [
    ([{"x": [1]}], r"points\[0\]\['x'\]"),
    ([{}], r"points\[0\]"),
    ([{"point_id": 1}], "keys must be strings"),
])
def test_bad_points_name_the_argument(tmp_path, points, match):
    with pytest.raises(ValueError, match=match):
        run_points(square, points, tmp_path)


def test_bad_options_name_the_argument(tmp_path):
    with pytest.raises(ValueError, match="cpus_per_point"):
        run_points(square, [{"x": 1}], tmp_path, cpus_per_point=0)
    with pytest.raises(ValueError, match="num_cpus"):
        run_points(square, [{"x": 1}], tmp_path, num_cpus=0)
