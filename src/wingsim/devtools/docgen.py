"""Parts of ``docs/`` generated from the source: the parameter tables and the schedule.

Each generated part sits between two marker comments in a markdown file::

    <!-- BEGIN GENERATED: parameters -->
    ...
    <!-- END GENERATED: parameters -->

:func:`write` replaces what is between them; :func:`check` lists the files whose
committed text differs from what would be written. ``python scripts/gen_docs.py``
(``--check``) is the command line; ``tests/test_odd.py`` runs the check.

The parameter tables walk the pydantic schema (``wingsim.scenario.Scenario``) to any
depth: one table per section and per nested sub-table, a row per field. Meaning is the
field's ``description``; unit and source come from its ``json_schema_extra`` (as
written by :func:`wingsim.params.par`), "-" where a field has none.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from wingsim import tomlout

ROOT = Path(__file__).resolve().parents[3]  # the repository (src/wingsim/devtools/..)
COMMAND = "python scripts/gen_docs.py"
MISSING = "-"


# --- parameter tables -------------------------------------------------------------


def _section_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds (a sub-table), also through ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if _section_model(a)]
        if len(models) == 1:
            return models[0]
    return None


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def toml_literal(value: Any) -> str:
    """``value`` written as a TOML literal (``-`` for ``None``, which TOML lacks)."""
    if value is None:
        return MISSING
    if isinstance(value, bool | int | float | str):
        return tomlout.scalar(value)
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        items = ", ".join(f"{k} = {toml_literal(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if hasattr(value, "value"):  # an Enum
        return toml_literal(value.value)
    return str(value)


def allowed_range(info: FieldInfo) -> str:
    """``[lo, hi]`` (round brackets for strict bounds), the Literal values, or booleans."""
    bounds: dict[str, Any] = {}
    for meta in info.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(meta, key, None) is not None:
                bounds[key] = getattr(meta, key)
    low = high = None
    if "ge" in bounds or "gt" in bounds:
        low = ("[", bounds["ge"]) if "ge" in bounds else ("(", bounds["gt"])
    if "le" in bounds or "lt" in bounds:
        high = ("]", bounds["le"]) if "le" in bounds else (")", bounds["lt"])
    if low and high:
        return f"{low[0]}{low[1]!r}, {high[1]!r}{high[0]}"
    if low:
        return f"{'>=' if low[0] == '[' else '>'} {low[1]!r}"
    if high:
        return f"{'<=' if high[0] == ']' else '<'} {high[1]!r}"
    annotation = _without_none(info.annotation)
    if typing.get_origin(annotation) is Literal:
        return " | ".join(f"`{toml_literal(a)}`" for a in typing.get_args(annotation))
    if annotation is bool:
        return "`true` | `false`"
    return MISSING


def _extra(info: FieldInfo, key: str) -> str:
    extra = info.json_schema_extra
    value = extra.get(key) if isinstance(extra, dict) else None
    return str(value) if value not in (None, "") else MISSING


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell: one line, pipes escaped."""
    text = " ".join(str(text).split())
    return re.sub(r"(?<!\\)\|", r"\\|", text) or MISSING


def _code(text: str) -> str:
    return MISSING if text == MISSING else f"`{_cell(text)}`"


def _doc(model: type[BaseModel], info: FieldInfo | None) -> str:
    """A section's meaning: its field's description, else its class docstring."""
    if info is not None and info.description:
        return " ".join(info.description.split())
    doc = model.__dict__.get("__doc__") or ""
    return " ".join(doc.strip().split("\n\n")[0].split())


@dataclass
class Table:
    name: str  # dotted, "" for the top level
    doc: str
    depth: int  # 0 for the top level, 1 for a section, 2 for a sub-table ...
    rows: list[tuple[str, ...]]


HEADER = ("name", "meaning", "unit", "default", "allowed range", "source")


def parameter_tables(
    model: type[BaseModel], prefix: str = "", info: FieldInfo | None = None, depth: int = 0
) -> list[Table]:
    """A table of ``model``'s scalar fields, then those of each sub-table, depth first."""
    rows, nested = [], []
    for name, field in model.model_fields.items():
        dotted = f"{prefix}.{name}" if prefix else name
        sub = _section_model(field.annotation)
        if sub is not None:
            nested.extend(parameter_tables(sub, dotted, field, depth + 1))
            continue
        required = field.is_required()
        default = None if required else field.get_default(call_default_factory=True)
        rows.append(
            (
                f"`{dotted}`",
                _cell(field.description or MISSING),
                _cell(_extra(field, "unit")),
                "(required)" if required else _code(toml_literal(default)),
                _cell(allowed_range(field)),
                _cell(_extra(field, "source")),
            )
        )
    own = Table(prefix, _doc(model, info), depth, rows)
    return [own, *nested] if rows or prefix else nested


def render_parameters(model: type[BaseModel] | None = None, heading_level: int = 3) -> str:
    """Markdown: a heading, the section's meaning and its table, per (sub-)section."""
    if model is None:
        from wingsim.scenario import Scenario

        model = Scenario
    out = []
    for table in parameter_tables(model):
        level = "#" * min(6, heading_level + max(0, table.depth - 1))
        out.append(f"{level} `[{table.name}]`" if table.name else f"{level} Top level")
        out.append("")
        if table.doc:
            out += [table.doc, ""]
        if table.rows:
            out.append("| " + " | ".join(HEADER) + " |")
            out.append("|" + "---|" * len(HEADER))
            out += ["| " + " | ".join(row) + " |" for row in table.rows]
            out.append("")
    return "\n".join(out).rstrip("\n")


def render_schedule() -> str:
    from wingsim.schedule import describe

    return "```\n" + describe().rstrip("\n") + "\n```"


# --- the generated blocks and the files that hold them ---------------------------------

#: Block name -> function returning its markdown.
BLOCKS: dict[str, Callable[[], str]] = {
    "parameters": render_parameters,
    "schedule": render_schedule,
}

#: File (relative to the repository) -> the blocks it must hold.
TARGETS: dict[str, tuple[str, ...]] = {
    "docs/scenarios.md": ("parameters",),
    "docs/ODD.md": ("parameters",),
    "docs/architecture.md": ("schedule",),
}

NOTICE = "<!-- Generated by `{command}` from the source: edit the source, not this. -->"


class DocgenError(RuntimeError):
    pass


def _block(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- BEGIN GENERATED: {re.escape(name)} -->\n)(.*?)(<!-- END GENERATED: "
        rf"{re.escape(name)} -->)",
        flags=re.S,
    )


def update_text(text: str, blocks: tuple[str, ...], source: str = "<text>") -> str:
    """``text`` with each named block's markers filled with freshly generated content."""
    for name in blocks:
        pattern = _block(name)
        found = len(pattern.findall(text))
        if found != 1:
            raise DocgenError(
                f"{source}: expected one '<!-- BEGIN GENERATED: {name} -->' ... "
                f"'<!-- END GENERATED: {name} -->' pair, found {found}"
            )
        body = NOTICE.format(command=COMMAND) + "\n\n" + BLOCKS[name]() + "\n\n"
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(3), text)
    return text


def generated(root: Path | None = None) -> dict[Path, tuple[str, str]]:
    """File -> (committed text, text with fresh generated blocks)."""
    root = ROOT if root is None else root
    out = {}
    for rel, blocks in TARGETS.items():
        path = root / rel
        old = path.read_text(encoding="utf-8")
        out[path] = (old, update_text(old, blocks, rel))
    return out


def check(root: Path | None = None) -> list[str]:
    """A message per file whose generated blocks are out of date (empty: all current)."""
    root = ROOT if root is None else root
    stale = []
    for path, (old, new) in generated(root).items():
        if old != new:
            rel = path.relative_to(root).as_posix()
            diff = difflib.unified_diff(
                old.splitlines(),
                new.splitlines(),
                f"{rel} (now)",
                f"{rel} (generated)",
                lineterm="",
                n=1,
            )
            lines = list(diff)
            shown = "\n".join(lines[:40]) + ("\n..." if len(lines) > 40 else "")
            stale.append(f"{rel} is out of date; run `{COMMAND}`\n{shown}")
    return stale


def write(root: Path | None = None) -> list[Path]:
    """Rewrite the generated blocks; return the files that changed."""
    changed = []
    for path, (old, new) in generated(root).items():
        if old != new:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="gen_docs.py",
        description="Regenerate the parameter tables and the schedule in docs/.",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file is out of date"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = check()
            for message in stale:
                print(message)
            if not stale:
                print("generated docs are up to date")
            return 1 if stale else 0
        changed = write()
    except DocgenError as exc:
        print(f"error: {exc}")
        return 2
    for path in changed:
        print(f"rewrote {path.relative_to(ROOT).as_posix()}")
    if not changed:
        print("generated docs were already up to date")
    return 0
