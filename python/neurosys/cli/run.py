"""``neurosys run``: the main job. Runs the whole system for a duration on the embedded defaults
(no server, no download), printing a progress line, then a summary."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import tomllib
from typing import Any


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="run the whole system (network, soup, LLM, agents, ledger)",
        description="Run the whole system in a new run directory (config.toml, run.db, "
        "neurosys.log, summary.txt). Ctrl-C or SIGTERM stops it cleanly; a second one "
        "forces the exit (130 or 143, no summary).")
    p.add_argument("--config", metavar="FILE", help="TOML configuration (see `neurosys config`)")
    p.add_argument("--duration", type=float, metavar="S",
                   help="wall seconds to run (overrides system.duration; 0: until stopped)")
    p.add_argument("--tui", action="store_true", help="show the terminal monitor while running")
    p.add_argument("--run-dir", metavar="DIR", help="use DIR as the run directory")
    p.add_argument("--workspace", metavar="NAME", help="workspace name (system.workspace_name)")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override one configuration key (TOML value), e.g. --set network.n_neurons=500")
    p.add_argument("--quiet", action="store_true", help="no progress line, no console log")
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run each component in a Ray actor on a Redis workspace (docs/scaling.md);"
                   " ADDRESS: a Ray cluster (default: cluster.address, else a local cluster)")
    p.set_defaults(func=run)


def parse_overrides(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep:
            raise ValueError(f"--set needs SECTION.KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = text  # a bare word is a string
    return out


class _SignalStop:
    """SIGINT/SIGTERM: the first asks for a clean stop; a second one of either forces the exit.

    The handler only assigns a flag (``System.signal_stop``) and writes to stderr: setting a
    threading.Event from a handler can deadlock on the lock the interrupted main thread holds.
    A second signal means the clean stop is not wanted or is stuck, so it exits at once with
    128 + the signal number (130 for SIGINT, 143 for SIGTERM), after removing the workspace
    name so that no segment is left in /dev/shm; the run store stays sound (SQLite journal).
    """

    def __init__(self, system: Any) -> None:
        self.system = system
        self.count = 0
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _SignalStop:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.count += 1
        name = signal.Signals(signum).name
        if self.count > 1:
            what = "interrupt" if signum == signal.SIGINT else name
            os.write(2, f"\nneurosys run: second {what}, exiting without cleanup\n".encode())
            self._unlink_segment()
            os._exit(128 + signum)
        os.write(2, f"\nneurosys run: {name}, stopping cleanly (a second signal forces "
                    "the exit)\n".encode())
        self.system.signal_stop(name)

    def _unlink_segment(self) -> None:
        try:
            from neurosys._core import workspace as native

            native.unlink_name(self.system.workspace_name)
        except Exception:  # forced exit: best effort
            pass

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from neurosys.config import load_config
    from neurosys.run.report import format_summary, progress_line
    from neurosys.run.system import System

    overrides = parse_overrides(args.set)
    if args.duration is not None:
        overrides["system.duration"] = args.duration
    if args.workspace is not None:
        overrides["system.workspace_name"] = args.workspace
    cfg = load_config(args.config).override(overrides)
    console = Console(highlight=False, soft_wrap=True)
    if args.ray is not None:
        from neurosys.cluster.runner import RaySystem

        system = RaySystem(cfg, address=args.ray or None, run_dir=args.run_dir,
                           console_log=not args.quiet and not args.tui)
    else:
        system = System(cfg, run_dir=args.run_dir, console_log=not args.quiet and not args.tui)
    with _SignalStop(system):
        try:
            system.start()
            if not args.quiet:
                backend = system.workspace.backend
                console.print(f"run directory {system.run_dir}  workspace {system.workspace_name!r}"
                              f"  (attach: neurosys tui --attach {system.workspace_name}"
                              + (f" --backend {backend})" if backend != "shm" else ")"))
            if args.tui:
                _run_with_monitor(system, cfg)
            else:
                show = None if args.quiet else (lambda s: console.print(progress_line(s)))
                system.run(cfg.system.duration, progress=show)
        finally:
            summary = system.stop("completed")
    console.print(format_summary(summary), end="")
    code = 1 if summary.get("failed") else 0
    if any(model.pending for model in system.components.llm_models()):
        # Everything is saved; only a llama.cpp call is still running in a daemon thread.
        # Finalizing the interpreter under it waited 30 s (it frees the model the call uses),
        # so leave at once.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _run_with_monitor(system: Any, cfg: Any) -> None:
    """The monitor in the foreground; the run's clock in a thread that closes it at the end."""
    from neurosys.tui.app import NeurosysApp

    app = NeurosysApp(system.workspace, refresh_hz=cfg.tui.refresh_hz)

    def clock() -> None:
        system.run(cfg.system.duration)
        system.request_stop("completed")  # keeps an earlier reason (a signal, a stop command)
        if app.is_running:
            app.call_from_thread(app.exit)

    threading.Thread(target=clock, name="neurosys-clock", daemon=True).start()
    app.run()
    system.request_stop("monitor closed")
    if sys.stdout.isatty():
        print()
