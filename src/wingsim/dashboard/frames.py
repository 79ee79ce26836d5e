"""Each day as compact data for drawing in the browser (the server draws nothing).

The positions are sent once per run (unit discs, each prisoner slot's spot in its unit
disc, each officer post's angle); each day only small integer lists follow: for every
prisoner in the wing their slot, unit, extremism (0-100) and marker; the officers' units;
the strongest ties as slot pairs with a strength band; and the outcome series' newest
points. ``wing.vue`` turns these into echarts options in the browser.
"""

from __future__ import annotations

import json

import numpy as np

from wingsim.dashboard.layout import WingLayout
from wingsim.state import AT_RISK, VEO_LESSER

#: Ties sent per day: the strongest ones (drawing all ~30,000 would swamp the picture).
MAX_TIES = 1500
#: Tie strength bands (lower edges); the browser draws stronger bands darker and thicker.
TIE_BANDS = np.array([0.0, 0.4, 0.8])
#: Extremism is sent as an integer percentage: enough for a colour scale, 3 bytes in JSON.
EXTREMISM_STEPS = 100
#: Coordinates are rounded to this many decimals (unit discs have radius about 1).
XY_DECIMALS = 3
#: Markers: kind (0 mainstream, 1 at risk, 2 VEO) plus LEADER for a prisoner leader.
LEADER = 3
STAFF_COLOUR = "#1b7837"
CHAPLAIN_COLOUR = "#762a83"

#: What each outcome plot shows: title, then (column, label, colour).
#: ``incidents`` is sent as a running total (one incident a day is hard to read).
PLOTS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Trust in staff",
        [("trust_in_staff", "all prisoners", "#4d4d4d"), ("trust_in_staff_veo", "VEOs", "#d6604d")],
    ),
    ("VEO bonding (ties among VEOs)", [("bonding_veo", "per VEO", "#d6604d")]),
    ("'Us versus them'", [("us_vs_them", "opposition to staff", "#542788")]),
    ("Status inequality (Gini)", [("status_gini", "status gap", "#8c510a")]),
    (
        "Extremism by group",
        [
            ("extremism_mainstream", "mainstream", "#4393c3"),
            ("extremism_at_risk", "at risk", "#f4a582"),
            ("extremism_veo", "VEOs", "#b2182b"),
        ],
    ),
    ("Incidents so far", [("incidents", "running total", "#333333")]),
]
COLUMNS = [col for _title, series in PLOTS for col, _lab, _c in series]
#: Series values are rounded to this many decimals before they are sent.
SERIES_DECIMALS = 4


def as_json(data: dict) -> str:
    """Compact JSON text, as the browser's charts take it (made where the data is: in the
    worker, so the server forwards text it never encodes)."""
    return json.dumps(data, separators=(",", ":"))


def _flat(a: np.ndarray, decimals: int | None = None) -> list:
    a = np.asarray(a)
    if decimals is not None:
        a = np.round(a.astype(float), decimals)
    return a.ravel().tolist()


def network_static(model, layout: WingLayout, title: str) -> dict:
    """Everything about the picture that does not change during a run (sent once)."""
    closed = ~np.asarray(model.units.open)
    return {
        "title": title,
        "centres": _flat(layout.centres, XY_DECIMALS),
        "radii": _flat(layout.radii, XY_DECIMALS),
        "names": [n + (" (closed)" if closed[u] else "") for u, n in enumerate(layout.names)],
        "closed": closed.tolist(),
        "special": layout.special,
        "slots": _flat(layout.slot_offset, XY_DECIMALS),
        "staff_angle": _flat(layout.staff_angle, XY_DECIMALS),
        "chaplains": _flat(layout.chaplain_xy, XY_DECIMALS),
        "bounds": list(layout.bounds()),
    }


def network_day(model) -> dict:
    """Today's wing: prisoners [slot, unit, extremism %, marker], officers, strongest ties."""
    p = model.prisoners
    slots = np.flatnonzero(p.active)
    cat = p.category[slots]
    kind = np.where(cat >= VEO_LESSER, 2, np.where(cat == AT_RISK, 1, 0))
    marker = kind + LEADER * p.leader[slots].astype(int)
    ext = np.clip(np.rint(p.extremism[slots] * EXTREMISM_STEPS), 0, EXTREMISM_STEPS)
    people = np.column_stack([slots, p.unit[slots], ext, marker]).astype(np.int64)
    st = model.staff
    posts = np.flatnonzero(st.active)
    staff = np.column_stack([posts, st.unit[posts]]).astype(np.int64)
    ties = np.column_stack(strongest_ties(model)).astype(np.int64)
    return {
        "day": int(model.day),
        "people": _flat(people),
        "staff": _flat(staff),
        "ties": _flat(ties),
    }


def series_values(model, since: int = 0) -> dict[str, list]:
    """The outcome columns from day index ``since`` on (incidents as a running total)."""
    mv = model.datacollector.model_vars
    out: dict[str, list] = {"day": [int(d) for d in mv["day"][since:]]}
    for col in COLUMNS:
        y = np.asarray(mv[col], dtype=float)
        if col == "incidents":
            y = np.cumsum(y)
        y = np.round(y[since:], SERIES_DECIMALS)
        out[col] = [None if np.isnan(v) else float(v) for v in y]
    return out


def series_spec(labels: list[str]) -> dict:
    """The plots' titles, lines and colours (sent once per run)."""
    return {
        "labels": labels,
        "plots": [
            {"title": t, "lines": [{"col": c, "label": lab, "colour": col} for c, lab, col in s]}
            for t, s in PLOTS
        ],
    }


def strongest_ties(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``MAX_TIES`` strongest ties' two ends and strength band (index into
    ``TIE_BANDS``): what the wing picture draws, in the browser and in notebooks."""
    w = model.ties.weight
    lo, hi = model.ties.ends
    if w.shape[0] > MAX_TIES:
        keep = np.argpartition(w, -MAX_TIES)[-MAX_TIES:]
        w, lo, hi = w[keep], lo[keep], hi[keep]
    return lo, hi, np.searchsorted(TIE_BANDS, w, side="right") - 1
