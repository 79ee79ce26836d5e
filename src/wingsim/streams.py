"""Per-submodel random streams spawned from the model's one seed.

Starsim's common-random-numbers design: each submodel draws from its own
``numpy.random.Generator``, keyed by the submodel's *name*, not by its position in
the schedule. Two regimes run with one seed therefore share every draw that the
regime does not touch (arrivals, sentences, initial attitudes), and switching a
submodel off does not shift the randomness of the others.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (the same in every process)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """A lazily filled mapping ``name -> Generator`` derived from one seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))
            gen = self._streams[name] = np.random.Generator(np.random.PCG64(seq))
        return gen
