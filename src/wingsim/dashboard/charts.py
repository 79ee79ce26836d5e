"""Charts drawn in the browser, fed with compact data from :mod:`frames`.

The wing and the outcome plots are drawn on plain canvases by ``charts.vue`` (a few ms a
picture; echarts cost headless Chromium about 80 ms of a core for each redraw of the six
plots); the trainer's room scatter is an echarts chart. echarts 5.4.0 ships in the
``solara-assets`` package (``share/solara/cdn/echarts@5.4.0``) and Solara serves it under
``/_solara/cdn``, so the charts need no internet. Solara's own ``FigureEcharts`` resends
the whole option on every change; this widget instead keeps a ``spec`` (sent once per run:
positions, titles, the series so far) and a small ``today`` (the day's data), both as JSON
text, and draws from them in the browser (``charts.vue``).
"""

from __future__ import annotations

from collections.abc import Callable

import ipyvuetify
import solara
import traitlets

from wingsim.dashboard.frames import as_json

__all__ = ["ECHARTS", "Chart", "DayCounter", "EchartsData", "HtmlBox", "as_json"]

#: echarts as bundled by solara-assets 1.58.2 (served by Solara from the package, offline).
ECHARTS = "echarts@5.4.0/dist/echarts.min.js"


class EchartsData(ipyvuetify.VuetifyTemplate):
    """One chart: ``kind`` is ``wing`` (network) or ``series`` (the plots), both drawn on a
    canvas, or ``room`` (the trainer's echarts scatter)."""

    template_file = (__file__, "charts.vue")

    kind = traitlets.Unicode("series").tag(sync=True)
    # JSON text, not dicts: reacton walks every list in a component's arguments looking
    # for elements (tens of ms for a day's data); a string it compares in one go.
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    today_json = traitlets.Unicode("{}").tag(sync=True)
    echarts_path = traitlets.Unicode(ECHARTS).tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Unicode("").tag(sync=True)
    on_pick = traitlets.Callable(None, allow_none=True)
    on_drawn = traitlets.Callable(None, allow_none=True)
    acks = traitlets.Bool(False).tag(sync=True)

    def vue_pick(self, key):
        if self.on_pick is not None:
            self.on_pick(key)

    def vue_drawn(self, day):
        """The browser has drawn ``day``: the session may send the next picture."""
        if self.on_drawn is not None:
            self.on_drawn(day)


class DayCounter(ipyvuetify.VuetifyTemplate):
    """The page's "Day N", set by the session's thread with each picture (no re-render)."""

    template = traitlets.Unicode(
        '<template><div class="wingsim-day">Day {{ day }}</div></template>'
    ).tag(sync=True)
    day = traitlets.Int(0).tag(sync=True)


class HtmlBox(ipyvuetify.VuetifyTemplate):
    """A block of HTML made by this package (the released table), set directly."""

    template = traitlets.Unicode(
        '<template><div :class="css_class" v-html="html"></div></template>'
    ).tag(sync=True)
    html = traitlets.Unicode("").tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)


@solara.component
def Chart(
    kind: str,
    spec: str,
    today: str,
    css_class: str = "",
    height: str = "",
    on_pick: Callable[[str], None] | None = None,
    on_drawn: Callable[[int], None] | None = None,
):
    """An :class:`EchartsData` element from JSON text (see :func:`as_json`).

    ``height`` empty: the chart keeps its own aspect.
    """
    return EchartsData.element(
        kind=kind,
        spec_json=spec,
        today_json=today,
        css_class=css_class,
        height=height,
        on_pick=on_pick,
        on_drawn=on_drawn,
        acks=on_drawn is not None,
    )
