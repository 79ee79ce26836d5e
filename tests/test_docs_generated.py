"""The docs generator (``wingsim.devtools.docgen``) and the outcome reference.

``tests/test_odd.py`` checks that the committed docs are current; this checks the
generator itself on a made-up schema nested three deep, and that docs/outcomes.md
documents exactly the columns of ``wingsim.outcomes.COLUMNS``.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from typing import Literal

import pytest
from pydantic import Field

from wingsim.devtools import docgen
from wingsim.outcomes import COLUMNS
from wingsim.params import Params, par


class Deeper(Params):
    """Three levels down."""

    steps: int = par(3, doc="Steps.", unit="count", ge=1, source="assumption")


class PrisonerContacts(Params):
    """Meetings between prisoners."""

    influence_rate: float = par(
        0.02,
        doc="Convergence rate mu.",
        unit="per contact",
        ge=0.0,
        le=0.5,
        source="Deffuant et al. 2002 (form)",
    )
    deeper: Deeper = Field(default_factory=Deeper)


class Mechanisms(Params):
    """Strengths of the mechanisms."""

    stubbornness: float = Field(0.01, gt=0.0, lt=1.0, description="Pull to x0 | daily.")
    prisoner_contacts: PrisonerContacts = Field(
        default_factory=PrisonerContacts, description="From the field: contacts."
    )


class Toy(Params):
    name: str = "toy"
    mode: Literal["a", "b"] = Field("a", description="a or b")
    flag: bool = True
    threshold: float | None = None
    needed: int = Field(description="No default.")
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)


def test_tables_nest_to_any_depth():
    tables = docgen.parameter_tables(Toy)
    assert [(t.name, t.depth) for t in tables] == [
        ("", 0),
        ("mechanisms", 1),
        ("mechanisms.prisoner_contacts", 2),
        ("mechanisms.prisoner_contacts.deeper", 3),
    ]
    rows = {row[0]: row for t in tables for row in t.rows}
    assert rows["`mechanisms.prisoner_contacts.influence_rate`"] == (
        "`mechanisms.prisoner_contacts.influence_rate`",
        "Convergence rate mu.",
        "per contact",
        "`0.02`",
        "[0.0, 0.5]",
        "Deffuant et al. 2002 (form)",
    )
    assert rows["`mechanisms.prisoner_contacts.deeper.steps`"][4] == ">= 1"
    # plain Field: no unit or source; strict bounds; a pipe escaped
    assert rows["`mechanisms.stubbornness`"] == (
        "`mechanisms.stubbornness`",
        "Pull to x0 \\| daily.",
        "-",
        "`0.01`",
        "(0.0, 1.0)",
        "-",
    )
    assert rows["`mode`"][3:5] == ('`"a"`', '`"a"` \\| `"b"`')
    assert rows["`flag`"][3:5] == ("`true`", "`true` \\| `false`")
    assert rows["`threshold`"][3] == "-"  # None: TOML has no null
    assert rows["`needed`"][3] == "(required)"
    assert tables[2].doc == "From the field: contacts."  # the field's description wins
    assert tables[3].doc == "Three levels down."


def test_rendered_markdown_headings_and_tables():
    text = docgen.render_parameters(Toy, heading_level=3)
    assert "### Top level" in text
    assert "### `[mechanisms]`" in text
    assert "#### `[mechanisms.prisoner_contacts]`" in text
    assert "##### `[mechanisms.prisoner_contacts.deeper]`" in text
    for line in text.splitlines():
        if line.startswith("| `"):
            assert len(re.split(r"(?<!\\)\|", line)) == len(docgen.HEADER) + 2, line


@pytest.mark.parametrize(
    "value", [True, False, 0, 5, 2**63 - 1, 0.95, 1e-05, 2.0, "dispersal", 'a "q" \\ b', [1, 2.5]]
)
def test_defaults_are_toml_literals(value):
    assert tomllib.loads(f"v = {docgen.toml_literal(value)}")["v"] == value


def test_scenario_defaults_in_the_tables_read_back():
    from wingsim.scenario import Scenario

    defaults = Scenario().model_dump()
    for table in docgen.parameter_tables(Scenario):
        for row in table.rows:
            *path, field = row[0].strip("`").split(".")
            node = defaults
            for part in path:
                node = node[part]
            listed = tomllib.loads(f"v = {row[3].strip('`')}")["v"]
            assert listed == node[field] and type(listed) is type(node[field]), row[0]


def test_check_and_write_on_a_copy(tmp_path):
    for rel in docgen.TARGETS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(docgen.ROOT / rel, tmp_path / rel)
    assert docgen.check(tmp_path) == []
    odd = tmp_path / "docs" / "ODD.md"
    odd.write_text(odd.read_text().replace("| `establishment.wings` |", "| `wings` |"))
    stale = docgen.check(tmp_path)
    assert len(stale) == 1 and stale[0].startswith("docs/ODD.md is out of date")
    assert docgen.COMMAND in stale[0]
    assert docgen.write(tmp_path) == [odd]
    assert docgen.check(tmp_path) == []


def test_command_line_exit_codes(tmp_path, monkeypatch, capsys):
    for rel in docgen.TARGETS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(docgen.ROOT / rel, tmp_path / rel)
    monkeypatch.setattr(docgen, "ROOT", tmp_path)
    assert docgen.main(["--check"]) == 0
    arch = tmp_path / "docs" / "architecture.md"
    arch.write_text(arch.read_text().replace(" 1. intake", " 1. arrivals"))
    assert docgen.main(["--check"]) == 1
    assert "docs/architecture.md is out of date" in capsys.readouterr().out
    assert docgen.main([]) == 0
    assert "rewrote docs/architecture.md" in capsys.readouterr().out
    assert docgen.main(["--check"]) == 0


def test_missing_markers_are_an_error():
    with pytest.raises(docgen.DocgenError, match="BEGIN GENERATED: parameters"):
        docgen.update_text("no markers here\n", ("parameters",), "x.md")


def _documented_columns() -> list[str]:
    text = (docgen.ROOT / "docs" / "outcomes.md").read_text(encoding="utf-8")
    section = re.search(r"^## Columns\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert section, "docs/outcomes.md has no '## Columns' section"
    entries = re.split(r"^### ", section.group(1), flags=re.M)[1:]
    names = []
    for entry in entries:
        heading, _, body = entry.partition("\n")
        m = re.fullmatch(r"`(\w+)`\s*", heading)
        assert m, f"docs/outcomes.md: column heading not of the form ### `name`: {heading!r}"
        assert body.strip(), f"docs/outcomes.md: {m.group(1)} has no description"
        names.append(m.group(1))
    return names


def test_outcomes_doc_documents_exactly_the_columns():
    documented = _documented_columns()
    twice = sorted({c for c in documented if documented.count(c) > 1})
    assert not twice, f"documented more than once in docs/outcomes.md: {twice}"
    missing = [c for c in COLUMNS if c not in documented]
    assert not missing, f"columns of wingsim.outcomes.COLUMNS not in docs/outcomes.md: {missing}"
    extra = [c for c in documented if c not in COLUMNS]
    assert not extra, f"docs/outcomes.md documents columns not in COLUMNS: {extra}"
