"""The trainer's page (workshop mode): the room's rules, the room live, the big screen.

Like NetLogo's HubNet, every participant runs their own model; the trainer sets the
scenario, which levers participants may move and a budget, sees every participant's
outcomes as one scatter, puts any participant's run on the big screen and resets everyone.
"""

from __future__ import annotations

import math
from html import escape

import solara
from solara.lifecycle import kernel_closed_event

from wingsim.dashboard.charts import Chart, as_json
from wingsim.dashboard.live import use_session_thread
from wingsim.dashboard.pictures import Pictures
from wingsim.dashboard.room import ROOM, Rules, budget_in_range, scenario_names
from wingsim.dashboard.session import LEVER_FIELDS, LEVERS

#: How often the trainer's view of the room refreshes (s).
REFRESH_SECONDS = 1.0
#: The room scatter's axes: (name, x key, x label, y key, y label).
VIEWS = {
    "cost against people radicalised": (
        "cost",
        "Cost (EUR per day, mean)",
        "radicalised",
        "People radicalised (so far)",
    ),
    "trust against incidents": (
        "trust",
        "Trust in staff (today, 0-1)",
        "incidents",
        "Incidents (so far)",
    ),
}
LEVER_LABELS = {"regime": "Regime"} | {lv.field: lv.label for lv in LEVERS}


def parse_budget(text: str) -> tuple[float | None, str]:
    """A budget in EUR per day (empty = none), or None and a message."""
    text = (text or "").strip().replace(",", "")
    if not text:
        return None, ""
    try:
        value = float(text)
    except ValueError:
        return None, "The budget is a number of euros per day, or empty for none."
    if not budget_in_range(value):
        return None, "The budget must be more than 0 and less than 1,000,000,000 EUR per day."
    return value, ""


def room_points(view: str) -> list[dict]:
    """One point per participant for the scatter (participants who have not played: none)."""
    xkey, _xl, ykey, _yl = VIEWS[view]
    budget = ROOM.rules.budget
    points = []
    for p in ROOM.participants():
        o = p.outcomes
        if not o or not all(math.isfinite(o[k]) for k in (xkey, ykey)):
            continue
        points.append(
            {
                "key": p.key,
                "name": p.nickname,
                "x": round(o[xkey], 3),
                "y": round(o[ykey], 3),
                "over": budget is not None and o["cost"] > budget,
            }
        )
    return points


@solara.component
def RulesPanel():
    rules = ROOM.rules
    names = scenario_names()
    scenario, set_scenario = solara.use_state(rules.scenario or "")
    levers, set_levers = solara.use_state(sorted(rules.levers))
    budget_text, set_budget_text = solara.use_state(
        "" if rules.budget is None else f"{rules.budget:.0f}"
    )
    budget, message = parse_budget(budget_text)
    Heading = solara.HTML
    Heading(tag="h3", unsafe_innerHTML="The room's rules")
    solara.Select("Scenario", value=scenario, values=["", *names], on_value=set_scenario)
    solara.Text("(empty: the scenario the dashboard was started with)")
    solara.Text("Levers participants may move:")
    for field in LEVER_FIELDS:
        solara.Checkbox(
            label=LEVER_LABELS[field],
            value=field in levers,
            on_value=lambda on, f=field: set_levers(
                sorted(set(levers) | {f}) if on else [x for x in levers if x != f]
            ),
        )
    solara.InputText(
        "Budget (EUR per day; empty = none)", value=budget_text, on_value=set_budget_text
    )
    if message:
        solara.HTML(tag="div", unsafe_innerHTML=message, classes=["wingsim-message"])

    def apply():
        if not message:
            ROOM.set_rules(Rules(scenario=scenario, levers=frozenset(levers), budget=budget))

    with solara.Row():
        solara.Button(
            "Apply to everyone", on_click=apply, color="primary", classes=["wingsim-apply"]
        )
        solara.Button("Reset everyone", on_click=ROOM.reset_everyone, classes=["wingsim-reset-all"])


@solara.component
def Trainer():
    _tick, set_tick = solara.use_state(0)
    view, set_view = solara.use_state(next(iter(VIEWS)))

    def refresh(stop):
        """The trainer's thread: redraw the room every REFRESH_SECONDS."""
        closed = kernel_closed_event()
        n = 0
        while not closed.wait(REFRESH_SECONDS) and not stop.is_set():
            n += 1
            set_tick(n)

    use_session_thread(refresh, "wingsim-trainer")
    xkey, xlabel, ykey, ylabel = VIEWS[view]
    people = ROOM.participants()
    chosen = ROOM.find(ROOM.selected)
    with solara.Columns([1, 2.5]):
        with solara.Column():
            solara.HTML(tag="h2", unsafe_innerHTML="wingsim workshop: the trainer")
            solara.Text(f"{len(people)} participants joined ({ROOM.count()} pages open).")
            RulesPanel()
        with solara.Column():
            solara.ToggleButtonsSingle(
                value=view, values=list(VIEWS), on_value=set_view, classes=["wingsim-view"]
            )
            spec = as_json({"x": xlabel, "y": ylabel})
            data = as_json({"points": room_points(view), "selected": ROOM.selected})
            Chart("room", spec, data, css_class="wingsim-room", height="420px", on_pick=ROOM.select)
            rows = "".join(
                f"<tr><td>{escape(p.nickname)}</td>"
                f"<td>{p.outcomes.get('day', 0)}</td>"
                f"<td>{p.outcomes.get('cost', 0):,.0f}</td>"
                f"<td>{p.outcomes.get('radicalised', 0):.0f}</td>"
                f"<td>{p.outcomes.get('trust', float('nan')):.2f}</td>"
                f"<td>{p.outcomes.get('incidents', 0):.0f}</td></tr>"
                for p in people
            )
            solara.HTML(
                tag="table",
                unsafe_innerHTML="<tr><th>Nickname</th><th>Day</th><th>Cost/day</th>"
                "<th>Radicalised</th><th>Trust</th><th>Incidents</th></tr>" + rows,
                classes=["wingsim-released-table", "wingsim-participants"],
            )
            with solara.Row():
                for p in people:
                    solara.Button(
                        f"Show {p.nickname}",
                        on_click=lambda k=p.key: ROOM.select(k),
                        classes=["wingsim-show"],
                        text=True,
                    )
            if chosen is not None and chosen.run is not None and chosen.run.live:
                BigScreen(chosen.nickname, chosen.run)


@solara.component
def BigScreen(nickname: str, run):
    solara.HTML(tag="h3", unsafe_innerHTML=f"On the big screen: {escape(nickname)}, day {run.day}")
    Pictures(run, run.day)
