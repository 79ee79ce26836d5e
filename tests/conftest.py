"""Test-wide settings.

Under CI (``CI`` set), hypothesis runs derandomized, so a green commit stays green on a
fresh machine; locally it explores new examples on every run.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
