"""Layering rules on the import graph of src/wingsim (read with ``ast``, nothing imported).

Layers: *core* (the model) and *interfaces* (command line, files, experiments,
validation, dashboard), see ``wingsim.devtools.imports.LAYERS`` and the "Layers" section
of docs/architecture.md. ``python scripts/import_graph.py`` prints the same graph's
cycles and draws it.
"""

from __future__ import annotations

import textwrap

import pytest

from wingsim.devtools import imports


@pytest.fixture(scope="module")
def graph():
    return imports.build_graph()


def _listing(graph, edges) -> str:
    return "\n  ".join(imports.describe_edge(graph, a, b) for a, b in edges)


def test_every_module_is_in_a_layer(graph):
    loose = sorted(n for n in graph if imports.layer_of(n) is None)
    assert not loose, (
        f"modules in no layer: {loose}; add them to LAYERS in src/wingsim/devtools/imports.py"
    )


def test_core_imports_no_interface(graph):
    bad = imports.core_imports_interfaces(graph)
    assert not bad, "core modules import interfaces (eagerly or lazily):\n  " + _listing(graph, bad)


def test_only_schedule_and_scenario_import_submodels(graph):
    bad = imports.core_imports_submodels(graph)
    assert not bad, (
        "core modules other than wingsim.schedule and wingsim.scenario import submodels:\n  "
        + _listing(graph, bad)
    )


def test_no_eager_import_cycles(graph):
    cycles = imports.eager_cycles(graph)
    assert not cycles, "import cycles (module-level imports):\n  " + "\n  ".join(
        imports.format_cycle(c) for c in cycles
    )


def test_graph_reader_on_a_small_package(tmp_path):
    """Relative imports, TYPE_CHECKING, lazy imports and entry-point strings."""
    files = {
        "pkg/__init__.py": "from pkg.a import A\n",
        "pkg/a.py": """
            from typing import TYPE_CHECKING
            from . import b
            from .sub import c as _c
            if TYPE_CHECKING:
                from pkg.d import D
            else:
                import pkg.e
            A = 1
            HANDLER = "pkg.d:main"
            def f():
                from . import d  # noqa: F401
                import importlib
                importlib.import_module("pkg.e")
            """,
        "pkg/b.py": "import pkg.sub.c\n",
        "pkg/sub/__init__.py": "from . import c\n",
        "pkg/sub/c.py": "from pkg import b\n",
        "pkg/d.py": "",
        "pkg/e.py": "from pkg.sub.c import something\n",
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    g = imports.build_graph(tmp_path / "pkg")
    edges = {(a, b): lazy for a, b, lazy in g.edges(data="lazy")}
    assert edges == {
        ("pkg", "pkg.a"): False,
        ("pkg.a", "pkg.b"): False,
        ("pkg.a", "pkg.sub.c"): False,
        ("pkg.a", "pkg.e"): False,  # the else branch of `if TYPE_CHECKING` runs
        ("pkg.a", "pkg.d"): True,  # the string, and the import in f(); not TYPE_CHECKING
        ("pkg.b", "pkg.sub.c"): False,
        ("pkg.sub", "pkg.sub.c"): False,
        ("pkg.sub.c", "pkg.b"): False,
        ("pkg.e", "pkg.sub.c"): False,
    }
    assert imports.eager_cycles(g) == [["pkg.b", "pkg.sub.c"]]
    assert imports.lazy_cycles(g) == []
