"""What a compiled day would stand on: are numba's draws numpy's, and what does handing
the day's state and streams to one compiled call cost?

    python benchmarks/bench_compiled_day.py [--calls 20000]

1. numba's support for numpy's ``Generator`` against numpy itself, from the same seed:
   2,000 draws of each distribution the submodels use; a compiled day could keep every
   stream's draws bit for bit only if all are equal.
2. The cost of one call to a compiled function given the state as a ``StructRef`` of 200
   arrays, as a tuple of 50 or 200 arrays, a ``Generator``, or 20 bit generators'
   addresses (what an ``@intrinsic`` drawing from a stream would need). Microseconds a
   call, least of five timings.

A feasibility check for issue 11's compiled day, not a timed test.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit, types
from numba.experimental import structref

DRAWS = 2000
RATES = np.array([0.5, 3.0, 12.0, 40.0])  # Poisson rates: both of numpy's algorithms


@njit
def _numba_draws(rng, k):
    out = np.empty((6, k))
    for i in range(k):
        out[0, i] = rng.random()
    for i in range(k):
        out[1, i] = rng.poisson(RATES[i % RATES.shape[0]])
    for i in range(k):
        out[2, i] = rng.binomial(20, 0.3)
    for i in range(k):
        out[3, i] = rng.normal(0.3, 0.1)
    for i in range(k):
        out[4, i] = rng.beta(2.0, 5.0)
    for i in range(k):
        out[5, i] = rng.exponential(2.0)
    return out


def _numpy_draws(rng, k):
    return np.array(
        [
            rng.random(k),
            [rng.poisson(RATES[i % RATES.shape[0]]) for i in range(k)],
            [rng.binomial(20, 0.3) for _ in range(k)],
            [rng.normal(0.3, 0.1) for _ in range(k)],
            [rng.beta(2.0, 5.0) for _ in range(k)],
            [rng.exponential(2.0) for _ in range(k)],
        ],
        dtype=float,
    )


@structref.register
class _StateType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class _State(structref.StructRefProxy):
    pass


structref.define_proxy(_State, _StateType, [f"a{i}" for i in range(200)])


@njit
def _read_struct(state):
    return state.a0[0] + state.a199[0]


@njit
def _read_tuple(arrays):
    return arrays[0][0] + arrays[-1][0]


@njit
def _read_addresses(addresses):
    return addresses[0] + addresses[-1]


@njit
def _draw_one(rng):
    return rng.random()


def _per_call(fn, arg, calls: int) -> float:
    fn(arg)  # compile
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            fn(arg)
        best = min(best, time.perf_counter() - start)
    return best / calls * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20000)
    args = ap.parse_args()

    ours, theirs = (
        _numba_draws(np.random.default_rng(7), DRAWS),
        _numpy_draws(np.random.default_rng(7), DRAWS),
    )
    names = ("random", "poisson", "binomial", "normal", "beta", "exponential")
    print(f"numba's Generator against numpy's, {DRAWS:,} draws each from seed 7:")
    for name, a, b in zip(names, ours, theirs, strict=True):
        print(f"  {name:<12} {'the same bits' if np.array_equal(a, b) else 'DIFFERENT'}")

    arrays = [np.zeros(10) for _ in range(200)]
    addresses = tuple(
        np.random.default_rng(i).bit_generator.ctypes.bit_generator.value for i in range(20)
    )
    cases = (
        ("a StructRef of 200 arrays", _read_struct, _State(*arrays)),
        ("a tuple of 50 arrays", _read_tuple, tuple(arrays[:50])),
        ("a tuple of 200 arrays", _read_tuple, tuple(arrays)),
        ("a numpy Generator", _draw_one, np.random.default_rng(1)),
        ("20 bit generators' addresses", _read_addresses, addresses),
    )
    print("\none compiled call given ... (us, least of five):")
    for label, fn, arg in cases:
        print(f"  {label:<30} {_per_call(fn, arg, args.calls):6.2f}")


if __name__ == "__main__":
    main()
