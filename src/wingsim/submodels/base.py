"""The submodel interface: one mechanism of the paper, its parameters, its random stream."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from wingsim.params import Params

if TYPE_CHECKING:
    from wingsim.model import WingModel


class NoParams(Params):
    """A submodel with no strengths of its own."""


class Submodel:
    """A daily mechanism. ``name`` keys its parameters, its random stream and its switch.

    Subclasses set ``name``, ``paper`` (the sentence of the RAN working paper the
    mechanism represents) and ``Params`` (a :class:`~wingsim.params.Params` model of
    the mechanism's strengths, read from ``[mechanisms.<name>]`` in a scenario), and
    implement :meth:`step`, which must touch only numpy arrays (no Python loop over
    agents): vectorised numpy, or a compiled kernel (``@compiled`` from ``wingsim.kernels``,
    beside the submodel or in ``wingsim.kernels``) to which the submodel passes the
    random numbers it drew from ``self.rng``, so a kernel never draws. Adding a submodel is one file
    plus one line in ``schedule.DAY``: the scenario schema, the on/off switch and the
    stream follow from the class.
    """

    name: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    Params: ClassVar[type[Params]] = NoParams
    #: The random stream's name; ``None`` means the submodel's own name.
    stream: ClassVar[str | None] = None

    def __init__(self, model: WingModel):
        self.model = model
        self.rng = model.streams[self.stream or self.name]
        params = getattr(model.config.mechanisms, self.name, None)
        self.params = self.Params() if params is None else params

    @property
    def roster(self):
        """Today's unit roster (built after intake; built now if a submodel runs alone)."""
        if self.model.roster is None:
            self.model.take_roster()
        return self.model.roster

    def build(self) -> None:
        """Set up what exists before day 1 (officers in post, the first prisoners).

        Called once, when the model is built, for every submodel of the schedule, on or
        off: switching a mechanism off removes its daily effect, not the establishment.
        """

    def step(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
