"""The global workspace alone: one process writes a named shared-memory workspace, a second
process attaches to it by name and wakes on each new version of a key, as the TUI does with a
running system.

    python examples/workspace_attach.py
"""

import multiprocessing as mp
import time

import numpy as np

import neurosys

NAME = "example-attach"


def reader(updates: int) -> None:
    ws = neurosys.Workspace.attach(NAME)  # another process, the same table
    version = ws.read_meta("rates").version
    for _ in range(updates):
        rates = ws.wait_for("rates", after_version=version, timeout=10)  # a futex wake-up
        version = ws.read_meta("rates").version
        print(f"reader: version {version}, mean rate {rates.mean():.1f} Hz", flush=True)
    ws.close()


if __name__ == "__main__":
    with neurosys.Workspace(NAME, unlink_on_close=True) as ws:
        ws.write("rates", np.zeros(1000))
        child = mp.get_context("spawn").Process(target=reader, args=(3,))
        child.start()
        time.sleep(2.0)  # the reader starts and attaches
        for step in range(1, 4):
            ws.write("rates", np.full(1000, 5.0 * step))  # a numpy array, never pickled
            time.sleep(0.2)
        child.join(30)
        print(f"writer: keys {ws.keys()}, reader exit code {child.exitcode}")
