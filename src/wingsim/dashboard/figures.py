"""The wing as a matplotlib picture (Agg canvas, PNG bytes), for notebooks and reports.

The live dashboard draws in the browser from compact data (``frames.py``, ``charts.py``);
this is the same picture for places without a browser session: the notebooks, a slide.
The figure is built once per model and its static part (unit circles, names, axes) is
rendered once and cached; each ``update`` only swaps data (scatter offsets and colours,
three NaN-separated polylines for the ties) and redraws the moving artists ("blitting").
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from PIL import Image

from wingsim.dashboard.frames import CHAPLAIN_COLOUR, STAFF_COLOUR, strongest_ties
from wingsim.dashboard.layout import WingLayout
from wingsim.state import AT_RISK, MAINSTREAM, VEO_LESSER

#: The extremism colour scale (low = blue, high = red), legible on a projector.
CMAP = "coolwarm"
#: Line width and opacity of each tie strength band (``frames.TIE_BANDS``).
TIE_BANDS_STYLE = [(0.4, 0.12), (0.8, 0.22), (1.4, 0.4)]


def _encode(canvas: FigureCanvasAgg) -> bytes:
    """The canvas pixels as PNG (fast compression: these frames live for a fraction of a s)."""
    rgba = np.asarray(canvas.buffer_rgba())
    buf = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
    return buf.getvalue()


class _Blitted:
    """A figure whose static part is cached; ``dynamic`` artists are redrawn each frame."""

    fig: Figure
    canvas: FigureCanvasAgg
    dynamic: list

    def _init_canvas(self, size, dpi) -> None:
        self.fig = Figure(figsize=size, dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        self.dynamic = []
        self._background = None

    def _animated(self, artist):
        artist.set_animated(True)
        self.dynamic.append(artist)
        return artist

    def invalidate(self) -> None:
        """Re-render the static part on the next frame (limits or labels changed)."""
        self._background = None

    def render(self) -> None:
        if self._background is None:
            self.canvas.draw()  # animated artists are skipped
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.dynamic:
            (artist.axes or self.fig).draw_artist(artist)

    def png(self) -> bytes:
        self.render()
        return _encode(self.canvas)


class NetworkFigure(_Blitted):
    """The establishment's social network on a fixed layout."""

    def __init__(self, model, title: str = "", size=(7.2, 4.8), dpi: int = 80):
        self._init_canvas(size, dpi)
        self.layout = WingLayout.for_model(model)
        lay = self.layout
        ax = self.fig.add_axes((0.0, 0.0, 1.0, 0.92))
        self.ax = ax
        ax.set_axis_off()
        x0, x1, y0, y1 = lay.bounds()
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        self.title = self._animated(self.fig.suptitle(title, fontsize=14, y=0.985))
        closed = ~np.asarray(model.units.open)
        for u, (c, r) in enumerate(zip(lay.centres, lay.radii, strict=True)):
            special = u == lay.special
            ax.add_patch(
                Circle(
                    c,
                    r * 1.06,
                    facecolor="#fff2e6" if special else "#f3f3f3",
                    edgecolor="#e08214" if special else "#999999",
                    lw=1.6 if special else 1.0,
                    ls="--" if closed[u] else "-",
                    alpha=0.5 if closed[u] else 1.0,
                    zorder=0,
                )
            )
            name = lay.names[u] + (" (closed)" if closed[u] else "")
            ax.text(
                c[0],
                c[1] + r * 1.32,
                name,
                ha="center",
                va="center",
                fontsize=12,
                color="#e08214" if special else "#333333",
                zorder=5,
            )
        empty = np.empty((0, 2))
        # Ties in three strength bands, each one NaN-separated polyline (one path to draw).
        self.ties = [
            self._animated(ax.plot([], [], "-", color="#404040", lw=lw, alpha=alpha, zorder=1)[0])
            for lw, alpha in TIE_BANDS_STYLE
        ]
        kw = dict(cmap=CMAP, vmin=0.0, vmax=1.0, edgecolors="none", zorder=3)
        nothing = np.empty(0)
        self.mainstream = self._animated(ax.scatter(*empty.T, c=nothing, s=18, marker="o", **kw))
        self.at_risk = self._animated(ax.scatter(*empty.T, c=nothing, s=40, marker="^", **kw))
        self.veo = self._animated(ax.scatter(*empty.T, c=nothing, s=46, marker="s", **kw))
        self.leaders = self._animated(
            ax.scatter(
                *empty.T,
                s=80,
                marker="o",
                facecolors="none",
                edgecolors="black",
                linewidths=1.1,
                zorder=4,
            )
        )
        self.staff = self._animated(
            ax.scatter(*empty.T, s=30, marker="P", color=STAFF_COLOUR, edgecolors="none", zorder=3)
        )
        ch = lay.chaplain_xy
        ax.scatter(ch[:, 0], ch[:, 1], s=200, marker="*", color=CHAPLAIN_COLOUR, zorder=4)

    def update(self, model, title: str | None = None) -> None:
        if title is not None:
            self.title.set_text(title)
        lay = self.layout
        p = model.prisoners
        active = p.active
        xy = lay.prisoner_xy(p.unit)
        ext = p.extremism
        cat = p.category
        for artist, mask in (
            (self.mainstream, active & (cat == MAINSTREAM)),
            (self.at_risk, active & (cat == AT_RISK)),
            (self.veo, active & (cat >= VEO_LESSER)),
        ):
            artist.set_offsets(xy[mask])
            artist.set_array(ext[mask])
        self.leaders.set_offsets(xy[active & p.leader])
        st = model.staff
        self.staff.set_offsets(lay.staff_xy(st.unit)[st.active])
        # The strongest ties, in bands; darker and thicker = stronger.
        lo, hi, band = strongest_ties(model)
        for b, line in enumerate(self.ties):
            sel = band == b
            k = int(sel.sum())
            pts = np.full((3 * k, 2), np.nan)
            pts[0::3] = xy[lo[sel]]
            pts[1::3] = xy[hi[sel]]
            line.set_data(pts[:, 0], pts[:, 1])
