"""Small scenario files for the experiments tests: two wings of 30, one file per regime."""

from __future__ import annotations

from pathlib import Path

TINY = """name = "{name}"
[regime]
type = "{name}"
[establishment]
wings = 2
wing_capacity = 30
"""


def tiny_scenarios(folder: Path, names=("dispersal", "containment")) -> list[str]:
    """Write ``<name>.toml`` (a small establishment under regime ``name``) for each name."""
    paths = []
    for n in names:
        p = Path(folder) / f"{n}.toml"
        p.write_text(TINY.format(name=n))
        paths.append(str(p))
    return paths
