"""The reference docs keep up with the code: every outcome column and shipped scenario."""

from __future__ import annotations

import re
from pathlib import Path

from wingsim.outcomes import COLUMNS

ROOT = Path(__file__).parents[1]


def test_outcomes_doc_has_one_entry_per_column_in_order():
    text = (ROOT / "docs" / "outcomes.md").read_text()
    documented = re.findall(r"^### `(\w+)`", text, flags=re.M)
    assert documented == list(COLUMNS)


def test_scenarios_doc_lists_every_shipped_file():
    text = (ROOT / "docs" / "scenarios.md").read_text()
    listed = set(re.findall(r"^\| `([\w.-]+\.toml)` \|", text, flags=re.M))
    shipped = {p.name for p in (ROOT / "scenarios").glob("*.toml")}
    assert listed == shipped
