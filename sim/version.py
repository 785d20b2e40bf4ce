"""The package's version (ground floor: every stage may name it in what it writes)."""

__version__ = "0.1.0"
