"""The workshop dashboard: a Solara page built from Solara components.

Mesa's ``SolaraViz`` renders its controls offline but its main grid of plot components
stayed empty in headless Chromium (see docs/dashboard.md), so this page composes Solara
components directly around a Mesa model (``WingModel``): sliders and buttons, and two
images redrawn every step by :mod:`wingsim.dashboard.figures` on a fixed layout.

State lives per browser tab (``use_reactive`` / ``use_memo``): changing any setting
starts a fresh run from day 0 with the chosen seed, like Mesa's own model controls.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass

import solara

from wingsim.dashboard.figures import CHAPLAIN_COLOUR, STAFF_COLOUR, NetworkFigure, OutcomePlots
from wingsim.dashboard.released import released_table
from wingsim.model import WingModel
from wingsim.scenario import Scenario, default_scenario, load_scenario

REGIMES = ["dispersal", "containment", "combination"]

#: The levers a trainer moves: (label, Settings field, min, max, step).
LEVERS = (
    ("VEOs among prisoners", "veo_share", 0.0, 0.2, 0.01),
    ("Officers per prisoner", "staff_ratio", 0.05, 0.6, 0.01),
    ("Officers with extremism training", "training", 0.0, 1.0, 0.05),
    ("Officer fairness", "fairness", 0.0, 1.0, 0.05),
    ("Risk assessment accuracy", "accuracy", 0.0, 1.0, 0.05),
)
REGIME_TEXT = {
    "dispersal": "Dispersal: VEOs spread across mainstream wings, no special unit",
    "containment": "Containment: VEOs held together on the special unit",
    "combination": "Combination: most VEOs dispersed, the most influential contained",
}
#: Environment variable naming a scenario file to start from (set by ``wingsim dashboard``).
SCENARIO_ENV = "WINGSIM_DASHBOARD_SCENARIO"
DEBUG = bool(os.environ.get("WINGSIM_DASHBOARD_DEBUG"))


def base_scenario() -> Scenario:
    path = os.environ.get(SCENARIO_ENV)
    return load_scenario(path) if path else default_scenario()


@dataclass(frozen=True)
class Settings:
    """What the trainer can change; each change starts a new run."""

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


class Run:
    """One or two models advancing together from the same seed, with their figures."""

    def __init__(self, settings: Settings, compare_with: str | None = None, base=None):
        base = base if base is not None else base_scenario()
        self.regimes = [settings.regime] + ([compare_with] if compare_with else [])
        self.models = [
            WingModel(settings.scenario(base, r), rng=settings.seed) for r in self.regimes
        ]
        self.networks = [NetworkFigure(m) for m in self.models]
        self.plots = OutcomePlots([r.capitalize() for r in self.regimes])
        self._frame: tuple[int, list[bytes], bytes] | None = None

    @property
    def day(self) -> int:
        return self.models[0].day

    def step(self) -> None:
        for m in self.models:
            m.step()

    def frame(self) -> tuple[list[bytes], bytes]:
        """PNG images of today's network(s) and the outcome plots (drawn once per day)."""
        if self._frame is None or self._frame[0] != self.day:
            nets = []
            for m, fig, r in zip(self.models, self.networks, self.regimes, strict=True):
                fig.update(m, title=f"{r.capitalize()}, day {m.day}")
                nets.append(fig.png())
            self.plots.update(self.models)
            self._frame = (self.day, nets, self.plots.png())
        return self._frame[1], self._frame[2]


CSS = """
.wingsim-page { font-size: 18px; }
.wingsim-page .v-btn { font-size: 17px !important; }
.wingsim-page .v-slider .v-label { font-size: 16px !important; }
.wingsim-day { font-size: 30px; font-weight: 600; }
.wingsim-legend td { padding: 2px 10px 2px 0; }
.wingsim-released-table { font-size: 15px; border-collapse: collapse; }
.wingsim-released-table th, .wingsim-released-table td { padding: 1px 10px 1px 0; }
.wingsim-page img { width: 100%; height: auto; }
.wingsim-regime .v-btn, .wingsim-regime-b .v-btn, .wingsim-mode .v-btn {
  font-size: 14px !important; padding: 0 8px;
}
"""

LEGEND = f"""
<table class="wingsim-legend">
<tr><td>● circle</td><td>mainstream prisoner</td>
<td>▲ triangle</td><td>at risk of radicalisation</td></tr>
<tr><td>■ square</td><td>VEO (violent extremist offender)</td>
<td>◯ black ring</td><td>prisoner leader (high status)</td></tr>
<tr><td><span style="color:{STAFF_COLOUR}">✚</span> green cross</td><td>prison officer</td>
<td><span style="color:{CHAPLAIN_COLOUR}">★</span> purple star</td><td>chaplain</td></tr>
<tr><td colspan="4">Colour = extremism:
<span style="color:#3b4cc0">■ low</span> → <span style="color:#b40426">■ high</span>.
Grey lines = friendships, darker = stronger. Circles = wings; orange = special unit.</td></tr>
</table>
"""


@solara.component
def Controls(settings: solara.Reactive[Settings], compare, regime_b, speed):
    s = settings.value

    def setter(name):
        def set_(v):
            settings.set(Settings(**{**s.__dict__, name: v}))

        return set_

    solara.HTML(tag="h3", unsafe_innerHTML="Regime")
    solara.ToggleButtonsSingle(
        value=s.regime, values=REGIMES, on_value=setter("regime"), classes=["wingsim-regime"]
    )
    solara.Text(REGIME_TEXT[s.regime])
    solara.HTML(tag="h3", unsafe_innerHTML="View")
    solara.ToggleButtonsSingle(
        value="side by side" if compare.value else "one regime",
        values=["one regime", "side by side"],
        on_value=lambda v: compare.set(v == "side by side"),
        classes=["wingsim-mode"],
    )
    with solara.Column():  # its own parent, so the controls below keep their identity
        if compare.value:
            solara.Text("Second regime (same seed and settings, only the regime differs):")
            solara.ToggleButtonsSingle(value=regime_b, values=REGIMES, classes=["wingsim-regime-b"])
    solara.HTML(tag="h3", unsafe_innerHTML="The establishment")
    for label, field, lo, hi, step in LEVERS:
        solara.SliderFloat(
            label, value=getattr(s, field), min=lo, max=hi, step=step, on_value=setter(field)
        )
    solara.SliderInt(
        "Chaplains available", value=s.chaplains, min=0, max=8, on_value=setter("chaplains")
    )
    solara.InputInt("Seed (same seed = same run)", value=s.seed, on_value=setter("seed"))
    solara.SliderInt("Speed (days per second)", value=speed, min=1, max=30)


@solara.component
def Stage(run: Run, playing: solara.Reactive[bool], speed: solara.Reactive[int], on_reset):
    """Day counter, play/step/reset and the pictures. Only this re-renders each day."""
    _day, set_day = solara.use_state(run.day)

    def step():
        run.step()
        set_day(run.day)

    async def play():
        next_time = time.perf_counter()
        while playing.value:
            t0 = time.perf_counter()
            run.step()
            run.frame()
            t1 = time.perf_counter()
            set_day(run.day)
            if DEBUG:
                t2 = time.perf_counter()
                print(
                    f"speed {speed.value} step+draw {1e3 * (t1 - t0):.0f} ms, "
                    f"render {1e3 * (t2 - t1):.0f} ms",
                    flush=True,
                )
            next_time += 1.0 / speed.value
            await asyncio.sleep(max(0.005, next_time - time.perf_counter()))
            next_time = max(next_time, time.perf_counter() - 0.5)

    solara.lab.use_task(play, dependencies=[playing.value, run], prefer_threaded=False)

    nets, plots = run.frame()
    with solara.Row(style={"align-items": "center", "gap": "16px"}):
        solara.HTML(tag="div", unsafe_innerHTML=f"Day {run.day}", classes=["wingsim-day"])
        solara.Button(
            "Pause" if playing.value else "Play",
            on_click=lambda: playing.set(not playing.value),
            color="primary",
            classes=["wingsim-play"],
        )
        solara.Button("Step one day", on_click=step, classes=["wingsim-step"])
        solara.Button("Reset", on_click=on_reset, classes=["wingsim-reset"])
    if len(nets) == 1:
        with solara.Columns([1, 1]):
            solara.Image(nets[0], classes=["wingsim-network"])
            solara.Image(plots, classes=["wingsim-plots"])
    else:
        with solara.Columns([1, 1]):
            for png in nets:
                solara.Image(png, classes=["wingsim-network"])
        with solara.Row(justify="center"), solara.Column(style={"width": "70%"}):
            solara.Image(plots, classes=["wingsim-plots"])
    # The community steps weekly: while playing, the table is redrawn once a week.
    when = run.day // 7 if playing.value else run.day
    names = [r.capitalize() for r in run.regimes]
    released = solara.use_memo(lambda: released_table(run.models, names), [run, when])
    solara.HTML(tag="div", unsafe_innerHTML=released, classes=["wingsim-released"])


@solara.component
def Page():
    initial = solara.use_memo(lambda: Settings.from_scenario(base_scenario()), [])
    settings = solara.use_reactive(initial)
    compare = solara.use_reactive(False)
    regime_b = solara.use_reactive("containment")
    speed = solara.use_reactive(10)
    playing = solara.use_reactive(False)
    generation = solara.use_reactive(0)

    run = solara.use_memo(
        lambda: Run(settings.value, regime_b.value if compare.value else None),
        [settings.value, compare.value, regime_b.value, generation.value],
    )

    def reset():
        playing.set(False)
        generation.set(generation.value + 1)

    solara.Style(CSS)
    solara.Title("wingsim: prison wing dashboard")
    with (
        solara.Column(classes=["wingsim-page"], style={"padding": "12px"}),
        solara.Columns([1, 2.7]),
    ):
        with solara.Column():
            solara.HTML(tag="h2", unsafe_innerHTML="wingsim: life on the wings")
            solara.Text("Compares regimes and levers; it never scores real people.")
            Controls(settings, compare, regime_b, speed)
        with solara.Column():
            Stage(run, playing, speed, reset)
            solara.HTML(tag="div", unsafe_innerHTML=LEGEND)
