"""The room: who is connected, the session limit, and the trainer's rules (workshop mode).

One :class:`Room` per server process, shared by every session's thread (hence the lock).
A participant is known by a random key and the nickname they typed; nothing is stored
beyond the session, and a session is forgotten when Solara closes its kernel (tab closed,
or connection lost for longer than the grace period).
"""

from __future__ import annotations

import collections
import ctypes
import ctypes.util
import gc
import math
import os
import re
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from wingsim.builtin import scenario_path, scenarios
from wingsim.dashboard.session import LEVER_FIELDS, base_scenario
from wingsim.dashboard.supervise import rules_line
from wingsim.dashboard.workers import RemoteRun
from wingsim.scenario import Scenario, load_scenario

#: Sessions served at once; one more sees "the room is full". 40 default participant
#: pages use about 6 MB each here, and the model steps share two cores.
MAX_SESSIONS = 40
#: Nicknames: short and plain (shown on the trainer's screen, never stored).
NICKNAME_MAX = 20
_NICKNAME_OK = re.compile(r"^[\w .'-]+$")
#: After a session closes, the reclaimer looks this long after the close, and again after
#: each further pause, until Solara has let go of every closed session (its kernel context,
#: and with it the page's widgets and component state); then it gives the freed memory back
#: (seconds; the session's thread notices the close within half a second).
RECLAIM_PAUSES = (1.0, 2.0, 5.0, 15.0, 60.0)
#: A trainer's budget is more than 0 and under this (EUR per day).
BUDGET_MAX = 1e9


def budget_in_range(value: float) -> bool:
    """Whether a trainer may set this budget (EUR per day): the page's and a kept rule's check."""
    return math.isfinite(value) and 0 < value < BUDGET_MAX


def check_nickname(text: str) -> tuple[str | None, str]:
    """A nickname, or None and a message to show beside the box."""
    name = (text or "").strip()
    if not name:
        return None, "Type a nickname (any name; it is forgotten when you close the page)."
    if len(name) > NICKNAME_MAX:
        return None, f"At most {NICKNAME_MAX} characters, please."
    if not _NICKNAME_OK.match(name):
        return None, "Letters, digits, spaces and . ' - only, please."
    return name, ""


def _trim_heap() -> None:
    """Return freed heap pages to the system (glibc's ``malloc_trim``; nothing elsewhere)."""
    libc = ctypes.util.find_library("c")
    if libc:
        trim = getattr(ctypes.CDLL(libc), "malloc_trim", None)
        if trim is not None:
            trim(0)


class Reclaimer:
    """Gives a closed session's memory back once the session's objects are really gone.

    A closed page's widgets and component state live as long as its Solara kernel context
    does. Solara (1.58) patches ``threading.Thread.__init__`` so that a thread started inside
    a session is bound to that session's context (``thread.current_context``) for the thread's
    whole life: a ``threading.Timer`` started from the close callback to collect garbage two
    seconds later kept the very context it was meant to free alive through that collection,
    and once the timer ended nothing collected the cycle (an idle server runs no full
    collection), so about 84 widgets per closed page and the server's RSS stayed.

    So this runs in one thread of its own, detached from any session, started on the first
    close. After a close it waits, collects (``gc.collect``) and looks again, by the pauses
    in ``pauses``, until no closed session's context is left; then it trims the heap.
    """

    def __init__(self, pauses=RECLAIM_PAUSES, trim: Callable[[], None] = _trim_heap):
        self.pauses = tuple(pauses)
        self.trim = trim
        self.lock = threading.Lock()
        self.pending: list[weakref.ref] = []  # closed sessions' contexts not yet freed
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.rounds = 0  # heap trims done (for tests and the debug log)
        self.held = 0  # closed contexts still alive after the last pause of the last round

    def closed(self, context=None) -> None:
        """A session has closed (``context``: its Solara kernel context, if known)."""
        with self.lock:
            if context is not None:
                self.pending.append(weakref.ref(context))
            if self.thread is None:
                thread = threading.Thread(target=self._loop, name="wingsim-reclaimer", daemon=True)
                # Started from a closing session's callback: unbind it from that session
                # (Solara's patched Thread.__init__ bound it), or it would keep it alive.
                thread.current_context = None
                self.thread = thread
                thread.start()
        self.wake.set()

    def waiting(self) -> int:
        """Closed sessions' contexts still alive (after a collection)."""
        gc.collect()
        with self.lock:
            self.pending = [r for r in self.pending if r() is not None]
            return len(self.pending)

    def _loop(self) -> None:
        while True:
            self.wake.wait()
            self.wake.clear()
            left = 0
            for pause in self.pauses:
                time.sleep(pause)
                left = self.waiting()
                if not left:
                    break
            self.held = left
            with self.lock:
                self.pending.clear()  # still held after the last pause: reported, not chased
            self.trim()
            self.rounds += 1
            if os.environ.get("WINGSIM_DASHBOARD_DEBUG"):
                print(memory_report(), flush=True)


def memory_report() -> str:
    """What the server holds (printed after each release with WINGSIM_DASHBOARD_DEBUG set):
    its resident memory, Python objects, live widgets by kind, Solara's sessions, threads,
    and the participants' objects still alive (as many as are in the room, unless a closed
    session's objects are kept)."""
    import ipywidgets
    from solara.server import kernel_context

    objects = gc.get_objects()
    kinds = collections.Counter(
        type(o).__name__ for o in objects if isinstance(o, ipywidgets.Widget)
    )
    widgets = sum(kinds.values())
    people = [o for o in objects if isinstance(o, Participant)]
    alive = len(people)
    # Counted in the same snapshot: a page joining meanwhile changes the room, not this.
    closed = sum(1 for p in people if p.gone)
    with open("/proc/self/statm") as f:
        rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    # Closed sessions' contexts still held by a thread's key in Solara's context table.
    held = {
        id(c)
        for c in list(kernel_context.current_context.values())
        if c is not None and kernel_context.contexts.get(c.id) is not c
    }
    return (
        f"memory: RSS {rss:.0f} MB, {len(objects):,} Python objects, {widgets} widgets, "
        f"{len(kernel_context.contexts)} Solara sessions ({len(held)} closed ones held by "
        f"thread keys), {threading.active_count()} threads, "
        f"{ROOM.count()} in the room, {alive} participants alive ({closed} closed), "
        f"{RECLAIMER.held} closed sessions not freed after "
        f"{sum(RECLAIMER.pauses):.0f} s; widgets: {dict(kinds.most_common(6))}"
    )


@dataclass
class Participant:
    """One connected page: its nickname, its run and the run's outcomes so far."""

    key: str
    kernel_id: str
    nickname: str = ""
    run: RemoteRun | None = None
    outcomes: dict = field(default_factory=dict)
    gone: bool = False  # its kernel closed: never counted again


@dataclass
class Rules:
    """What the trainer decides for everyone: scenario, movable levers, budget."""

    scenario: str = ""  # a built-in scenario's name; "" = the server's starting scenario
    levers: frozenset = frozenset(LEVER_FIELDS)
    budget: float | None = None  # EUR per day, mean over the run; None = no budget

    def base(self) -> Scenario:
        path = scenario_path(self.scenario) if self.scenario else None
        return load_scenario(path) if path else base_scenario()

    def as_dict(self) -> dict:
        """Plain JSON values: how the rules outlive a server process that is recycled."""
        return {"scenario": self.scenario, "levers": sorted(self.levers), "budget": self.budget}

    @classmethod
    def parse(cls, data) -> Rules:
        """Rules from :meth:`as_dict`'s output, checked as if the trainer had typed them
        (ValueError otherwise): a built-in scenario's name, known levers, a budget in range."""
        if rules_line(data) is None:  # the shape, as the supervisor checks it
            raise ValueError("not a set of room rules")
        scenario, levers, budget = data["scenario"], data["levers"], data["budget"]
        if scenario != "" and scenario not in scenario_names():
            raise ValueError(f"unknown scenario {scenario!r}")
        if not set(levers) <= set(LEVER_FIELDS):
            raise ValueError("unknown levers")
        if budget is not None:
            if isinstance(budget, bool) or not budget_in_range(budget):
                raise ValueError("budget out of range")
            budget = float(budget)
        return cls(scenario=scenario, levers=frozenset(levers), budget=budget)


class Room:
    """Every session of this server, and the trainer's rules."""

    def __init__(self, max_sessions: int = MAX_SESSIONS, workshop: bool = False, token=""):
        self.max_sessions = max_sessions
        self.workshop = workshop
        self.token = token
        self.lock = threading.Lock()
        self.sessions: dict[str, Participant] = {}
        self.rules = Rules()
        self.version = 0  # bumped when the rules change: every run restarts
        self.resets = 0  # bumped by "reset everyone"
        self.selected: str | None = None  # the participant on the big screen
        #: Told of every change of the rules (the supervisor keeps them over a recycle).
        self.on_rules: Callable[[Rules], None] | None = None

    def configure(self, workshop: bool, token: str, max_sessions: int) -> None:
        """Set by ``wingsim dashboard`` before the server starts (same process)."""
        self.workshop, self.token, self.max_sessions = workshop, token, max_sessions

    # -- sessions ---------------------------------------------------------------------------
    def admit(self, kernel_id: str) -> Participant | None:
        """This kernel's participant, or None if the room is full."""
        with self.lock:
            if kernel_id in self.sessions:
                return self.sessions[kernel_id]
            if len(self.sessions) >= self.max_sessions:
                return None
            p = Participant(key=secrets.token_hex(4), kernel_id=kernel_id)
            self.sessions[kernel_id] = p
            return p

    def keep(self, p: Participant) -> None:
        """Count ``p`` again if Solara restarted (not closed) its kernel while the page lives."""
        with self.lock:
            if not p.gone:
                self.sessions.setdefault(p.kernel_id, p)

    def release(self, kernel_id: str, closing: bool = True, context=None) -> None:
        """Free a session's place; ``closing``: for good (not a kernel restart); ``context``:
        the session's Solara kernel context, whose end the reclaimer waits for."""
        with self.lock:
            p = self.sessions.pop(kernel_id, None)
            if p is not None and self.selected == p.key:
                self.selected = None
        if p is not None and closing:
            p.gone = True
            if p.run is not None:
                p.run.close()
            p.run = None
        if closing:
            RECLAIMER.closed(context)

    def count(self) -> int:
        with self.lock:
            return len(self.sessions)

    def participants(self) -> list[Participant]:
        with self.lock:
            return [p for p in self.sessions.values() if p.nickname]

    def find(self, key: str | None) -> Participant | None:
        return next((p for p in self.participants() if p.key == key), None)

    # -- the trainer ------------------------------------------------------------------------
    def token_ok(self, presented: str) -> bool:
        return bool(self.token) and secrets.compare_digest(presented, self.token)

    def set_rules(self, rules: Rules) -> None:
        with self.lock:
            self.rules = rules
            self.version += 1
        if self.on_rules is not None:
            self.on_rules(rules)

    def reset_everyone(self) -> None:
        with self.lock:
            self.resets += 1

    def select(self, key: str | None) -> None:
        with self.lock:
            self.selected = key


def scenario_names() -> list[str]:
    """The built-in scenarios a trainer may choose (never a file named by the browser)."""
    return list(scenarios())


#: The server's room: ``wingsim dashboard`` configures it, the pages share it.
ROOM = Room()
#: Gives closed sessions' memory back (one thread, started at the first close).
RECLAIMER = Reclaimer()
#: How often a waiting session thread looks at the room for the trainer's changes (s).
POLL_SECONDS = 0.5
