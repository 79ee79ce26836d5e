"""The project's one TOML writer (resolved scenarios, experiment records), no new dependency.

``tomllib`` only reads TOML. This writes a dict of scalars, arrays of scalars and
sub-tables of any depth; its output reads back with ``tomllib`` to the same dict, so
``wingsim check`` output is itself a valid scenario file, and the ``experiment.toml`` and
``scenarios/*.toml`` of a results folder reload as the settings that were run.
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


def scalar(value: Any) -> str:
    """A bool, int, float or str written as a TOML literal."""
    return _value(value)


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
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML scalar")


def _pairs(table: dict[str, Any]) -> list[str]:
    """``key = value`` lines of a table's non-table entries (``None`` has no TOML form)."""
    return [
        f"{_key(k)} = {_value(v)}"
        for k, v in table.items()
        if v is not None and not isinstance(v, dict)
    ]


def _tables(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    for name, sub in table.items():
        if not isinstance(sub, dict):
            continue
        here = [*path, _key(name)]
        pairs = _pairs(sub)
        # A table holding only sub-tables needs no header of its own.
        if pairs or not any(isinstance(v, dict) for v in sub.values()):
            if lines:
                lines.append("")
            lines.append(f"[{'.'.join(here)}]")
            lines.extend(pairs)
        _tables(lines, here, sub)


def dumps(data: dict[str, Any]) -> str:
    """TOML text for ``data``: top-level keys first, then each table (``[a]``, ``[a.b]``).

    Values are scalars, lists of scalars or dicts (tables, nested to any depth). A key
    whose value is ``None`` is left out (TOML has no null), so it reads back missing,
    i.e. as the schema's default.
    """
    lines = _pairs(data)
    _tables(lines, [], data)
    return "\n".join(lines) + "\n"
