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


def test_summary_matches_stored_baseline():
    stored = json.loads(regen.BASELINE.read_text())
    now = regen.baseline_summary()
    assert set(now) == set(stored)
    diffs = {
        k: (stored[k], now[k])
        for k in stored
        if not (
            math.isclose(stored[k], now[k], rel_tol=1e-9, abs_tol=1e-12)
            or (math.isnan(stored[k]) and math.isnan(now[k]))
        )
    }
    assert not diffs, f"behaviour changed (regenerate deliberately if intended): {diffs}"
