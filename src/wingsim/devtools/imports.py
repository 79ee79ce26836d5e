"""The package's import graph, read from the source with ``ast`` (nothing is imported).

An edge ``a -> b`` says module ``a`` imports module ``b``. It is *eager* when the import
runs as ``a`` is imported (module or class level) and *lazy* when it runs only when a
function is called (an import inside a function, ``importlib.import_module("wingsim.x")``,
or a ``"wingsim.x:func"`` entry-point string, which only ``importlib`` can act on).
Imports under ``if TYPE_CHECKING:`` never run and are left out.
``from wingsim.x import y`` points at ``wingsim.x.y`` when that is a module, else at
``wingsim.x``; a parent package's ``__init__`` is not counted as imported.

The layers (:data:`LAYERS`) and the rules in ``tests/test_layers.py`` are written here
so that the test and ``scripts/import_graph.py`` read the same graph.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/wingsim

#: Layer -> module patterns; ``x.*`` is ``x`` and everything under it, otherwise exact.
#: Core is the model; interfaces drive it (command line, files, experiments, dashboard);
#: tools are for developers. Lower layers must not import higher ones.
LAYERS: dict[str, tuple[str, ...]] = {
    "core": (
        "wingsim",  # the package's public API (__init__)
        "wingsim.model",
        "wingsim.state",
        "wingsim.network",
        "wingsim.kernels",
        "wingsim.pairwise",
        "wingsim.schedule",
        "wingsim.streams",
        "wingsim.params",
        "wingsim.scenario",
        "wingsim.establishment",
        "wingsim.opinion",
        "wingsim.outcomes",
        "wingsim.agents",
        "wingsim.builtin",
        "wingsim.submodels.*",
    ),
    "interfaces": (
        "wingsim.cli",
        "wingsim.commands",
        "wingsim.output",
        "wingsim.tomlout",
        "wingsim.patterns",
        "wingsim.experiments.*",
        "wingsim.validation.*",
        "wingsim.dashboard.*",
    ),
    "tools": ("wingsim.devtools.*",),
}

#: What no core module may import, eagerly or lazily.
INTERFACE_PACKAGES = (
    "wingsim.cli",
    "wingsim.commands",
    "wingsim.output",
    "wingsim.experiments",
    "wingsim.validation",
    "wingsim.dashboard",
)

#: The only core modules allowed to import a submodel: the schedule lists them, the
#: scenario schema gathers their parameter declarations.
SUBMODEL_IMPORTERS = ("wingsim.schedule", "wingsim.scenario")

_ENTRY_POINT = re.compile(r"(\w+(?:\.\w+)*):\w+")  # "package.module:function"


def matches(module: str, pattern: str) -> bool:
    """``module`` is ``pattern`` or, for ``x.*``, ``x`` or a module under it."""
    if pattern.endswith(".*"):
        base = pattern[:-2]
        return module == base or module.startswith(base + ".")
    return module == pattern


def under(module: str, package: str) -> bool:
    """``module`` is ``package`` or inside it."""
    return module == package or module.startswith(package + ".")


def layer_of(module: str) -> str | None:
    for layer, patterns in LAYERS.items():
        if any(matches(module, p) for p in patterns):
            return layer
    return None


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    lazy: bool
    line: int


def find_modules(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package."""
    root = package_dir.parent
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: set[str]):
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.known = known
        self.depth = 0  # functions we are inside
        self.found: list[Import] = []

    def _add(self, target: str | None, node: ast.AST, lazy: bool = False) -> None:
        # a name under a module (``import a.b.C`` is not valid, but be safe): nearest module
        while target and target not in self.known:
            target = target.rpartition(".")[0]
        if target and target != self.module:
            self.found.append(Import(self.module, target, lazy or self.depth > 0, node.lineno))

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:  # the else branch does run
                self.visit(child)
        else:
            self.generic_visit(node)

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            base = ".".join(filter(None, (base, node.module)))
        else:
            base = node.module or ""
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            self._add(sub if sub in self.known else base, node)

    def visit_Call(self, node: ast.Call) -> None:
        # importlib.import_module("wingsim.x") / __import__("wingsim.x"): runs when called
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        arg = node.args[0] if node.args else None
        if (
            name in ("import_module", "__import__")
            and isinstance(arg, ast.Constant)
            and isinstance(arg.value, str)
            and arg.value in self.known
        ):
            self._add(arg.value, node, lazy=True)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        # "wingsim.commands:run", an entry point handed to importlib: runs when called
        if isinstance(node.value, str):
            m = _ENTRY_POINT.fullmatch(node.value)
            if m and m.group(1) in self.known:
                self._add(m.group(1), node, lazy=True)


def collect_imports(package_dir: Path = PACKAGE_DIR) -> list[Import]:
    """Every import between modules of the package, in file and line order."""
    modules = find_modules(package_dir)
    known = set(modules)
    found: list[Import] = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        collector = _Collector(name, path.name == "__init__.py", known)
        collector.visit(tree)
        found.extend(collector.found)
    return found


def build_graph(package_dir: Path = PACKAGE_DIR) -> nx.DiGraph:
    """Modules as nodes (attribute ``layer``), imports as edges (``lazy`` True/False).

    An edge is lazy only if every import along it is lazy; ``lines`` lists where.
    """
    graph = nx.DiGraph()
    for name in find_modules(package_dir):
        graph.add_node(name, layer=layer_of(name))
    for imp in collect_imports(package_dir):
        if graph.has_edge(imp.source, imp.target):
            data = graph.edges[imp.source, imp.target]
            data["lazy"] = data["lazy"] and imp.lazy
            if imp.line not in data["lines"]:
                data["lines"].append(imp.line)
        else:
            graph.add_edge(imp.source, imp.target, lazy=imp.lazy, lines=[imp.line])
    return graph


def eager_graph(graph: nx.DiGraph) -> nx.DiGraph:
    return graph.edge_subgraph(
        [(a, b) for a, b, lazy in graph.edges(data="lazy") if not lazy]
    ).copy()


def cycle_groups(graph: nx.DiGraph) -> list[list[str]]:
    """Strongly connected components of more than one module, sorted."""
    return sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)


def eager_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Elementary cycles made of eager imports only."""
    return _sorted_cycles(nx.simple_cycles(eager_graph(graph)))


def lazy_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Elementary cycles that need at least one lazy import."""
    found = []
    for cycle in nx.simple_cycles(graph):
        pairs = zip(cycle, cycle[1:] + cycle[:1], strict=True)
        if any(graph.edges[a, b]["lazy"] for a, b in pairs):
            found.append(cycle)
    return _sorted_cycles(found)


def _sorted_cycles(cycles) -> list[list[str]]:
    out = []
    for cycle in cycles:
        i = cycle.index(min(cycle))  # start each cycle at its smallest name
        out.append(cycle[i:] + cycle[:i])
    return sorted(out, key=lambda c: (len(c), c))


def format_cycle(cycle: list[str]) -> str:
    return " -> ".join([*cycle, cycle[0]])


def describe_edge(graph: nx.DiGraph, a: str, b: str) -> str:
    """``a -> b (eager, line 3)``: an import and where it is written."""
    data = graph.edges[a, b]
    kind = "lazy" if data["lazy"] else "eager"
    return f"{a} -> {b} ({kind}, line {', '.join(map(str, data['lines']))})"


def violations(graph: nx.DiGraph, sources, targets) -> list[tuple[str, str]]:
    """Imports from a module satisfying ``sources`` of one satisfying ``targets``."""
    return [(a, b) for a, b in sorted(graph.edges) if sources(a) and targets(b)]


def core_imports_interfaces(graph: nx.DiGraph) -> list[tuple[str, str]]:
    """Rule 1: no core module imports an interface, eagerly or lazily."""
    return violations(
        graph,
        lambda a: layer_of(a) == "core",
        lambda b: any(under(b, p) for p in INTERFACE_PACKAGES),
    )


def core_imports_submodels(graph: nx.DiGraph) -> list[tuple[str, str]]:
    """Rule 2: only the schedule and the scenario schema import submodels (eager or lazy)."""
    return violations(
        graph,
        lambda a: (
            layer_of(a) == "core"
            and not under(a, "wingsim.submodels")
            and a not in SUBMODEL_IMPORTERS
        ),
        lambda b: under(b, "wingsim.submodels"),
    )
