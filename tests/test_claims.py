"""The Table 2 claims are defined once (``wingsim.patterns.CLAIMS``) and read by all users.

Fast checks of the table itself; the statistics over 10 seeds are tests/test_patterns.py.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from wingsim.experiments.experiment_file import summary_columns
from wingsim.patterns import CLAIMS, claim, pattern_scenarios
from wingsim.validation import robustness

ROOT = Path(__file__).resolve().parents[1]


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_claim_is_well_formed():
    scenarios = pattern_scenarios()
    columns = set(summary_columns())
    assert len({c.name for c in CLAIMS}) == len(CLAIMS)
    for c in CLAIMS:
        assert c.a in scenarios and c.b in scenarios, c.name
        assert c.outcome in columns, c.name
        assert c.sign in (-1, 1) and c.kind in ("effect", "accounting"), c.name
        assert c.words, c.name
        if c.kind == "accounting" or not c.asserted:
            assert c.note, f"{c.name}: say why"
    assert claim("containment_cost").outcome == "mean_cost"
    with pytest.raises(KeyError, match="known"):
        claim("no such claim")


def test_accounting_claims_are_cost_and_labelling():
    """The unit labels whom it receives, and cost is summed from per-place costs."""
    accounting = {c.outcome for c in CLAIMS if c.kind == "accounting"}
    assert accounting == {"mean_cost", "mean_labelled_share"}


def test_robustness_maps_claims_of_the_table():
    assert tuple(claim(n) for n in robustness.STUDIED) == robustness.STUDIED_CLAIMS
    for contrast in robustness.CONTRASTS:
        ours = [p for p in robustness.PATTERNS if p.contrast == contrast]
        assert [(p.outcome, p.sign, p.claim) for p in ours] == [
            (c.outcome, c.sign, c.words) for c in robustness.STUDIED_CLAIMS
        ]
    assert tuple(c.outcome for c in robustness.STUDIED_CLAIMS) == robustness.OUTCOMES


def test_measuring_script_prints_every_claim_of_the_table():
    script = _load(ROOT / "scripts" / "measure_patterns.py")
    assert script.CLAIMS is CLAIMS
    rng = np.random.default_rng(0)
    outcomes = {c.outcome for c in CLAIMS} | {o for os in script.CONTEXT.values() for o in os}
    runs = {
        name: [{o: float(rng.normal()) for o in outcomes} for _ in range(5)]
        for name in pattern_scenarios()
    }
    text = script.text_report(runs)
    for c in CLAIMS:
        assert f"[{c.name}]" in text
    rows = script.markdown_table(runs).splitlines()[2:]
    assert len(rows) == len(CLAIMS)
    for row, c in zip(rows, CLAIMS, strict=True):
        assert row.startswith(f"| {c.words} | {c.kind} | `{c.outcome}` | {c.a} | {c.b} |")
    for a, b in script.pairs():
        assert a in runs and b in runs


def test_a_claim_holds_only_when_its_ci_excludes_zero_on_its_side():
    c = claim("containment_mainstream")  # expected sign -
    p = c.measure(
        {"dispersal": [{c.outcome: v} for v in (1.0, 2.0, 3.0)]}
        | {"containment": [{c.outcome: v} for v in (0.9, 1.8, 2.85)]}
    )
    assert p.hi < 0 and c.holds(p)
    assert not dataclasses.replace(c, sign=+1).holds(p)
