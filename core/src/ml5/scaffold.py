"""``ml5 plugin new``: a new plugin distribution — entry point, a working minimal plugin, README,
tests on the contract suites of ``ml5.testing``, a noxfile — from the templates in
``ml5/templates`` (``string.Template``: ``$name`` and friends).

The distribution is ``ml5-NAME``, its package ``ml5_NAME``, the plugin it registers ``NAME``.
It is written into a temp folder beside the destination and renamed into place, so a failure
leaves nothing half-written.
"""

from __future__ import annotations

import os
import re
import shutil
import string
import tempfile
from importlib import resources
from pathlib import Path

import attrs

KINDS = ("dataset", "model", "exporter")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_MAX_NAME = 40

#: where each template lands in the new distribution ({kind}, {package} and {name} filled in)
LAYOUT = {
    "pyproject.toml": "common/pyproject.toml",
    "noxfile.py": "common/noxfile.py",
    ".gitignore": "common/gitignore",
    "README.md": "{kind}/README.md",
    "src/{package}/__init__.py": "{kind}/plugin.py",
    "tests/test_{name}.py": "{kind}/test_plugin.py",
}

#: per kind: the distribution's description, its dependencies and what its tests need besides
_DESCRIPTION = {"dataset": "ml5 dataset format", "model": "ml5 model plugin", "exporter": "ml5 exporter"}
_DEPENDENCIES = {"dataset": ["ml5", "numpy>=1.24"], "model": ["ml5[torch]"], "exporter": ["ml5", "numpy>=1.24"]}


class ScaffoldError(ValueError):
    """A bad name, kind or destination: the message says what to change."""


@attrs.frozen
class Plugin:
    """What ``new`` wrote: the folder, its files, and the commands to run next."""

    name: str
    kind: str
    folder: Path
    files: tuple[Path, ...]

    @property
    def next_steps(self) -> list[str]:
        return [
            f"cd {self.folder}",
            'pip install -e ".[test]"',
            "pytest",
            "ml5 plugins",
        ]


def check_name(name: str) -> str:
    """``name`` if it can be the plugin's name, else a ScaffoldError saying why."""
    if name.startswith(("ml5-", "ml5_")):
        raise ScaffoldError(f"name {name!r}: give it without the prefix ({name[4:]!r}); the distribution becomes ml5-NAME")
    if not _NAME.fullmatch(name) or len(name) > _MAX_NAME:
        raise ScaffoldError(
            f"name {name!r}: use lower-case letters, digits and underscores, starting with a letter, "
            f"at most {_MAX_NAME} characters (e.g. 'chorales' or 'drum_takes')"
        )
    return name


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _quoted(items: list[str]) -> str:
    return ", ".join(f'"{item}"' for item in items)


def _template(path: str) -> string.Template:
    return string.Template((resources.files("ml5") / "templates" / f"{path}.tmpl").read_text(encoding="utf-8"))


def render(name: str, kind: str, feeds: str = "groove", dataset: str = "") -> dict[str, str]:
    """The new distribution's files: relative path -> text. ``feeds`` (dataset kind) is the
    model its data trains; ``dataset`` (model kind) the format that trains it."""
    check_name(name)
    if kind not in KINDS:
        raise ScaffoldError(f"kind {kind!r}: choose one of {', '.join(KINDS)}")
    for option, value in (("--feeds", feeds), ("--dataset", dataset)):
        if value and not re.fullmatch(r"[a-z][a-z0-9_-]*", value):
            raise ScaffoldError(f"{option} {value!r}: a model or data set name is lower case (as `ml5 models` / `ml5 datasets` list them)")
    if kind == "dataset" and not feeds:
        raise ScaffoldError("--feeds: name the model the data set trains (e.g. groove)")
    title = _camel(name)
    test_dependencies = ["pytest>=8"] + ([f"ml5-{feeds}"] if kind == "dataset" else [])
    values = {
        "name": name,
        "dist": f"ml5-{name}",
        "package": f"ml5_{name}",
        "kind": kind,
        "title": title,
        "stem": title.lower(),
        "feeds": feeds,
        "dataset": dataset,
        "dataset_note": f" (`{dataset}`)" if dataset else " (none yet)",
        "format": f"ml5-{name}",
        "suffix": f".{name}",
        "description": f"{_DESCRIPTION[kind]} {name}",
        "dependencies": _quoted(_DEPENDENCIES[kind]),
        "test_dependencies": _quoted(test_dependencies),
    }
    values["develop"] = _template("common/README-develop.md").substitute(values)
    return {
        target.format(**values): _template(source.format(kind=kind)).substitute(values)
        for target, source in LAYOUT.items()
    }


def write(folder: Path, files: dict[str, str]) -> tuple[Path, ...]:
    """Write ``files`` into ``folder`` (absent or empty) all at once: a temp folder beside it,
    renamed into place."""
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} exists and is not a folder: choose another --dir")
    if folder.is_dir() and any(folder.iterdir()):
        raise ScaffoldError(f"{folder} exists and is not empty: choose another --dir, or remove it first")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes it private
        if folder.is_dir():
            folder.rmdir()  # empty, checked above
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return tuple(folder / relative for relative in files)


def new(name: str, kind: str, folder: Path | None = None, feeds: str = "groove", dataset: str = "") -> Plugin:
    """Write plugin ``name`` of ``kind`` into ``folder`` (default ``./ml5-NAME``)."""
    files = render(name, kind, feeds=feeds, dataset=dataset)
    folder = Path(folder) if folder is not None else Path(f"ml5-{name}")
    return Plugin(name=name, kind=kind, folder=folder, files=write(folder, files))
