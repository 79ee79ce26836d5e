"""The run's pictures: the wing(s), the outcome plots and the released cohort's table.

Shared by a participant's dashboard (``app.py``) and the trainer's big screen
(``trainer.py``), so neither page imports the other.
"""

from __future__ import annotations

import solara

from wingsim.dashboard.charts import Chart, as_json
from wingsim.dashboard.workers import RemoteRun


@solara.component
def Pictures(run: RemoteRun, day: int, on_drawn=None):
    """The wing(s) and the outcome plots of ``run`` on ``day`` (spec once per run).

    The trainer's big screen, re-rendered every second; a participant's page puts its
    pictures into its widgets without a re-render (``app.Stage``).
    """
    n = run.count
    specs = solara.use_memo(lambda: [as_json(run.wing_spec(i)) for i in range(n)], [run])
    series = solara.use_memo(lambda: as_json(run.series_spec()), [run])
    days = [run.wing_json(i) for i in range(n)]
    tail = run.tail_json()
    if n == 1:
        with solara.Columns([1, 1]):
            Chart("wing", specs[0], days[0], css_class="wingsim-network", on_drawn=on_drawn)
            Chart("series", series, tail, css_class="wingsim-plots")
    else:
        with solara.Columns([1, 1]):
            for i, (spec, today) in enumerate(zip(specs, days, strict=True)):
                acks = on_drawn if i == 0 else None
                Chart("wing", spec, today, css_class="wingsim-network", on_drawn=acks)
        with solara.Row(justify="center"), solara.Column(style={"width": "70%"}):
            Chart("series", series, tail, css_class="wingsim-plots")
    # The community steps weekly: while playing, the table is redrawn once a week.
    when = day // 7
    released = solara.use_memo(run.released, [run, when])
    solara.HTML(tag="div", unsafe_innerHTML=released, classes=["wingsim-released"])
