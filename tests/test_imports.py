"""The package's import structure (#23 point 1): Ray plugs in from outside (only neurosys.cluster
and the faces above it import it), no import cycle (function-level imports count: they run), and
the layers hold: base <- engines <- services <- the run <- the faces (cluster, CLI, TUI, sweep and
the package face ``neurosys/__init__.py``); nothing imports upward, so nothing below the faces
imports through the package face either."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "python"
PACKAGE = ROOT / "neurosys"

# Public paths kept where the API promised them before the move (a lazy attribute of a package,
# resolved only when used): neurosys.soup.Islands is the Ray runner of the island model.
PUBLIC_FORWARDS = {("neurosys.soup", "neurosys.cluster.islands")}

BASE = {"neurosys._core", "neurosys.errors", "neurosys.units", "neurosys.limits", "neurosys.arguments",
        "neurosys.config", "neurosys.timefmt", "neurosys.run.components", "neurosys.run.commands",
        "neurosys.workspace.keys", "neurosys.workspace.protocol"}
SERVICES = {"agents", "ledger", "llm", "workspace"}
RUN = {"neurosys.run.system", "neurosys.run.wiring", "neurosys.run.control", "neurosys.run.runner", "neurosys.run.rundir",
       "neurosys.run.report", "neurosys.run.storage"}
LAYERS = ("base", "engines", "services (agents, ledger, llm, workspace, storage)", "the run", "the faces")


def layer(module: str) -> int:
    """0 base, 1 engines, 2 services, 3 the run, 4 the faces (cluster, CLI, TUI, sweep, neurosys)."""
    if module in BASE:
        return 0
    room = module.split(".")[1] if "." in module else ""
    if room in ("snn", "soup"):
        return 1
    if room in SERVICES or module == "neurosys.run.storage":
        return 2
    if module in RUN or room == "experiments":
        return 3
    return 4


def modules() -> dict[str, Path | None]:
    found: dict[str, Path | None] = {"neurosys._core": None}
    for path in PACKAGE.rglob("*.py"):
        if "examples" in path.relative_to(PACKAGE).parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def imports(runtime_only: bool) -> dict[str, set[str]]:
    """Module -> the neurosys modules it imports (module- and function-level; with
    ``runtime_only`` False also those under ``if TYPE_CHECKING``), minus the public forwards."""
    known = modules()

    def resolve(name: str) -> str:
        while name not in known:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        graph[module] = set()
        if path is None:
            continue
        tree = ast.parse(path.read_text())
        skipped = set()
        if runtime_only:
            for node in ast.walk(tree):
                if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                    skipped |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            graph[module] |= {resolve(t) for t in targets if t.startswith("neurosys")}
        graph[module] -= {module} | {t for m, t in PUBLIC_FORWARDS if m == module}
    return graph


def with_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Importing a.b.c first runs a/__init__ and a/b/__init__: those count as imported too
    (except the importer's own packages, which are already running)."""
    out = {}
    for module, targets in graph.items():
        own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
        parents = {".".join(t.split(".")[:i]) for t in targets for i in range(1, t.count(".") + 1)}
        out[module] = targets | {p for p in parents if p in graph and p not in own}
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_only_the_faces_import_cluster() -> None:
    """Type-only imports count too: the run and everything under it know nothing of Ray."""
    below = [f"{m} -> {t}" for m, targets in imports(runtime_only=False).items()
             for t in targets if t.startswith("neurosys.cluster") and layer(m) < layer("neurosys.cluster")]
    assert below == []


def test_no_import_cycle() -> None:
    assert cycles(with_packages(imports(runtime_only=True))) == []


def test_the_layers_hold() -> None:
    upward = [f"{m} ({LAYERS[layer(m)]}) -> {t} ({LAYERS[layer(t)]})"
              for m, targets in imports(runtime_only=True).items() for t in targets if layer(t) > layer(m)]
    assert upward == []


def test_the_checks_can_fail() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert with_packages({"x.y": set(), "x": {"x.y"}, "z": {"x.y"}})["z"] == {"x.y", "x"}
    assert layer("neurosys.snn.network") < layer("neurosys.agents.manager") < layer("neurosys.run.system") \
        < layer("neurosys.cluster.runner")


def test_the_run_knows_nothing_of_ray() -> None:
    for name in ("run/system.py", "run/wiring.py"):
        assert "ray" not in (PACKAGE / name).read_text().lower().replace("array", ""), name
