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

from wingsim.kernels import compiled


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (the same in every process)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """A lazily filled mapping ``name -> Generator`` derived from one seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}
        self._keyed: dict[str, KeyedStream] = {}

    def keyed(self, name: str) -> KeyedStream:
        """Counter-based draws keyed by ``name`` (see :class:`KeyedStream`)."""
        keyed = self._keyed.get(name)
        if keyed is None:
            keyed = self._keyed[name] = KeyedStream(self.seed, name)
        return keyed

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))
            gen = self._streams[name] = np.random.Generator(np.random.PCG64(seq))
        return gen


# -- numpy's draws for a few values at a time ----------------------------------------------
# An array call of ``rng.poisson`` or ``rng.beta`` checks its parameter arrays with several
# numpy reductions (about 4 us) before drawing; for a handful of values (a day's units or
# arrivals) one scalar call each costs less and gives the same draws in the same order.


def poisson_draws(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """``rng.poisson(lam)`` (int64): for up to eight values, one scalar call each (about
    2.4 against 4.2 us for six units), and none for a rate of 0 (a closed unit: numpy
    draws nothing for it either)."""
    if lam.shape[0] > 8:
        return rng.poisson(lam)
    return np.array([rng.poisson(x) if x else 0 for x in lam.tolist()], dtype=np.int64)


def binomial_draws(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``rng.binomial(n, p)`` (int64): for up to eight values, one scalar call each and
    none where ``n`` is 0 (numpy draws nothing for those either), about 1 against 4 us
    for a day's units, most with no incident."""
    if n.shape[0] > 8:
        return rng.binomial(n, p)
    pairs = zip(n.tolist(), p.tolist(), strict=True)
    return np.array([rng.binomial(k, q) if k else 0 for k, q in pairs], dtype=np.int64)


def beta_draws(rng: np.random.Generator, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``rng.beta(a, b)``: for up to four values (a day's few arrivals), one scalar call
    each (about 1.5 against 5 us for two)."""
    if a.shape[0] > 4:
        return rng.beta(a, b)
    return np.array([rng.beta(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)])


# -- counter-based draws: a person's randomness that nobody else can shift ----------------

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


class KeyedStream:
    """Uniform draws that are a pure function of (seed, stream name, keys, draw index).

    ``uniforms(uid, day, k=3)`` gives each person (entry of ``uid``) three uniforms for that
    day, whatever else is drawn and whoever else is present: a counter-based generator in
    the manner of Salmon et al.'s Philox (SC'11), built on the SplitMix64 mixing function.
    The community after release draws this way, so a regime that changes who is recalled
    (and so who is in the community on a day) does not reshuffle anybody else's draws.
    """

    def __init__(self, seed: int, name: str):
        seq = np.random.SeedSequence(entropy=int(seed), spawn_key=(stream_key(name),))
        # The stream's key, a Python int (the counters' arithmetic below is on ints).
        self.base = int(seq.generate_state(1, np.uint64)[0])

    def uniforms(self, ids, *counters: int, k: int = 1) -> np.ndarray:
        """Shape ``(n, k)``: ``k`` uniforms in [0, 1) for each of the ``n`` ``ids``.

        ``ids`` are non-negative integers (people's uids, officers' indices); ``counters``
        are further integers shared by the whole call (the day, a purpose). Each key is
        multiplied by its own odd constant and combined with the stream's key before one
        mixing round; each of the ``k`` draws then mixes that state with its own counter.
        """
        shared = self.base
        for i, counter in enumerate(counters, 1):
            shared ^= (int(counter) * _KEY_MULTIPLIERS[i]) & _MASK
        if not (isinstance(ids, np.ndarray) and ids.dtype == np.int64 and ids.ndim == 1):
            ids = np.atleast_1d(np.asarray(ids)).astype(np.uint64)
        # int64 ids (uids, rows) go in as they are: the kernel reads each as uint64, the
        # same bits for the non-negative ids it is given (one array copy less a call).
        return _keyed_uniforms(ids, np.uint64(shared), _MULTIPLIER, k)


@compiled
def _mix64(z):
    """SplitMix64's finaliser (Steele, Lea & Flood 2014) on one uint64 (wraps mod 2**64)."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@compiled
def _keyed_uniforms(ids, shared, multiplier, k):
    """The arithmetic of :meth:`KeyedStream.uniforms` for every id, in one pass."""
    out = np.empty((ids.shape[0], k))
    for i in range(ids.shape[0]):
        z = _mix64((np.uint64(ids[i]) * multiplier) ^ shared)
        for j in range(k):
            draw = _mix64(z + np.uint64(j + 1) * _GOLDEN)
            out[i, j] = (draw >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    return out


_MASK = (1 << 64) - 1
#: An odd multiplier per key position (so (uid, day) and (day, uid) differ).
_KEY_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
_MULTIPLIER = np.uint64(_KEY_MULTIPLIERS[0])  # the ids' multiplier, as the kernel takes it
