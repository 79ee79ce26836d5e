"""docs/ODD.md's parameter table matches the scenario schema: names and defaults.

The defaults are read from the schema at test time, so a default changed in
``scenario.py`` without the table (or the reverse) fails here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel

from wingsim.scenario import Scenario

ROOT = Path(__file__).parents[1]
ROW = re.compile(r"^\|\s*`([a-z_]+\.[a-z_0-9.]+)`\s*\|(.*)\|\s*$")


def schema_defaults(model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, object]:
    """Every ``section.field`` of the schema (recursing into sections) with its default."""
    out: dict[str, object] = {}
    for name, info in model.model_fields.items():
        if not prefix and name in ("name", "description"):
            continue
        ann = info.annotation
        dotted = f"{prefix}{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(schema_defaults(ann, f"{dotted}."))
        else:
            out[dotted] = info.get_default(call_default_factory=True)
    return out


def odd_table() -> dict[str, str]:
    """Rows of the ODD parameter table: dotted name -> default cell (TOML literal)."""
    text = (ROOT / "docs" / "ODD.md").read_text()
    section = re.search(
        r"^## [^\n]*Parameter table[^\n]*\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S
    )
    assert section, "docs/ODD.md has no '## ... Parameter table' section"
    rows: dict[str, str] = {}
    for line in section.group(1).splitlines():
        m = ROW.match(line)
        if not m:
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", m.group(2))]
        name = m.group(1)
        assert name not in rows, f"{name} listed twice in docs/ODD.md"
        # columns: name | meaning | unit | default | range | source
        rows[name] = cells[2]
    return rows


def parse_default(cell: str) -> object:
    literal = cell.strip().strip("`")
    return tomllib.loads(f"v = {literal}")["v"]


def test_odd_table_lists_every_schema_parameter():
    documented = set(odd_table())
    schema = set(schema_defaults())
    assert documented - schema == set(), "in docs/ODD.md but not in the schema"
    assert schema - documented == set(), "in the schema but missing from docs/ODD.md"


def test_odd_table_defaults_match_schema():
    table = odd_table()
    wrong = {}
    for name, default in schema_defaults().items():
        if name not in table:  # reported by the test above
            continue
        listed = parse_default(table[name])
        if listed != default or isinstance(listed, bool) != isinstance(default, bool):
            wrong[name] = (table[name], default)
    assert wrong == {}, f"ODD table default differs from the schema: {wrong}"
