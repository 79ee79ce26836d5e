"""Print the import cycles of ``src/wingsim`` and draw its import graph by layer.

    python scripts/import_graph.py            # cycles, rule breaks, and the picture
    python scripts/import_graph.py --no-plot  # text only

The graph is read from the source with ``ast`` (``wingsim.devtools.imports``, the same
code ``tests/test_layers.py`` checks the layering rules with). The picture,
``docs/figures/import-graph.png``, draws the layers as horizontal bands, core at the
bottom; within a band, a module sits above the modules it imports. Solid arrows are
eager imports, dashed ones lazy (inside a function); red ones break a layering rule.
The submodels are drawn as one node, ``submodels/*``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import networkx as nx

from wingsim.devtools import imports

ROOT = Path(__file__).resolve().parents[1]
FIGURE = ROOT / "docs" / "figures" / "import-graph.png"

BANDS = ("core", "interfaces", "tools")  # bottom to top
BAND_COLOURS = {"core": "#e8f1fa", "interfaces": "#fdf2e3", "tools": "#eef6ea"}
NODE_COLOURS = {"core": "#9ec5ea", "interfaces": "#f6c98c", "tools": "#b5d9a6"}
MAX_PER_ROW = 8
SUBMODELS = "wingsim.submodels"


def _section(title: str, lines: list[str]) -> None:
    print(f"\n{title}:")
    for line in lines or ["none"]:
        print(f"  {line}")


def report(graph: nx.DiGraph) -> int:
    """Print cycles and rule breaks; return the number of eager cycles."""
    eager = imports.eager_cycles(graph)
    print(f"{graph.number_of_nodes()} modules, {graph.number_of_edges()} imports")
    eager_groups = imports.cycle_groups(imports.eager_graph(graph))
    _section("Strongly connected groups (eager imports only)", [", ".join(g) for g in eager_groups])
    _section("Cycles of eager imports", [imports.format_cycle(c) for c in eager])
    all_groups = imports.cycle_groups(graph)
    _section(
        "Strongly connected groups (eager and lazy imports)", [", ".join(g) for g in all_groups]
    )
    lazy = imports.lazy_cycles(graph)
    _section("Cycles through a lazy import", [imports.format_cycle(c) for c in lazy])
    broken = [
        f"core imports an interface: {imports.describe_edge(graph, a, b)}"
        for a, b in imports.core_imports_interfaces(graph)
    ]
    broken += [
        f"core module other than schedule/scenario imports a submodel: "
        f"{imports.describe_edge(graph, a, b)}"
        for a, b in imports.core_imports_submodels(graph)
    ]
    broken += [f"module in no layer: {n}" for n in sorted(graph) if imports.layer_of(n) is None]
    _section("Layering rules broken", broken)
    return len(eager)


def collapsed(module: str) -> str:
    return SUBMODELS if imports.under(module, SUBMODELS) else module


def collapse_submodels(graph: nx.DiGraph) -> nx.DiGraph:
    """The graph with every ``wingsim.submodels.*`` module merged into one node."""
    name = collapsed

    out = nx.DiGraph()
    for node, layer in graph.nodes(data="layer"):
        out.add_node(name(node), layer=layer)
    for a, b, lazy in graph.edges(data="lazy"):
        a2, b2 = name(a), name(b)
        if a2 == b2:
            continue
        if out.has_edge(a2, b2):
            out.edges[a2, b2]["lazy"] = out.edges[a2, b2]["lazy"] and lazy
        else:
            out.add_edge(a2, b2, lazy=lazy)
    return out


def label(module: str) -> str:
    if module == SUBMODELS:
        return "submodels/*"
    return module.removeprefix("wingsim.") if module != "wingsim" else "wingsim (__init__)"


def rows_of_band(graph: nx.DiGraph, nodes: list[str]) -> list[list[str]]:
    """Rows bottom-up: a module sits above what it imports in the same band."""
    sub = nx.DiGraph(graph.subgraph(nodes))
    dag = nx.condensation(sub)  # in case of cycles: one level per group
    level: dict[int, int] = {}
    for c in reversed(list(nx.topological_sort(dag))):
        level[c] = 1 + max((level[d] for d in dag.successors(c)), default=-1)
    by_level: dict[int, list[str]] = {}
    for c, members in dag.nodes(data="members"):
        by_level.setdefault(level[c], []).extend(sorted(members))
    rows = []
    for lv in sorted(by_level):
        row = sorted(by_level[lv])
        while row:  # wrap long rows
            rows.append(row[:MAX_PER_ROW])
            row = row[MAX_PER_ROW:]
    return rows


def layout(graph: nx.DiGraph) -> tuple[dict[str, tuple[float, float]], dict[str, tuple]]:
    """Positions of the nodes and the y-extent of each band."""
    rows: list[list[str]] = []
    band_rows: dict[str, tuple[int, int]] = {}
    for band in BANDS:
        nodes = [n for n, layer in graph.nodes(data="layer") if layer == band]
        if not nodes:
            continue
        start = len(rows)
        rows.extend(rows_of_band(graph, nodes))
        band_rows[band] = (start, len(rows))
    others = [n for n, layer in graph.nodes(data="layer") if layer not in BANDS]
    if others:
        band_rows["no layer"] = (len(rows), len(rows) + 1)
        rows.append(sorted(others))
    # order each row by the mean position of its neighbours (a few barycentre sweeps)
    x = {n: float(i) for row in rows for i, n in enumerate(row)}
    undirected = graph.to_undirected()
    for sweep in range(8):
        order = rows if sweep % 2 == 0 else rows[::-1]
        for row in order:

            def key(n: str, x=x, row=row) -> float:
                nbrs = [m for m in undirected[n] if m not in row]
                return sum(x[m] for m in nbrs) / len(nbrs) if nbrs else x[n]

            row.sort(key=key)
            for i, n in enumerate(row):
                x[n] = i - (len(row) - 1) / 2
    pos = {n: (x[n] * 2.6, r * 1.0) for r, row in enumerate(rows) for n in row}
    # the "no layer" band, if any, is drawn like the others (it should never exist)
    return pos, band_rows


def draw(graph: nx.DiGraph, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    bad_full = imports.core_imports_interfaces(graph) + imports.core_imports_submodels(graph)
    graph = collapse_submodels(graph)
    bad = {(collapsed(a), collapsed(b)) for a, b in bad_full}
    pos, band_rows = layout(graph)
    n_rows = max(end for _, end in band_rows.values())
    width = max(abs(p[0]) for p in pos.values()) + 1.6
    fig, ax = plt.subplots(figsize=(2 * width * 0.62 + 1.5, n_rows * 0.95 + 1.2))
    for band, (start, end) in band_rows.items():
        ax.axhspan(start - 0.5, end - 0.5, color=BAND_COLOURS.get(band, "#f0f0f0"), zorder=0)
        ax.text(
            -width - 0.3,
            (start + end - 1) / 2,
            band,
            rotation=90,
            ha="center",
            va="center",
            fontsize=13,
            weight="bold",
            color="#555555",
        )
    texts = {}
    for n, layer in graph.nodes(data="layer"):
        texts[n] = ax.text(
            *pos[n],
            label(n),
            ha="center",
            va="center",
            fontsize=9,
            zorder=3,
            bbox={
                "boxstyle": "round,pad=0.3",
                "fc": NODE_COLOURS.get(layer, "#dddddd"),
                "ec": "#444444",
                "lw": 0.8,
            },
        )
    for a, b, lazy in graph.edges(data="lazy"):
        colour = "#d62728" if (a, b) in bad else ("#8c8c8c" if lazy else "#333333")
        ax.annotate(
            "",
            xy=pos[b],
            xytext=pos[a],
            zorder=4,
            arrowprops={
                "arrowstyle": "-|>",
                "color": colour,
                "lw": 1.6 if (a, b) in bad else 0.8,
                "linestyle": "--" if lazy else "-",
                "alpha": 0.75,
                "mutation_scale": 9,
                "shrinkA": 1,
                "shrinkB": 1,
                "patchA": texts[a].get_bbox_patch(),
                "patchB": texts[b].get_bbox_patch(),
                "connectionstyle": "arc3,rad=0.06",
            },
        )
    ax.legend(
        handles=[
            Line2D([], [], color="#333333", lw=1, label="eager import (module level)"),
            Line2D([], [], color="#8c8c8c", lw=1, ls="--", label="lazy import (in a function)"),
            Line2D([], [], color="#d62728", lw=1.6, label="breaks a layering rule"),
        ],
        loc="upper right",
        fontsize=9,
        framealpha=0.9,
    )
    ax.set_xlim(-width - 0.7, width + 0.2)
    ax.set_ylim(-0.6, n_rows - 0.4)
    ax.set_title("wingsim import graph (arrow: importer -> imported)", fontsize=12)
    ax.axis("off")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-plot", action="store_true", help="print only; no picture")
    parser.add_argument("--out", type=Path, default=FIGURE, help=f"default: {FIGURE}")
    args = parser.parse_args(argv)
    graph = imports.build_graph()
    report(graph)
    if not args.no_plot:
        draw(graph, args.out)
        print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
