"""The released cohort beside the wings: where people are on their path after prison.

A compact table, one column per model on the page: how many released people are in the
community (on licence, with a mentor, housed, in work), back in custody, re-engaged and
past the follow-up horizon, with the support in place and the strain they carry. Every
person ever released is counted once, in exactly one of the places.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import numpy as np

from wingsim.state import Place

if TYPE_CHECKING:
    from wingsim.model import WingModel

#: Rows of the table: (key, label shown).
ROWS = (
    ("released", "Released so far (people)"),
    ("community", "In the community"),
    ("supervised", "  on licence, with an officer"),
    ("mentored", "  with a mentor"),
    ("housed", "  housed"),
    ("employed", "  in work or training"),
    ("custody", "Back in custody"),
    ("past", "Followed for the whole horizon"),
    ("reengaged", "Re-engaged with extremism (ever)"),
    ("reoffended", "Reoffended (ever)"),
    ("support", "Support in place (mean, 0-1)"),
    ("strain", "Strain (mean, 0-1)"),
)


def released_counts(model: WingModel) -> dict[str, float]:
    """Where the people released from ``model``'s establishment are today.

    People, not release episodes: a person released, recalled and released again counts
    once, in the place of their latest episode.
    """
    c, n = model.community, model.community.size
    latest = np.zeros(n, dtype=bool)
    if n:
        uid = c.person.uid[:n]
        latest[c.rows_of(np.unique(uid))] = True
    place = c.place[:n]
    out = latest & (place == Place.COMMUNITY)

    def ever(flags: np.ndarray) -> int:
        """People with the flag in any of their episodes."""
        return int(np.unique(c.person.uid[:n][flags]).shape[0])

    people = int(latest.sum())
    in_community = int(out.sum())
    return {
        "released": people,
        "community": in_community,
        "supervised": int((out & (c.officer[:n] >= 0) & (model.day < c.licence_end[:n])).sum()),
        "mentored": int((out & (c.mentor[:n] >= 0)).sum()),
        "housed": int((out & c.housed[:n]).sum()),
        "employed": int((out & c.employed[:n]).sum()),
        "custody": int((latest & (place == Place.RETURNED)).sum()),
        "past": int((latest & (place == Place.PAST_HORIZON)).sum()),
        "reengaged": ever(c.reengaged[:n]),
        "reoffended": ever((c.general_reoffences[:n] + c.terrorist_reoffences[:n]) > 0),
        "support": float(c.support[:n][out].mean()) if in_community else float("nan"),
        "strain": float(c.strain[:n][out].mean()) if in_community else float("nan"),
    }


def _cell(value: float) -> str:
    if isinstance(value, float):
        return "-" if np.isnan(value) else f"{value:.2f}"
    return f"{value:,}"


def released_table(models: list[WingModel], names: list[str]) -> str:
    """HTML: the released cohort of each model side by side."""
    counts = [released_counts(m) for m in models]
    head = "".join(f"<th>{escape(name)}</th>" for name in names)
    body = []
    for key, label in ROWS:
        indent = label.startswith("  ")
        text = escape(label.strip())
        name = f'<td style="padding-left:{18 if indent else 0}px">{text}</td>'
        cells = "".join(f'<td style="text-align:right">{_cell(c[key])}</td>' for c in counts)
        body.append(f"<tr>{name}{cells}</tr>")
    return (
        '<table class="wingsim-released-table"><tr><th>After release</th>'
        + head
        + "</tr>"
        + "".join(body)
        + "</table>"
    )
