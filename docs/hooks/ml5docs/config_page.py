"""The configuration reference, walked from the attrs classes of ``ml5.config``.

Every key is declared once there with ``_option(default, type, help, check)``; this module only
reads the fields' metadata, so the page cannot drift from the code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import attrs
from ml5 import config

from ml5docs import DocsError, plain

TYPE_NAMES = {int: "integer", float: "number", str: "string", list: "list of strings", dict: "table"}


@attrs.frozen
class Key:
    path: str  # dotted, with <name> for per-model sections
    type: str
    default: str
    help: str
    section: bool  # a table of further keys


def default_text(field: attrs.Attribute) -> str:
    """The default as it would be written in ml5.toml; "unset" for None."""
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    if default is None:
        return "unset"
    if attrs.has(type(default)):
        return "(section)"
    return json.dumps(default)


def type_text(field: attrs.Attribute) -> str:
    type_ = field.metadata["type"]
    if field.metadata.get("partial"):
        return f"table of [{field.name}] keys"
    if attrs.has(type_):
        return "table"
    return TYPE_NAMES[type_]


def keys(cls: type = config.Config, prefix: str = "") -> Iterator[Key]:
    """Every key of ``cls`` and of the tables below it, in declaration order."""
    for field in attrs.fields(cls):
        if field.metadata.get("internal"):
            continue
        help_text = field.metadata.get("help", "").strip()
        path = f"{prefix}{field.name}"
        if not help_text:
            raise DocsError(f"ml5.config.{cls.__name__}.{field.name}: the key {path} has no help text")
        type_ = field.metadata["type"]
        nested = attrs.has(type_) and not field.metadata.get("partial")
        per_name = nested and isinstance(field.default, attrs.Factory) and field.default.factory is dict  # type: ignore[arg-type]
        shown = f"{path}.<name>" if per_name else path
        yield Key(shown, "table" if nested else type_text(field), default_text(field), help_text, nested)
        if nested:
            yield from keys(type_, f"{shown}.")


def reference() -> str:
    """Markdown: one table row per key."""
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for key in keys():
        rows.append(f"| `{key.path}` | {key.type} | `{key.default}` | {plain(key.help)} |")
    return "\n".join(rows)
