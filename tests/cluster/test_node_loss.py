"""Node loss on a simulated multi-node Ray cluster (``ray.cluster_utils.Cluster``: several
raylets on this machine), #23 point 4: a sweep whose worker node dies resumes its points on the
nodes that are left, and a run whose soup island's node dies goes on. Each scenario runs in its
own process, which owns its cluster, and puts back the machine's record of the current Ray cluster
(/tmp/ray/ray_current_cluster, which starting a cluster overwrites) when it ends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Both scenarios start with this and end by calling restore_address().
PROLOGUE = '''
import atexit
from pathlib import Path

from ray._private.utils import get_ray_address_file

_address_file = Path(get_ray_address_file(None))
_saved = _address_file.read_text() if _address_file.exists() else None


@atexit.register
def restore_address():
    if _saved is None:
        _address_file.unlink(missing_ok=True)
    else:
        _address_file.write_text(_saved)
'''

SWEEP_LOSES_A_NODE = PROLOGUE + textwrap.dedent('''
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


RUN_LOSES_AN_ISLAND_NODE = PROLOGUE + textwrap.dedent('''
    import json, subprocess, sys, time
    from pathlib import Path

    import ray
    from ray.cluster_utils import Cluster
    from ray._private import state  # the GCS actor table (the state API needs the dashboard)

    tmp = Path(sys.argv[1])
    # the head runs no actor; one CPU per worker node: one island per node, and one spare
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    nodes = [cluster.add_node(num_cpus=1) for _ in range(4)]
    cluster.wait_for_nodes()
    ray.init(address=cluster.address)
    config = tmp / "config.toml"
    config.write_text("""
    [system]
    progress_interval = 0
    [network]
    enabled = false
    [llm]
    enabled = false
    [agents]
    enabled = false
    [ledger]
    enabled = false
    [soup]
    size = 256
    epochs_per_step = 2
    metrics_every = 8
    [cluster]
    soup_islands = 3
    migration_every = 8
    migration_fraction = 0.25
    """)
    run_dir = tmp / "run"
    proc = subprocess.Popen([sys.executable, "-m", "neurosys", "run", "--ray", cluster.address, "--config",
                             str(config), "--duration", "25", "--run-dir", str(run_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def island_node(name):
        for a in state.actors().values():
            if a.get("State") == "ALIVE" and (a.get("Name") or "").endswith("/" + name):
                return a["Address"]["NodeID"]
        return None

    deadline = time.monotonic() + 240
    while island_node("soup-1") is None and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
    time.sleep(6.0)  # it runs and migrates a while first
    doomed = island_node("soup-1")
    node = next((n for n in nodes if n.node_id == doomed), None)
    if node is None:  # the run never placed the island: report why
        proc.kill()
        print(json.dumps({"rc": proc.returncode, "err": proc.communicate()[1][-4000:], "doomed": None,
                          "summary": ""}))
        sys.exit(0)
    cluster.remove_node(node)
    out, err = proc.communicate(timeout=400)
    print(json.dumps({"rc": proc.returncode, "err": err[-4000:], "doomed": doomed,
                      "summary": (run_dir / "summary.txt").read_text() if (run_dir / "summary.txt").exists() else ""}))
    ray.shutdown()
    cluster.shutdown()
''')


def test_a_run_whose_island_node_dies_goes_on(tmp_path: Path) -> None:
    """``neurosys run --ray``: the node holding soup island 1 dies mid-run; the island starts
    again elsewhere, reseeded from its neighbour's programs, the run ends normally, and the
    summary says what was lost and recovered."""
    script = tmp_path / "scenario.py"
    script.write_text(RUN_LOSES_AN_ISLAND_NODE)
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True,
                          timeout=580)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    summary = report["summary"]
    assert report["doomed"] is not None and report["rc"] == 0, report["err"]
    assert "stopped by       completed" in summary and "FAILED" not in summary, summary
    assert "recovered        soup-1: lost" in summary and "reseeded from soup's programs" in summary, summary
    assert "soup-1" in summary.split("steps", 1)[1].splitlines()[0], summary  # it ran again
