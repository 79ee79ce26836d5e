"""One browser session's run: the settings it was started from, its models and their data.

A :class:`Run` lives in a worker process (:mod:`wingsim.dashboard.workers`), which steps it
and answers the server's proxy of it; a lock keeps a reader from seeing a half-stepped day.
Nothing here draws: the page sends :mod:`frames` data to the browser.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, fields, replace

import numpy as np

from wingsim.dashboard import frames
from wingsim.dashboard.layout import WingLayout
from wingsim.dashboard.released import released_table
from wingsim.model import WingModel
from wingsim.scenario import Scenario, default_scenario, load_scenario

REGIMES = ["dispersal", "containment", "combination"]
#: Environment variable naming a scenario file to start from (set by ``wingsim dashboard``).
SCENARIO_ENV = "WINGSIM_DASHBOARD_SCENARIO"
#: Largest seed accepted in the page: numpy takes any non-negative integer, but a seed
#: is something a participant types and reads back, so 9 digits are plenty.
SEED_MAX = 999_999_999
#: The longest a run plays (days): ten years, longer than any question a workshop asks,
#: and it bounds a session's memory (a default model with a year of day-by-day records
#: takes about 1.7 MB, measured with tracemalloc).
MAX_DAYS = 3650
#: Days of every series sent with each picture: more than are stepped between two pictures
#: (30 days per second at most, 10 pictures per second), so the browser misses no day.
TAIL_DAYS = 30


def base_scenario() -> Scenario:
    path = os.environ.get(SCENARIO_ENV)
    return load_scenario(path) if path else default_scenario()


@dataclass(frozen=True)
class Lever:
    """A setting a participant moves: its slider range and how its value is shown."""

    field: str
    label: str
    lo: float
    hi: float
    step: float
    unit: str
    percent: bool = False  # shown as a percentage of the unit

    def shown(self, value: float) -> str:
        if self.percent:
            return f"{100 * value:.0f}% {self.unit}"
        if self.step >= 1:
            return f"{int(value)} {self.unit}"
        return f"{value:.2f} {self.unit}"


#: The levers, in the order shown; the trainer chooses which ones participants may move.
LEVERS = (
    Lever("veo_share", "VEOs among prisoners", 0.0, 0.2, 0.01, "of prisoners", percent=True),
    Lever("staff_ratio", "Officers per prisoner", 0.05, 0.6, 0.01, "officers per prisoner"),
    Lever("training", "Officers with extremism training", 0.0, 1.0, 0.05, "of officers", True),
    Lever("fairness", "Officer fairness", 0.0, 1.0, 0.05, "(0 = arbitrary, 1 = fair)"),
    Lever("accuracy", "Risk assessment accuracy", 0.0, 1.0, 0.05, "(1 = no assessment error)"),
    Lever("chaplains", "Chaplains available", 0, 8, 1, "chaplains"),
)
LEVER_FIELDS = ("regime",) + tuple(lv.field for lv in LEVERS)


@dataclass(frozen=True)
class Settings:
    """What a participant can change; each change starts a new run."""

    regime: str = "dispersal"
    veo_share: float = 0.05
    staff_ratio: float = 0.22
    training: float = 0.4
    fairness: float = 0.7
    accuracy: float = 0.8
    chaplains: int = 2
    seed: int = 1

    @classmethod
    def from_scenario(cls, sc: Scenario) -> Settings:
        pop = sc.population
        return cls(
            regime=sc.regime.type,
            veo_share=round(pop.veo_violent_share + pop.veo_lesser_share, 3),
            staff_ratio=sc.staff.staff_ratio,
            training=sc.staff.training,
            fairness=sc.staff.fairness,
            accuracy=round(max(0.0, 1.0 - sc.assessment.noise), 2),
            chaplains=sc.chaplaincy.chaplains,
            seed=sc.run.seed,
        )

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def levers(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def scenario(self, base: Scenario, regime: str | None = None) -> Scenario:
        pop = base.population
        total = pop.veo_violent_share + pop.veo_lesser_share
        violent = pop.veo_violent_share / total if total > 0 else 0.5
        return base.with_overrides(
            {
                "regime.type": regime or self.regime,
                "population.veo_violent_share": self.veo_share * violent,
                "population.veo_lesser_share": self.veo_share * (1 - violent),
                "staff.staff_ratio": self.staff_ratio,
                "staff.training": self.training,
                "staff.fairness": self.fairness,
                "assessment.noise": round(1.0 - self.accuracy, 4),
                "chaplaincy.chaplains": self.chaplains,
            }
        )


def parse_seed(text: str) -> tuple[int | None, str]:
    """The seed typed in the page, or None and a message to show beside the box."""
    text = (text or "").strip()
    try:
        seed = int(text)
    except ValueError:
        return None, f"The seed must be a whole number from 0 to {SEED_MAX:,}."
    if not 0 <= seed <= SEED_MAX:
        return None, f"The seed must be from 0 to {SEED_MAX:,} (you typed {text[:20]})."
    return seed, ""


class Run:
    """One or two models advancing together from the same seed, with their fixed layouts."""

    def __init__(self, settings: Settings, compare_with: str | None = None, base=None):
        base = base if base is not None else base_scenario()
        self.settings = settings
        self.regimes = [settings.regime] + ([compare_with] if compare_with else [])
        self.models = [
            WingModel(settings.scenario(base, r), rng=settings.seed) for r in self.regimes
        ]
        self.layouts = [WingLayout.for_model(m) for m in self.models]
        self.lock = threading.Lock()
        self.names = [r.capitalize() for r in self.regimes]

    @property
    def day(self) -> int:
        return self.models[0].day if self.models else 0

    @property
    def finished(self) -> bool:
        return not self.models or self.day >= MAX_DAYS

    @property
    def count(self) -> int:
        """Models shown side by side (1 or 2)."""
        return len(self.names)

    def close(self) -> None:
        """Drop the models: their memory goes even if a closed page's widgets linger."""
        with self.lock:
            self.models = []
            self.layouts = []

    def step(self) -> None:
        """One day for every model (nothing once the run has played MAX_DAYS)."""
        with self.lock:
            if self.finished:
                return
            for m in self.models:
                m.step()

    def wing_spec(self, i: int) -> dict:
        """Sent once per run: where everything is drawn."""
        return frames.network_static(self.models[i], self.layouts[i], self.names[i])

    def wing_day(self, i: int) -> dict:
        with self.lock:
            return frames.network_day(self.models[i])

    def series_spec(self) -> dict:
        """Sent when a chart appears: titles, colours and every day so far."""
        with self.lock:
            return {
                **frames.series_spec(self.names),
                "history": [frames.series_values(m) for m in self.models],
            }

    def series_tail(self) -> dict:
        """Sent with each picture: the newest points of every series."""
        with self.lock:
            n = len(self.models[0].datacollector.model_vars["day"])
            since = max(n - TAIL_DAYS, 0)
            return {"tail": [frames.series_values(m, since=since) for m in self.models]}

    def frame(self) -> dict:
        """Everything a page shows of today, in one piece: what crosses the worker's pipe.

        The pictures' data is JSON text already (``wing``: one per model, ``tail``): the
        server puts it into the page's charts as it is, without decoding or encoding it.
        """
        return {
            "day": self.day,
            "finished": self.finished,
            "wing": [frames.as_json(self.wing_day(i)) for i in range(len(self.models))],
            "tail": frames.as_json(self.series_tail()),
            "outcomes": self.outcomes(),
        }

    def released(self) -> str:
        """The released cohort's table (HTML)."""
        with self.lock:
            return released_table(self.models, self.names)

    def outcomes(self) -> dict[str, float]:
        """The first model's totals so far, for the trainer's room view."""
        with self.lock:
            mv = self.models[0].datacollector.model_vars
            cost = np.asarray(mv["cost"], dtype=float)
            trust = mv["trust_in_staff"]
            return {
                "day": self.day,
                "cost": float(cost.mean()) if cost.size else 0.0,
                "radicalised": float(np.sum(mv["entered_radical"])),
                "trust": float(trust[-1]) if trust else float("nan"),
                "incidents": float(np.sum(mv["incidents"])),
            }
