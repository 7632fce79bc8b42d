"""A plugin's README as part of a page: found beside the plugin's pyproject.toml, its links
made to work on the site (docs/ pages become site links, other repository files code paths)."""

from __future__ import annotations

import posixpath
import re
import sys
from importlib import metadata
from pathlib import Path

from ml5docs import REPO_PAGES, ROOT, DocsError

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def plugin_readme(module_name: str, distribution: str) -> tuple[str, Path | None]:
    """(README text, its folder) of the distribution that holds ``module_name``: the source
    tree's README.md when installed from one (editable), else the packaged description."""
    module = sys.modules.get(module_name)
    folder = Path(module.__file__).resolve().parent if module and module.__file__ else None
    while folder is not None and folder != folder.parent:
        if (folder / "pyproject.toml").is_file() and (folder / "README.md").is_file():
            return (folder / "README.md").read_text(encoding="utf-8"), folder
        folder = folder.parent
    return metadata.metadata(distribution).get_payload() or "", None  # type: ignore[attr-defined]


def relink(text: str, folder: Path | None, page: str) -> str:
    """Rewrite the relative links of text from ``folder`` for a page at ``page`` (docs-relative):
    docs/ pages and REPO_PAGES become site links, other repository files code paths."""

    def fix(match: re.Match[str]) -> str:
        label, target = match.groups()
        if re.match(r"^[a-z]+:|^#", target) or folder is None:
            return match.group(0)
        path, _, anchor = target.partition("#")
        in_repo = (folder / path).resolve()
        try:
            relative = in_repo.relative_to(ROOT).as_posix()
        except ValueError:
            return label
        target_page = REPO_PAGES.get(relative) or (relative[len("docs/"):] if relative.startswith("docs/") else None)
        if target_page:  # MkDocs checks that the page (and the anchor) exists
            link = posixpath.relpath(target_page, posixpath.dirname(page) or ".")
            return f"[{label}]({link}{'#' + anchor if anchor else ''})"
        if not in_repo.exists():
            raise DocsError(f"{page}: link to {target!r}, but {relative} does not exist")
        if label.strip("`/") == relative.strip("/") or label.strip("`") == in_repo.name:
            return f"`{relative}`"
        return f"{label} (`{relative}`)"

    # fenced code is left as written
    parts = re.split(r"(^```.*?^```)", text, flags=re.M | re.S)
    return "".join(part if part.startswith("```") else _LINK.sub(fix, part) for part in parts)


def repo_page(path: str, page: str) -> str:
    """A repository Markdown file (e.g. native/README.md) as a site page of its own."""
    source = ROOT / path
    return relink(source.read_text(encoding="utf-8"), source.parent, page)


def embed(text: str, folder: Path | None, page: str, level: int = 2) -> str:
    """The README without its title, headings moved down to start at ``level``."""
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    shifted, fence = [], False
    for line in lines:
        if line.startswith("```"):
            fence = not fence
        if not fence and re.match(r"^#{2,5} ", line):
            line = "#" * (level - 2) + line
        shifted.append(line)
    return relink("\n".join(shifted).strip(), folder, page)
