"""Field tables of the spec classes (``ml5.ModelSpec``, ``ml5.Data`` …), read from their source.

The fields are attrs fields documented by a ``#:`` comment above them or a ``#`` comment after
them; both are read from ``ml5/specs.py`` (or wherever the class lives), never copied here.
"""

from __future__ import annotations

import importlib
import inspect
import re

import attrs

from ml5docs import DocsError

_FIELD = re.compile(r"^\s+(\w+)\s*:\s*[^=#]+?(?:=.*?)?(?:#\s*(?P<after>.*))?$")


def _comments(cls: type) -> dict[str, str]:
    """field name -> the comment that documents it in the class body."""
    lines, _ = inspect.getsourcelines(cls)
    found: dict[str, str] = {}
    above: list[str] = []
    for line in lines[1:]:
        stripped = line.strip()
        if stripped.startswith("#:"):
            above.append(stripped[2:].strip())
            continue
        match = _FIELD.match(line.rstrip())
        if match and not stripped.startswith(("def ", "@", "return")):
            after = (match.group("after") or "").strip()
            found[match.group(1)] = " ".join([*above, after]).strip()
        above = []
    return found


def _type_text(field: attrs.Attribute) -> str:
    # the annotation as written (the module uses postponed annotations)
    return str(field.type or "").replace("typing.", "")


def _default_text(field: attrs.Attribute) -> str:
    if field.default is attrs.NOTHING:
        return "required"
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        default = default.factory()
    return "(a function)" if callable(default) else repr(default)


def table(dotted: str) -> str:
    """Markdown table of the fields of the class at ``dotted`` (``module.Class``)."""
    module_name, _, class_name = dotted.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name, None)
    if cls is None or not attrs.has(cls):
        raise DocsError(f"{dotted} is not an attrs class")
    comments = _comments(cls)
    rows = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for field in attrs.fields(cls):
        meaning = comments.get(field.name, "").replace("|", "\\|")
        kind = _type_text(field).replace("|", "\\|")
        rows.append(f"| `{field.name}` | `{kind}` | `{_default_text(field)}` | {meaning} |")
    doc = inspect.getdoc(cls) or ""
    return (doc + "\n\n" if doc else "") + "\n".join(rows)
