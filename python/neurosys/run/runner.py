"""One component on its own thread: call its step method in a loop until stopped.

The native engines release the GIL inside ``step``, so threads give real parallelism. Each
runner holds ``lock`` while stepping; the system takes the same lock for control calls (inject a
program, set a mutation rate), so a control call never lands in the middle of a step.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

__all__ = ["ComponentRunner"]

log = logging.getLogger("neurosys.system")
_YIELD_POLL = 0.005  # seconds between two looks at yield_to while yielding


class ComponentRunner:
    """Args:
        name: the component's name (``"network"``).
        step: called once per iteration.
        interval: least seconds between the starts of two steps (0: back to back).
        running: set while the system is not paused.
        stopping: set when the system stops.
        yield_to: while set, the runner waits between steps (an engine gives its cores to
            the LLM while a decision is pending).
    """

    def __init__(self, name: str, step: Callable[[], object], interval: float,
                 running: threading.Event, stopping: threading.Event,
                 yield_to: threading.Event | None = None) -> None:
        self.name = name
        self.lock = threading.Lock()
        self.steps = 0
        self.busy_seconds = 0.0  # wall time spent inside step()
        self.error: BaseException | None = None
        self._step = step
        self._interval = float(interval)
        self._running = running
        self._stopping = stopping
        self._yield_to = yield_to
        self.yielded_seconds = 0.0  # wall time spent waiting for yield_to to clear
        self._thread = threading.Thread(target=self._loop, name=f"neurosys-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; returns whether it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            if not self._running.is_set():
                self._running.wait(0.1)
                continue
            if self._yield_to is not None and self._yield_to.is_set():
                paused = time.perf_counter()
                self._stopping.wait(_YIELD_POLL)
                self.yielded_seconds += time.perf_counter() - paused
                continue
            started = time.perf_counter()
            try:
                with self.lock:
                    if self._stopping.is_set():
                        break
                    self._step()
            except Exception as exc:  # a component failure stops that component, not the system
                self.error = exc
                log.exception("component %s failed and was stopped", self.name)
                return
            finished = time.perf_counter()
            self.busy_seconds += finished - started
            self.steps += 1
            if self._interval > 0:
                self._stopping.wait(max(0.0, self._interval - (finished - started)))
