"""Node loss on a simulated multi-node Ray cluster (``ray.cluster_utils.Cluster``: several
raylets on this machine), #23 point 4: a sweep whose worker node dies resumes its points on the
nodes that are left. Each scenario runs in its own process, which owns its cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SWEEP_LOSES_A_NODE = textwrap.dedent('''
    import json, os, sys, threading, time
    from pathlib import Path

    import ray
    from ray.cluster_utils import Cluster

    from neurosys.sweep.api import point_dir, read_results, run_points

    out = Path(sys.argv[1])
    markers = out / "started"
    markers.mkdir(parents=True)

    def point(p):
        node = ray.get_runtime_context().get_node_id()
        (markers / f"{p['seed']}-{node}").touch()
        time.sleep(4.0)  # long enough for the node to go while it runs
        (point_dir() / "done").touch()
        return {"node": node}

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    worker = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address)
    head_id = ray.get_runtime_context().get_node_id()
    result = {}

    def sweep():
        result["rows"] = run_points(point, [{"seed": 1}, {"seed": 2}], out, progress=False)

    runner = threading.Thread(target=sweep)
    runner.start()
    deadline = time.monotonic() + 120
    while len(list(markers.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # both points run, one on each node
    started = sorted(m.name for m in markers.iterdir())
    cluster.remove_node(worker)  # its raylet and workers die mid-point
    runner.join(300)
    rows = result.get("rows", [])
    print(json.dumps({"head": head_id, "worker": worker.node_id, "started": started,
                      "rows": rows, "runs": sorted(m.name for m in markers.iterdir())}))
    ray.shutdown()
    cluster.shutdown()
''')


def test_a_sweep_whose_node_dies_resumes_its_points_elsewhere(tmp_path: Path) -> None:
    script = tmp_path / "scenario.py"
    script.write_text(SWEEP_LOSES_A_NODE)
    env = {**os.environ, "RAY_DISABLE_IMPORT_WARNING": "1"}
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=540, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    started_on = {name.split("-", 1)[1] for name in report["started"]}
    assert started_on == {report["head"], report["worker"]}, report  # one point on each node
    rows = {row["seed"]: row for row in report["rows"]}
    assert set(rows) == {1, 2}, report                               # no point lost
    lost = next(n.split("-")[0] for n in report["started"] if n.endswith(report["worker"]))
    assert rows[int(lost)]["node"] == report["head"], report         # rerun on the node left
    assert len(report["runs"]) == 3, report                          # two starts, one rerun
