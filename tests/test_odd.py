"""The generated parts of docs/ are current: ODD section 8, scenarios.md, the schedule.

The parameter tables in ``docs/ODD.md`` (section 8) and ``docs/scenarios.md`` and the
schedule in ``docs/architecture.md`` are generated from the source by
``python scripts/gen_docs.py``. This runs the generator in check mode, in-process: a
parameter, default, range, unit or source changed in the code without regenerating the
docs (or a hand edit inside a generated block) fails here.
"""

from __future__ import annotations

from wingsim.devtools import docgen
from wingsim.scenario import Scenario


def test_generated_docs_are_up_to_date():
    stale = docgen.check()
    assert not stale, (
        "The generated parts of docs/ differ from the source. Run\n\n"
        f"    {docgen.COMMAND}\n\nand commit the result.\n\n" + "\n\n".join(stale)
    )


def test_odd_section_8_lists_every_schema_parameter():
    """Belt and braces: every dotted parameter name appears as a row of ODD section 8."""
    text = (docgen.ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    section = text[text.index("## 8. Parameter table") :]
    for table in docgen.parameter_tables(Scenario):
        for row in table.rows:
            assert f"| {row[0]} |" in section, f"{row[0]} missing from docs/ODD.md section 8"
