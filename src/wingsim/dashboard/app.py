"""The dashboard's pages: one person's dashboard, and in workshop mode a trainer's page.

Each browser session gets its own run, hosted and stepped in a worker process
(:mod:`workers`); the session's thread in the server (Solara's threaded task) only tells it
to play or pause and fetches a frame when the page may draw another picture (:mod:`live`),
so no model step holds the server's GIL and event loop, and puts the picture into the
page's widgets itself: no component re-renders for a picture. Pictures are drawn in the
browser with echarts and a canvas from compact data (:mod:`frames`, :mod:`charts`); the
server draws nothing.

Routes: ``/`` is the dashboard (in workshop mode: the participant page, after a
nickname); ``/trainer?token=...`` is the trainer's page (workshop mode only).
"""

from __future__ import annotations

import math
import os
import time
from urllib.parse import parse_qs

import solara
from solara.lifecycle import kernel_closed_event
from solara.server import kernel_context

from wingsim.dashboard.charts import DayCounter, EchartsData, HtmlBox
from wingsim.dashboard.frames import CHAPLAIN_COLOUR, STAFF_COLOUR, as_json
from wingsim.dashboard.live import Driver, Live, use_session_thread
from wingsim.dashboard.room import ROOM, Participant, check_nickname
from wingsim.dashboard.session import (
    LEVERS,
    MAX_DAYS,
    REGIMES,
    Settings,
    base_scenario,
    parse_seed,
)
from wingsim.dashboard.workers import POOL, RemoteRun

REGIME_TEXT = {
    "dispersal": "Dispersal: VEOs spread across mainstream wings, no special unit",
    "containment": "Containment: VEOs held together on the special unit",
    "combination": "Combination: most VEOs dispersed, the most influential contained",
}
DEBUG = bool(os.environ.get("WINGSIM_DASHBOARD_DEBUG"))
#: Play speed: slider range (days per second) and where it starts.
SPEED_MAX = 30
SPEED_START = 10
#: While playing, the participant's cost beside the budget is updated at most this often (s).
COST_SECONDS = 1.0


def page_away(context) -> bool:
    """Whether no page of a session is connected (its tab closed or its connection dropped).

    Solara keeps such a session for the grace period (``--drop-after``) in case the page
    comes back; its run pauses meanwhile, so a room of closed tabs does not keep the
    workers stepping (and growing) runs nobody sees.
    """
    statuses = list(context.page_status.values())
    return bool(statuses) and kernel_context.PageStatus.CONNECTED not in statuses


CSS = """
.wingsim-page { font-size: 18px; }
.wingsim-page .v-btn { font-size: 17px !important; }
.wingsim-page .v-slider .v-label { font-size: 16px !important; }
.wingsim-day { font-size: 30px; font-weight: 600; }
.wingsim-legend td { padding: 2px 10px 2px 0; }
.wingsim-released-table { font-size: 15px; border-collapse: collapse; }
.wingsim-released-table th, .wingsim-released-table td { padding: 1px 10px 1px 0; }
.wingsim-regime .v-btn, .wingsim-regime-b .v-btn, .wingsim-mode .v-btn {
  font-size: 14px !important; padding: 0 8px;
}
.wingsim-value { font-size: 15px; color: #333; margin: -14px 0 6px 0; }
.wingsim-message { color: #b40426; font-size: 15px; }
/* Vuetify's loading bar in the seed box runs while the session's task runs, that is the
   whole time a run plays: an endless 60-frames-a-second animation that cost the browser
   more than drawing the pictures (0.7 of a core for two pages in headless Chromium). */
.wingsim-page .v-field__loader { display: none !important; }
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


def _kernel_id() -> str:
    return kernel_context.get_current_context().id


def _on_kernel_start():
    """Free a session's place and memory when Solara closes its kernel."""
    context = kernel_context.get_current_context()
    # Solara also runs this clean-up when it restarts a kernel for a page that stays open;
    # only a close marks the context as torn down first.
    return lambda: ROOM.release(
        context.id, closing=getattr(context, "_teardown_done", True), context=context
    )


solara.lab.on_kernel_start(_on_kernel_start)


def Heading(text: str, tag: str = "h3"):
    return solara.HTML(tag=tag, unsafe_innerHTML=text)


@solara.component
def SeedBox(settings: solara.Reactive[Settings]):
    """The seed, checked as typed: a bad one gets a message beside the box."""
    text, set_text = solara.use_state(str(settings.value.seed))
    seed, message = parse_seed(text)

    def typed(value: str):
        set_text(value)
        good, _ = parse_seed(value)
        if good is not None and good != settings.value.seed:
            settings.set(settings.value.with_(seed=good))

    solara.InputText(
        "Seed (same seed = same run)",
        value=text,
        on_value=typed,
        continuous_update=False,
        classes=["wingsim-seed"],
    )
    if message:
        solara.HTML(
            tag="div", unsafe_innerHTML=message, classes=["wingsim-message", "wingsim-seed-error"]
        )


@solara.component
def Controls(settings: solara.Reactive[Settings], compare, regime_b, speed, allowed):
    s = settings.value

    def setter(name):
        return lambda v: settings.set(settings.value.with_(**{name: v}))

    Heading("Regime")
    if "regime" in allowed:
        solara.ToggleButtonsSingle(
            value=s.regime, values=REGIMES, on_value=setter("regime"), classes=["wingsim-regime"]
        )
    else:
        solara.Text(f"{s.regime.capitalize()} (set by the trainer)")
    solara.Text(REGIME_TEXT[s.regime])
    Heading("View")
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
    Heading("The establishment")
    for lever in LEVERS:
        value = getattr(s, lever.field)
        Slider = solara.SliderInt if lever.step >= 1 else solara.SliderFloat
        extra = {} if lever.step >= 1 else {"step": lever.step}
        Slider(
            lever.label,
            value=value,
            min=lever.lo,
            max=lever.hi,
            on_value=setter(lever.field),
            disabled=lever.field not in allowed,
            **extra,
        )
        solara.HTML(tag="div", unsafe_innerHTML=lever.shown(value), classes=["wingsim-value"])
    SeedBox(settings)
    solara.SliderInt("Speed", value=speed, min=1, max=SPEED_MAX)
    solara.HTML(
        tag="div", unsafe_innerHTML=f"{speed.value} days per second", classes=["wingsim-value"]
    )


def budget_text(cost: float | None, budget: float | None) -> tuple[str, bool]:
    """The participant's cost line beside the budget, and whether it is over the budget.

    ``cost`` is the run's mean cost per day so far: the cost the trainer's table shows and
    marks "over" against the same budget.
    """
    if cost is None or budget is None or not math.isfinite(cost):
        return "", False
    if cost > budget:
        return (
            f"Your run's cost so far: EUR {cost:,.0f} per day, "
            f"over the trainer's budget of EUR {budget:,.0f}.",
            True,
        )
    return f"Your run's cost so far: EUR {cost:,.0f} per day, within the budget.", False


@solara.component
def Stage(
    run: RemoteRun,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    on_reset,
    participant: Participant,
    on_room=None,
    cost: solara.Reactive | None = None,
):
    """Day counter, buttons and the pictures.

    Re-rendered by a click, a new run, the run's end or its worker's crash, never by a
    picture: the session's thread puts each picture into the widgets itself (:mod:`live`).
    """
    _state, set_state = solara.use_state((run.rid, run.error, run.finished))
    live = solara.use_memo(Live, [])
    driver = solara.use_memo(Driver, [])
    driver.run, driver.playing, driver.speed = run, playing.value, speed.value
    driver.wake.set()

    def unmount():
        def gone():
            driver.mounted = False
            driver.wake.set()

        return gone

    solara.use_effect(unmount, [])

    def show(current: RemoteRun, now: float) -> None:
        """Put the run's newest frame (fetched already) into the page."""
        participant.outcomes = current.outcomes()
        if cost is not None and (not driver.playing or now - driver.cost_at >= COST_SECONDS):
            driver.cost_at = now
            cost.set(round(participant.outcomes.get("cost", 0.0)))
        live.push(current)
        state = (current.rid, current.error, current.finished)
        if state != driver.state:  # the run ended or its worker died: say so in the page
            driver.state = state
            set_state(state)

    driver.show = show
    driver.on_finished = lambda: playing.set(False)
    if driver.state is None:
        driver.state = _state

    def loop():
        """The session's thread: the run plays in its worker; this sends the pictures."""
        closed = kernel_closed_event()  # the page closed, or its connection dropped for good
        context = kernel_context.get_current_context()
        while driver.mounted and not closed.is_set() and not participant.gone:
            driver.wake.clear()
            driver.away = page_away(context)
            ROOM.keep(participant)
            if on_room is not None:
                on_room()
            t0 = time.perf_counter()
            pushed = live.pushed
            pause = driver.tick(t0)
            if DEBUG and live.pushed != pushed:
                print(f"picture {1e3 * (time.perf_counter() - t0):.1f} ms", flush=True)
            driver.wake.wait(pause)

    def session(_stop):  # the stage's own unmount (``driver.mounted``) ends it, at once
        try:
            loop()
        finally:
            driver.run = None

    use_session_thread(session, "wingsim-session")

    def step():
        run.step()
        show(run, time.perf_counter())

    # The values a picture changes (the day, the wings' and plots' data, the released
    # table) are never arguments of these elements: reacton sets every argument again at
    # each re-render (a click), which would take the page back to the run's first day. The
    # stage's effect hands the widgets to ``live``, which fills them at once and then with
    # each picture. The specs carry the run's id: a new run always redraws from scratch.
    specs = solara.use_memo(
        lambda: [as_json({**run.wing_spec(i), "run": run.rid}) for i in range(run.count)], [run]
    )
    series_spec = solara.use_memo(lambda: as_json({**run.series_spec(), "run": run.rid}), [run])
    els: dict = {}

    def attach():
        if "counter" not in els:
            return None  # the run's worker died: no pictures on the page
        get = solara.get_widget
        live.attach(
            run.rid,
            get(els["counter"]),
            [get(el) for el in els["wings"]],
            get(els["series"]),
            get(els["released"]),
        )
        live.push(run)  # the newest frame, now
        return lambda: live.detach(run.rid)

    solara.use_effect(attach, [run, bool(run.error)])

    with solara.Row(style={"align-items": "center", "gap": "16px"}):
        els["counter"] = DayCounter.element()
        solara.Button(
            "Pause" if playing.value else "Play",
            on_click=lambda: playing.set(not playing.value),
            color="primary",
            classes=["wingsim-play"],
        )
        solara.Button("Step one day", on_click=step, classes=["wingsim-step"])
        solara.Button("Reset", on_click=on_reset, classes=["wingsim-reset"])
    if run.error:
        els.clear()
        solara.HTML(
            tag="div", unsafe_innerHTML=run.error, classes=["wingsim-message", "wingsim-crashed"]
        )
        return
    if run.finished:
        solara.Text(
            f"The run has reached its horizon ({MAX_DAYS:,} days): press Reset to play again."
        )

    def wing(i: int):
        return EchartsData.element(
            kind="wing",
            spec_json=specs[i],
            css_class="wingsim-network",
            on_drawn=driver.on_drawn if i == 0 else None,
            acks=i == 0,
        )

    def plots():
        return EchartsData.element(kind="series", spec_json=series_spec, css_class="wingsim-plots")

    if run.count == 1:
        with solara.Columns([1, 1]):
            els["wings"] = [wing(0)]
            els["series"] = plots()
    else:
        with solara.Columns([1, 1]):
            els["wings"] = [wing(i) for i in range(run.count)]
        with solara.Row(justify="center"), solara.Column(style={"width": "70%"}):
            els["series"] = plots()
    els["released"] = HtmlBox.element(css_class="wingsim-released")


@solara.component
def Dashboard(participant: Participant):
    """One person's dashboard: levers on the left, the run on the right."""
    rules = ROOM.rules if ROOM.workshop else None
    base = solara.use_memo(lambda: rules.base() if rules else base_scenario(), [ROOM.version])
    settings = solara.use_reactive(Settings.from_scenario(base))
    compare = solara.use_reactive(False)
    regime_b = solara.use_reactive("containment")
    speed = solara.use_reactive(SPEED_START)
    playing = solara.use_reactive(False)
    generation = solara.use_reactive(0)
    seen = solara.use_memo(lambda: {"version": ROOM.version, "resets": ROOM.resets}, [])

    run = solara.use_memo(
        lambda: POOL.open(settings.value, regime_b.value if compare.value else None, base=base),
        [settings.value, compare.value, regime_b.value, generation.value, base],
    )
    participant.run = run
    solara.use_effect(lambda: run.close, [run])  # a replaced run frees its worker's memory
    cost = solara.use_reactive(None)

    def reset():
        playing.set(False)
        generation.set(generation.value + 1)

    def on_room():
        """Called from the session's thread: follow the trainer's new rules or reset."""
        if ROOM.version != seen["version"]:
            seen["version"] = ROOM.version
            playing.set(False)
            new = Settings.from_scenario(ROOM.rules.base())
            settings.set(new.with_(seed=settings.value.seed))
            reset()  # a new run, and the new budget shown, even if the settings are the same
        if ROOM.resets != seen["resets"]:
            seen["resets"] = ROOM.resets
            reset()

    allowed = rules.levers if rules else frozenset(Settings().levers())
    with solara.Columns([1, 2.7]):
        with solara.Column():
            Heading("wingsim: life on the wings", "h2")
            solara.Text("Compares regimes and levers; it never scores real people.")
            if rules:
                Budget(participant, rules.budget, cost)
            Controls(settings, compare, regime_b, speed, allowed)
        with solara.Column():
            Stage(run, playing, speed, reset, participant, on_room if rules else None, cost)
            solara.HTML(tag="div", unsafe_innerHTML=LEGEND)


@solara.component
def Budget(participant: Participant, budget: float | None, cost: solara.Reactive):
    """The budget line, and beside it the run's cost so far (re-rendered alone as it moves)."""
    name = participant.nickname
    if budget is None:
        solara.Text(f"Playing as {name}. No budget is set.")
        return
    solara.Text(f"Playing as {name}. Budget: EUR {budget:,.0f} per day (mean over the run).")
    text, over = budget_text(cost.value, budget)
    if text:
        classes = ["wingsim-cost"] + (["wingsim-message", "wingsim-over"] if over else [])
        solara.HTML(tag="div", unsafe_innerHTML=text, classes=classes)


@solara.component
def FullPage():
    Heading("The room is full", "h2")
    solara.Text(
        f"All {ROOM.max_sessions} places are taken. Please share a screen with a neighbour, "
        "or try again in a few minutes (a place is freed when someone closes their page)."
    )


@solara.component
def Join(participant: Participant, on_join):
    text, set_text = solara.use_state("")
    tried, set_tried = solara.use_state(False)
    name, message = check_nickname(text)

    def join():
        set_tried(True)
        if name is not None:
            participant.nickname = name
            on_join(name)

    Heading("Join the workshop", "h2")
    solara.Text(
        "Type a nickname. It is shown on the trainer's screen "
        "and forgotten when you close the page."
    )
    solara.InputText(
        "Nickname",
        value=text,
        on_value=set_text,
        continuous_update=True,
        classes=["wingsim-nickname"],
    )
    if tried and message:
        solara.HTML(tag="div", unsafe_innerHTML=message, classes=["wingsim-message"])
    solara.Button("Join", on_click=join, color="primary", classes=["wingsim-join"])


@solara.component
def ParticipantPage():
    participant = solara.use_memo(lambda: ROOM.admit(_kernel_id()), [])
    joined, set_joined = solara.use_state(not ROOM.workshop)
    solara.Style(CSS)
    solara.Title("wingsim: prison wing dashboard")
    with solara.Column(classes=["wingsim-page"], style={"padding": "12px"}):
        if participant is None:
            FullPage()
        elif not joined:
            Join(participant, lambda _name: set_joined(True))
        else:
            Dashboard(participant)


@solara.component
def TrainerPage():
    from wingsim.dashboard.trainer import Trainer

    router = solara.use_router()
    token = parse_qs(router.search or "").get("token", [""])[0]
    solara.Style(CSS)
    solara.Title("wingsim: trainer")
    with solara.Column(classes=["wingsim-page"], style={"padding": "12px"}):
        if not ROOM.workshop:
            Heading("No workshop running", "h2")
            solara.Text("Start the dashboard with --workshop to get a trainer page.")
        elif not ROOM.token_ok(token):
            Heading("Trainer page", "h2")
            solara.Text("Open the trainer link printed when the dashboard started.")
        else:
            Trainer()


@solara.component
def Layout(children=()):
    """No navigation bar: the trainer's page is reached by its link only."""
    return solara.Column(children=list(children), style={"padding": "0"})


routes = [
    solara.Route(path="/", component=ParticipantPage, layout=Layout),
    solara.Route(path="trainer", component=TrainerPage),
]
