"""wingsim: agent-based simulation of prison wing dynamics under VEO regimes."""

__version__ = "0.1.0"
