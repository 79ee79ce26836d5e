"""The reference docs keep up with the code: every shipped scenario is listed.

Outcome columns and parameter tables: ``tests/test_docs_generated.py``, ``tests/test_odd.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_scenarios_doc_lists_every_shipped_file():
    text = (ROOT / "docs" / "scenarios.md").read_text()
    listed = set(re.findall(r"^\| `([\w.-]+\.toml)` \|", text, flags=re.M))
    shipped = {p.name for p in (ROOT / "scenarios").glob("*.toml")}
    assert listed == shipped
