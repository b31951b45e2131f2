"""Ray and redis-py load only when a Ray run, a sweep, islands or a Redis workspace is made."""

import subprocess
import sys


def test_importing_neurosys_does_not_import_ray_or_redis():
    code = ("import sys, neurosys, neurosys.workspace, neurosys.run.system, neurosys.soup, neurosys.sweep,"
            " neurosys.cli, neurosys.cluster.runner, neurosys.soup.islands, neurosys.cluster.islands, neurosys.workspace.redis;"
            " neurosys.cli.build_parser();"
            " print(sorted(m for m in ('ray', 'redis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
