"""A tiny TOML writer for resolved scenarios (tables of scalars), so no new dependency.

``tomllib`` only reads TOML. A scenario is a table of scalars and one level of
sub-tables, which is all this writer supports; its output reads back with ``tomllib``
to the same dict, so ``wingsim check`` output is itself a valid scenario file.
"""

from __future__ import annotations

import math
import re
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)  # fullmatch: "$" allows a "\n"


def _string(text: str) -> str:
    """A TOML basic string: escape quotes, backslashes and every control character."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"cannot write {type(value).__name__} as a TOML scalar")


def dumps(data: dict[str, Any]) -> str:
    """TOML text for nested dicts of scalars: each table's keys first, then its sub-tables."""
    lines: list[str] = []
    _table(data, (), lines)
    return "\n".join(lines) + "\n"


def _table(data: dict[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, dict)]
    if path and (scalars or not any(isinstance(v, dict) for v in data.values())):
        if lines:
            lines.append("")
        lines.append(f"[{'.'.join(_key(p) for p in path)}]")
    lines.extend(f"{_key(k)} = {_value(v)}" for k, v in scalars)
    for name, table in data.items():
        if isinstance(table, dict):
            _table(table, (*path, name), lines)
