"""The committed stubs python/neurosys/_core.pyi match the built module (they are generated)."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import neurosys

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "python" / "neurosys" / "_core.pyi"
GENERATOR = ROOT / "tools" / "gen_stubs.py"


def test_committed_stubs_match_the_built_module(tmp_path):
    out = tmp_path / "_core.pyi"
    # The generator imports neurosys._core as this test session does (same interpreter, same path).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(Path(neurosys.__file__).parents[1]), os.environ.get("PYTHONPATH")]))}
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True, env=env,
                   capture_output=True, text=True)
    generated, committed = out.read_text(), COMMITTED.read_text()
    diff = "".join(difflib.unified_diff(committed.splitlines(keepends=True),
                                        generated.splitlines(keepends=True),
                                        "python/neurosys/_core.pyi (committed)", "generated"))
    assert not diff, ("the bindings changed but the stubs did not; regenerate them with\n"
                      "  PYTHONPATH=build/dev-NAME/site python tools/gen_stubs.py\n" + diff)
