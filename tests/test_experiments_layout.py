"""The experiments layer keeps its engine apart from its CLI handlers, with no import cycles.

Read from the source with ``ast`` (nothing imported). Every import counts, also those
inside functions; only imports under ``if TYPE_CHECKING:`` are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

from wingsim import cli

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "wingsim"
COMMANDS = "wingsim.experiments.commands"

#: What the handlers may call: the engine, folder analysis, the report, the key-outcome
#: list (for printing) and the scenario error (for the exit code).
ENGINE = {
    "wingsim.experiments.engine",
    "wingsim.experiments.folder_analysis",
    "wingsim.experiments.report",
    "wingsim.experiments.analysis",
    "wingsim.scenario",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path, module: str, modules) -> set[str]:
    """wingsim modules ``path`` imports (``from a import b``: a.b if a module, else a)."""
    tree = ast.parse(path.read_text())
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = module.split(".")
                if path.name != "__init__.py":
                    pkg = pkg[:-1]
                pkg = pkg[: len(pkg) - node.level + 1]
                base = ".".join([*pkg, *([node.module] if node.module else [])])
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imports(p, m, modules) for m, p in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle, each once, starting at its smallest module."""
    found = []
    for start in sorted(graph):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    found.append(path)
                elif nxt > start and nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    return found


def test_no_import_cycles_in_the_package():
    cycles = _cycles(_graph())
    assert not cycles, "\n".join(" -> ".join([*c, c[0]]) for c in cycles)


def test_cycle_finder_finds_a_lazy_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_cli_handlers_import_only_the_engine():
    graph = _graph()
    assert graph[COMMANDS] <= ENGINE, graph[COMMANDS] - ENGINE
    importers = sorted(m for m, deps in graph.items() if COMMANDS in deps)
    assert importers == [], f"the engine is not in the handlers module: {importers}"
    for folder in ("tests", "benchmarks", "scripts"):
        for path in (ROOT / folder).glob("*.py"):
            if path.name != Path(__file__).name:
                assert COMMANDS not in path.read_text(), path


def test_every_public_function_of_the_handlers_module_is_a_cli_handler_or_printer():
    tree = ast.parse((PACKAGE / "experiments" / "commands.py").read_text())
    public = {
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")
    }
    handlers = {v.split(":")[1] for v in cli.HANDLERS.values() if v.startswith(COMMANDS + ":")}
    assert handlers == {"demo", "compare", "sweep", "analyze", "report"}
    assert public == handlers | {"format_comparison"}
