"""Test-wide settings and fixtures.

Under CI (``CI`` set), hypothesis runs derandomized, so a green commit stays green on a
fresh machine; locally it explores new examples on every run.
"""

import os
import signal

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def alarm():
    """An input that never ends must fail the test, not hang the suite (a FIFO once did)."""

    def _timeout(*_):
        raise TimeoutError("blocked: an input that never ends")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)
