"""Regression: a fixed scenario and seed reproduce the stored summary.

If behaviour is meant to change, regenerate with ``python scripts/regenerate_baseline.py``.
"""

import importlib.util
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("regen", ROOT / "scripts" / "regenerate_baseline.py")
regen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(regen)


def _differences(stored: dict, now: dict) -> dict:
    assert set(now) == set(stored)
    return {
        k: (stored[k], now[k])
        for k in stored
        if not (
            math.isclose(stored[k], now[k], rel_tol=1e-9, abs_tol=1e-12)
            or (math.isnan(stored[k]) and math.isnan(now[k]))
        )
    }


def test_summary_matches_stored_baseline():
    stored = json.loads(regen.BASELINE.read_text())
    diffs = _differences(stored, regen.baseline_summary())
    assert not diffs, f"behaviour changed (regenerate deliberately if intended): {diffs}"


def test_prison_untouched_by_the_community_when_nobody_returns():
    """The community draws only from its own streams: with no returns to custody, the
    prison's outcomes are bit-identical to the prison before the community existed."""
    stored = json.loads(regen.PRISON_BASELINE.read_text())
    diffs = _differences(stored, regen.prison_summary())
    assert not diffs, f"the community moved the prison: {diffs}"
