"""One way to get a Ray session: join the one already running in this process, or start (or
connect to) one and shut it down afterwards. Ray is imported here, lazily, and nowhere earlier."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

# A local cluster on a shared workstation: a small object store (the components exchange
# kilobytes, never soups) instead of Ray's default 30 % of RAM.
LOCAL_OBJECT_STORE_BYTES = 512 * 2**20


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:  # the optional extra
        raise RuntimeError("Ray is not installed: pip install 'neurosys[cluster]'") from exc
    return ray


@contextlib.contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None) -> Iterator[Any]:
    """Yields the ``ray`` module with a live session. ``address`` None starts a local cluster
    (``num_cpus`` CPUs, no dashboard); a session this process already has is reused as is and
    left running. Workers of a local cluster inherit this process's environment (PYTHONPATH)."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    kwargs: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.WARNING}
    if address is None:
        kwargs.update(num_cpus=num_cpus, object_store_memory=LOCAL_OBJECT_STORE_BYTES)
    ray.init(address=address, **kwargs)
    try:
        yield ray
    finally:
        ray.shutdown()
