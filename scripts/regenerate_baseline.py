"""Regenerate the baseline summary used by tests/test_baseline.py.

Run deliberately when model behaviour is *meant* to change, and say why in the commit:
    python scripts/regenerate_baseline.py
"""

from __future__ import annotations

import json
from pathlib import Path

from wingsim import load_scenario
from wingsim.outcomes import summarise
from wingsim.output import run_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "containment.toml"
SEED, DAYS = 42, 120
BASELINE = ROOT / "tests" / "baseline" / "containment-seed42-120d.json"


def baseline_summary() -> dict[str, float]:
    model = run_scenario(load_scenario(SCENARIO), seed=SEED, days=DAYS)
    return summarise(model.datacollector.get_model_vars_dataframe())


if __name__ == "__main__":
    BASELINE.write_text(json.dumps(baseline_summary(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {BASELINE}")
