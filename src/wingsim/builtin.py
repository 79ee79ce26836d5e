"""The scenarios and experiment files that ship inside the package.

They are package data (``wingsim/data/``), so an installed wingsim finds them from any
folder: ``wingsim run containment`` loads the built-in ``containment.toml``, and
``wingsim scenarios --copy DIR`` writes editable copies. In a checkout, ``scenarios/``
and ``experiments/`` at the top are links to the same files.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SCENARIOS = DATA / "scenarios"
EXPERIMENTS = DATA / "experiments"


def scenario_path(name: str) -> Path | None:
    """The built-in scenario called ``name`` (with or without ``.toml``), or None."""
    stem = name.removesuffix(".toml")
    if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
        return None
    path = SCENARIOS / f"{stem}.toml"
    return path if path.is_file() else None


def scenarios() -> dict[str, str]:
    """Every built-in scenario's name with its one-line description."""
    out = {}
    for path in sorted(SCENARIOS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out[path.stem] = str(data.get("description", ""))
    return out


def copy_to(folder: str | Path) -> list[Path]:
    """Write editable copies of the scenarios and experiment files into ``folder``.

    Files go to ``folder/scenarios`` and ``folder/experiments`` (experiment files name
    scenarios as ``../scenarios/...``); an existing file is never overwritten.
    """
    written = []
    for source_dir in (SCENARIOS, EXPERIMENTS):
        target = Path(folder) / source_dir.name
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(source_dir.glob("*.toml")):
            dest = target / path.name
            if dest.exists():
                continue
            shutil.copyfile(path, dest)
            written.append(dest)
    return written
