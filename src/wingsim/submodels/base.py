"""The submodel interface: one mechanism of the paper, over the state arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from wingsim.model import WingModel


class Submodel:
    """A daily mechanism. ``name`` keys its random stream and its on/off switch.

    Subclasses set ``name`` and ``paper`` (the sentence of the RAN working paper the
    mechanism represents) and implement :meth:`step`, which must touch only numpy
    arrays (no Python loop over agents).
    """

    name: ClassVar[str] = ""
    paper: ClassVar[str] = ""

    def __init__(self, model: WingModel):
        self.model = model
        self.rng = model.streams[self.name]
        self.params = model.config.mechanisms

    @property
    def roster(self):
        """Today's unit roster (built after intake; built now if a submodel runs alone)."""
        if self.model.roster is None:
            self.model.take_roster()
        return self.model.roster

    def step(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
