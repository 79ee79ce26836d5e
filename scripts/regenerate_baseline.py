"""Regenerate the baseline summaries used by tests/test_baseline.py.

Run deliberately when model behaviour is *meant* to change, and say why in the commit:
    python scripts/regenerate_baseline.py

Two files: the whole run (prison and community), and the prison's own outcomes of the
same run with nobody returning from the community (supervision and reoffending switched
off). The second guards that the community draws nothing from the prison's streams: it
changes only when the prison itself is meant to change.
"""

from __future__ import annotations

import json
from pathlib import Path

from wingsim import load_scenario
from wingsim.outcomes import AFTER_RELEASE, summarise
from wingsim.output import run_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "containment.toml"
SEED, DAYS = 42, 120
BASELINE = ROOT / "tests" / "baseline" / "containment-seed42-120d.json"
PRISON_BASELINE = ROOT / "tests" / "baseline" / "containment-seed42-120d-no-returns.json"
NO_RETURNS = {"submodels.supervision": False, "submodels.reoffending": False}


def baseline_summary(overrides: dict | None = None) -> dict[str, float]:
    scenario = load_scenario(SCENARIO)
    if overrides:
        scenario = scenario.with_overrides(overrides)
    model = run_scenario(scenario, seed=SEED, days=DAYS)
    return summarise(model.datacollector.get_model_vars_dataframe())


def prison_summary() -> dict[str, float]:
    """The prison's outcomes when nobody comes back from the community."""
    summary = baseline_summary(NO_RETURNS)
    return {k: v for k, v in summary.items() if k.split("_", 1)[1] not in AFTER_RELEASE}


if __name__ == "__main__":
    for path, summary in ((BASELINE, baseline_summary()), (PRISON_BASELINE, prison_summary())):
        path.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
        print(f"wrote {path}")
