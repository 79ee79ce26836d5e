"""Elementary functions as the compiled kernels compute them, for the numpy references of
kernel tests.

Numba calls the C library's ``exp``, ``pow`` and ``log``; numpy has its own vectorised
versions where the CPU has them, which differ from the C library's in the last bit for some
inputs (on an AVX-512 machine, numpy's ``exp`` for about 5% of normal draws). A reference
that calls numpy's would then fail a bit-for-bit comparison on one machine and pass on
another, so the references call these.
"""

import math

import numpy as np

exp = np.vectorize(math.exp, otypes=[float])
power = np.vectorize(math.pow, otypes=[float])
