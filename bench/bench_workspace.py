"""Global workspace benchmark: neurosys.Workspace against the seed's dict-and-lock class,
multiprocessing.Manager().dict() and Redis (redis-py), all measured in the same run.

    PYTHONPATH=build/dev-workspace/site python bench/bench_workspace.py [--repeat 3] [--quick]

Each figure is the median of --repeat runs. The seed class is reproduced below: a dict with a
threading.Lock, versions and timestamps, one threading.Thread started per subscriber call, and a
logging f-string evaluated on every read and write (logger at its default WARNING level, so the
string is built and the record discarded). "seed, no log" is the same class without those calls.
The last two rows (the read below Python, and the raw-CPython read against a pybind11 method) use
the benchmark-only extension _workspace_bench, which the bench builds in the CMake build tree
beside neurosys._core (tools/devbuild.sh makes one); without a build tree they are skipped.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import threading
import time
import types
from collections import defaultdict
from pathlib import Path

import numpy as np

import neurosys._core
from neurosys.cluster.redis_server import free_port
from neurosys.workspace import Workspace

ARRAY = np.random.default_rng(0).random(1000)


class SeedGlobalWorkspace:
    """The seed's GlobalWorkspace, reproduced as the peer."""

    def __init__(self, log: bool = True) -> None:
        self.data: dict = {}
        self.versions: dict = {}
        self.timestamps: dict = {}
        self.expirations: dict = {}
        self.subscribers: dict = defaultdict(list)
        self.lock = threading.Lock()
        self.log = log
        self.logger = logging.getLogger("seed.GlobalWorkspace")

    def write(self, key, value, expiration=None):
        with self.lock:
            self.data[key] = value
            self.versions[key] = self.versions.get(key, 0) + 1
            self.timestamps[key] = time.time()
            if expiration is not None:
                self.expirations[key] = time.time() + expiration
            if self.log:
                self.logger.debug(f"Updated {key} to {value} (version {self.versions[key]})")
            callbacks = list(self.subscribers.get(key, []))
            version = self.versions[key]
        for cb in callbacks:
            threading.Thread(target=cb, args=(key, value)).start()
        return version

    def read(self, key, default=None):
        with self.lock:
            exp = self.expirations.get(key)
            if exp is not None and time.time() > exp:
                return default
            value = self.data.get(key, default)
            if self.log:
                self.logger.debug(f"Read {key}: {value}")
            return value

    def subscribe(self, key, callback):
        with self.lock:
            self.subscribers[key].append(callback)


CLOCK = time.perf_counter  # --clock cpu switches single-thread loops to thread CPU time


def rate(fn, seconds: float) -> float:
    """Calls fn(n) with growing n until it runs `seconds`; returns calls per second."""
    n = 1000
    while True:
        t0 = CLOCK()
        fn(n)
        dt = CLOCK() - t0
        if dt >= seconds:
            return n / dt
        n = int(n * min(10.0, max(2.0, 1.2 * seconds / max(dt, 1e-6))))


def loop_rates(read, write, seconds):
    def w_float(n):
        for _ in range(n):
            write("f", 1.5)

    def r_float(n):
        for _ in range(n):
            read("f")

    def w_arr(n):
        for _ in range(n):
            write("a", ARRAY)

    def r_arr(n):
        for _ in range(n):
            read("a")

    write("f", 1.5)
    write("a", ARRAY)
    return {"write float": rate(w_float, seconds), "read float": rate(r_float, seconds),
            "write 1000 f64": rate(w_arr, seconds), "read 1000 f64": rate(r_arr, seconds)}


# --- peers --------------------------------------------------------------------------------------
class RedisPeer:
    def __init__(self):
        import redis

        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        self.client = redis.Redis(host="127.0.0.1", port=self.port)
        for _ in range(200):
            try:
                self.client.ping()
                break
            except Exception:
                time.sleep(0.02)

    def write(self, key, value):
        self.client.set(key, value.tobytes() if isinstance(value, np.ndarray) else repr(value))

    def read(self, key):
        raw = self.client.get(key)
        return np.frombuffer(raw).copy() if key == "a" else float(raw)

    def close(self):
        self.proc.terminate()
        self.proc.wait()


# --- 2 readers + 1 writer, in processes -------------------------------------------------------
def _reader_proc(kind, ref, seconds, out):
    read = _open_peer(kind, ref)
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _ in range(200):
            read("f")
        n += 200
    out.put(n / seconds)


def _writer_proc(kind, ref, seconds):
    if kind == "neurosys":
        ws = Workspace.attach(ref)
        write = ws.write
    elif kind == "redis":
        import redis

        c = redis.Redis(host="127.0.0.1", port=ref)
        write = lambda k, v: c.set(k, repr(v))  # noqa: E731
    else:
        write = ref.__setitem__
    end, i = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        i += 1
        write("f", float(i))


def _open_peer(kind, ref):
    if kind == "neurosys":
        return Workspace.attach(ref).read
    if kind == "redis":
        import redis

        c = redis.Redis(host="127.0.0.1", port=ref)
        return lambda k: float(c.get(k))
    return ref.__getitem__


def contended_reads(kind, ref, seconds) -> float:
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_reader_proc, args=(kind, ref, seconds, out)) for _ in range(2)]
    procs.append(ctx.Process(target=_writer_proc, args=(kind, ref, seconds)))
    for p in procs:
        p.start()
    total = out.get() + out.get()
    for p in procs:
        p.join()
    return total


def seed_contended_reads(seed, seconds) -> float:
    counts = [0, 0]
    stop = threading.Event()

    def reader(i):
        while not stop.is_set():
            for _ in range(200):
                seed.read("f")
            counts[i] += 200

    def writer():
        i = 0
        while not stop.is_set():
            i += 1
            seed.write("f", float(i))

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(2)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / seconds


# --- writes with one subscriber ---------------------------------------------------------------
def subscribed_writes(ws_like, n: int) -> float:
    done = threading.Event()
    last = n

    def cb(key, value):
        if value == last:
            done.set()

    ws_like.subscribe("sub", cb)
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        ws_like.write("sub", i)
    done.wait(120)  # until the last value reached the subscriber
    elapsed = time.perf_counter() - t0
    if isinstance(ws_like, Workspace):
        ws_like.close()
    return n / elapsed


# --- cross-process wake-up latency ------------------------------------------------------------
def _pong_neurosys(name, n):
    ws = Workspace.attach(name)
    lat = np.empty(n, dtype=np.int64)
    for i in range(n):
        sent = ws.wait_for("ping", after_version=i)
        lat[i] = time.perf_counter_ns() - sent
        ws.write("pong", i)
    ws.write("lat", lat)


def wakeup_neurosys(n: int, idle: float):
    ws = Workspace(capacity=16)
    ctx = mp.get_context("fork")
    p = ctx.Process(target=_pong_neurosys, args=(ws.name, n))
    p.start()
    time.sleep(0.3)
    for i in range(n):
        ws.write("ping", time.perf_counter_ns())
        ws.wait_for("pong", after_version=i)
        if idle:
            time.sleep(idle)  # the child's spin runs out: this measures futex sleep wake-ups
    p.join()
    lat = ws.read("lat") / 1000.0
    ws.close()
    return float(np.median(lat)), float(np.percentile(lat, 99))


def _pong_redis(port, n):
    import redis

    c = redis.Redis(host="127.0.0.1", port=port)
    lat = []
    for _ in range(n):
        _, sent = c.blpop("ping")
        lat.append(time.perf_counter_ns() - int(sent))
        c.rpush("pong", 1)
    c.set("lat", np.array(lat, dtype=np.int64).tobytes())


def wakeup_redis(port, n: int):
    import redis

    c = redis.Redis(host="127.0.0.1", port=port)
    c.delete("ping", "pong")
    p = mp.get_context("fork").Process(target=_pong_redis, args=(port, n))
    p.start()
    time.sleep(0.3)
    for _ in range(n):
        c.rpush("ping", time.perf_counter_ns())
        c.blpop("pong")
        time.sleep(0.0002)
    p.join()
    lat = np.frombuffer(c.get("lat"), dtype=np.int64) / 1000.0
    return float(np.median(lat)), float(np.percentile(lat, 99))


def bench_helpers() -> types.ModuleType | None:
    """The benchmark-only extension _workspace_bench (cpp/bindings/bench), built on demand in the
    build tree of the neurosys._core being measured (tools/devbuild.sh makes one); None without a
    build tree, e.g. for an installed wheel."""
    build = Path(os.path.realpath(neurosys._core.__file__)).parent
    if not (build / "CMakeCache.txt").exists():
        return None
    subprocess.run(["cmake", "--build", str(build), "--target", "_workspace_bench"], check=True,
                   stdout=subprocess.DEVNULL)
    path = next(build.glob("_workspace_bench*.so"))
    spec = importlib.util.spec_from_file_location("_workspace_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- main ---------------------------------------------------------------------------------------
def median_of(repeat, fn):
    runs = [fn() for _ in range(repeat)]
    if isinstance(runs[0], dict):
        return {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    if isinstance(runs[0], tuple):
        return tuple(statistics.median(r[i] for r in runs) for i in range(len(runs[0])))
    return statistics.median(runs)


def fmt_rate(x):
    if x is None:
        return "n/a"
    return f"{x / 1e6:.3f} M/s" if x >= 1e5 else f"{x / 1e3:.1f} k/s" if x >= 1e3 else f"{x:.0f} /s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="shorter runs (noisier)")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="cpu: single-thread loops timed by thread CPU time (a busy shared machine)")
    args = ap.parse_args()
    global CLOCK
    CLOCK = time.thread_time if args.clock == "cpu" else time.perf_counter
    secs = 0.2 if args.quick else 0.5
    rows: dict[str, dict[str, object]] = defaultdict(dict)

    ws = Workspace(capacity=64, max_value_bytes=64 * 1024)
    r = median_of(args.repeat, lambda: loop_rates(ws.read, ws.write, secs))
    for k, v in r.items():
        rows[k]["neurosys"] = v
    out = np.empty(1000)
    rows["read_into 1000 f64"]["neurosys"] = median_of(
        args.repeat, lambda: rate(lambda n: [ws.read_into("a", out) for _ in range(n)], secs))
    helpers = bench_helpers()
    if helpers:
        ws.write("b64", b"x" * 59)  # 64 encoded bytes

        def cpp_read():
            t0 = time.thread_time()
            wall_ns = helpers.cpp_read_ns(ws, "b64", 5_000_000)
            return wall_ns, (time.thread_time() - t0) * 1e9 / 5_000_000

        cpp_ns = median_of(args.repeat, cpp_read)
        # The same read behind pybind11's dispatcher, called as a method: does the raw path pay?
        pybind11_read = types.MethodType(helpers.pybind11_read, ws)
        dispatch = median_of(args.repeat, lambda: {
            "raw": rate(lambda n: [ws.read("f") for _ in range(n)], secs),
            "pybind11": rate(lambda n: [pybind11_read("f") for _ in range(n)], secs)})

    for label, log in (("seed", True), ("seed, no log", False)):
        seed = SeedGlobalWorkspace(log=log)
        r = median_of(args.repeat, lambda: loop_rates(seed.read, seed.write, secs))
        for k, v in r.items():
            rows[k][label] = v

    manager = mp.get_context("fork").Manager()
    md = manager.dict()
    r = median_of(1, lambda: loop_rates(md.get, md.__setitem__, secs / 2))
    for k, v in r.items():
        rows[k]["Manager dict"] = v

    redis_peer = None
    if shutil.which("redis-server"):
        try:
            redis_peer = RedisPeer()
            r = median_of(1, lambda: loop_rates(redis_peer.read, redis_peer.write, secs / 2))
            for k, v in r.items():
                rows[k]["Redis"] = v
        except ImportError:
            print("redis-py not installed: skipping the Redis column")
            redis_peer = None
    else:
        print("redis-server not found: skipping the Redis column (apt-get install redis-server)")

    key = "reads, 2 readers + 1 writer"
    rows[key]["neurosys"] = median_of(args.repeat, lambda: contended_reads("neurosys", ws.name, 1.0))
    seed = SeedGlobalWorkspace(log=True)
    seed.write("f", 0.0)
    rows[key]["seed"] = median_of(args.repeat, lambda: seed_contended_reads(seed, 1.0))
    seed_nolog = SeedGlobalWorkspace(log=False)
    seed_nolog.write("f", 0.0)
    rows[key]["seed, no log"] = median_of(args.repeat, lambda: seed_contended_reads(seed_nolog, 1.0))
    md["f"] = 0.0
    rows[key]["Manager dict"] = contended_reads("manager", md, 1.0)
    if redis_peer:
        rows[key]["Redis"] = contended_reads("redis", redis_peer.port, 1.0)

    key = "writes with 1 subscriber"
    n_sub = 20000 if args.quick else 100000
    rows[key]["neurosys"] = median_of(args.repeat, lambda: subscribed_writes(Workspace(capacity=8), n_sub))
    for label, log in (("seed", True), ("seed, no log", False)):
        rows[key][label] = median_of(args.repeat, lambda: subscribed_writes(SeedGlobalWorkspace(log), 3000))

    n_lat = 2000 if args.quick else 5000
    lat = median_of(args.repeat, lambda: wakeup_neurosys(n_lat, 0.0))
    lat_idle = median_of(args.repeat, lambda: wakeup_neurosys(n_lat // 2, 0.0005))
    lat_redis = wakeup_redis(redis_peer.port, n_lat) if redis_peer else None

    peers = ["neurosys", "seed", "seed, no log", "Manager dict", "Redis"]
    print(f"\nworkspace benchmark, median of {args.repeat} (Manager/Redis: 1 run), {os.cpu_count()} CPUs")
    print(f"{'operation':30s}" + "".join(f"{p:>15s}" for p in peers) + f"{'vs seed':>10s}{'vs Redis':>10s}")
    for op, cols in rows.items():
        line = f"{op:30s}" + "".join(f"{fmt_rate(cols.get(p)):>15s}" for p in peers)
        ours = cols["neurosys"]
        line += f"{ours / cols['seed']:>9.1f}x" if cols.get("seed") else f"{'':>10s}"
        line += f"{ours / cols['Redis']:>9.1f}x" if cols.get("Redis") else f"{'n/a':>10s}"
        print(line)
    print(f"{'wake-up latency, x-process':30s} neurosys median {lat[0]:.1f} us, p99 {lat[1]:.1f} us"
          f" (waiter spinning); after 0.5 ms idle (futex sleep) median {lat_idle[0]:.1f} us, "
          f"p99 {lat_idle[1]:.1f} us"
          + (f"; Redis BLPOP median {lat_redis[0]:.1f} us, p99 {lat_redis[1]:.1f} us" if lat_redis else ""))
    if helpers:
        print(f"{'C++-level 64-byte read':30s} {cpp_ns[0]:.1f} ns wall, {cpp_ns[1]:.1f} ns thread CPU time")
        print(f"{'read float, call path':30s} raw METH_FASTCALL {fmt_rate(dispatch['raw'])}, "
              f"pybind11 method {fmt_rate(dispatch['pybind11'])} "
              f"({dispatch['raw'] / dispatch['pybind11']:.2f}x)")
    else:
        print("C++-level read and call-path rows: skipped (no CMake build tree beside neurosys._core)")
    print(f"clock: {args.clock}; load average at end: {os.getloadavg()[0]:.1f}")
    if redis_peer:
        redis_peer.close()
    manager.shutdown()
    ws.close()


if __name__ == "__main__":
    main()
