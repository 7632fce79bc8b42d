"""MkDocs hooks (mkdocs.yml ``hooks:``): the pages written from the code at build time.

- ``models/*.md``, ``datasets/*.md``: generated from the installed plugins (ml5docs.catalogue)
  and added to the nav under "Models" and "Data sets";
- ``native.md`` and the other REPO_PAGES: repository READMEs carried as pages;
- links from any page to a repository file outside docs/ go to its page, or become its path;
- markers in hand-written pages, replaced by generated Markdown:
  ``<!-- ml5: config-reference -->`` (every config key, ml5docs.config_page) and
  ``<!-- ml5: fields ml5.specs.ModelSpec -->`` (a spec's field table, ml5docs.spec_fields).
An unknown marker, a key without help text or a broken plugin stops the build.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from ml5docs import REPO_PAGES, DocsError, catalogue, config_page, readme, spec_fields  # noqa: E402

_MARKER = re.compile(r"<!-- ml5: ([\w-]+)(?: ([\w.]+))? -->")
_SECTIONS = {"Models": "models/", "Data sets": "datasets/"}
#: nav label -> the repository pages shown under it, after the hand-written page
_BESIDE = {"C++ host guide": ["native.md"]}
_generated: dict[str, str] = {}


def _title(markdown: str) -> str:
    return markdown.splitlines()[0].lstrip("# ").strip("`")


def _section(prefix: str) -> list[Any]:
    pages = sorted(path for path in _generated if path.startswith(prefix) and not path.endswith("index.md"))
    return [f"{prefix}index.md", *({_title(_generated[path]): path} for path in pages)]


def on_config(config: Any) -> Any:
    _generated.clear()
    _generated.update(catalogue.pages())
    _generated.update({page: readme.repo_page(path, page) for path, page in REPO_PAGES.items()})
    nav = []
    for item in config["nav"]:
        (label, target), = item.items() if isinstance(item, dict) else ((None, item),)
        if label in _SECTIONS:
            item = {label: _section(_SECTIONS[label])}
        elif label in _BESIDE:
            item = {label: [target, *({_title(_generated[p]): p} for p in _BESIDE[label])]}
        nav.append(item)
    config["nav"] = nav
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, content in _generated.items():
        files.append(File.generated(config, path, content=content))
    return files


def _replace(match: re.Match[str], page: str) -> str:
    kind, argument = match.groups()
    if kind == "config-reference":
        return config_page.reference()
    if kind == "fields" and argument:
        return spec_fields.table(argument)
    raise DocsError(f"{page}: unknown marker {match.group(0)}")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    src = page.file.src_uri
    if src not in _generated:  # generated pages were relinked when written
        markdown = readme.relink(markdown, Path(config["docs_dir"]) / Path(src).parent, src)
    return _MARKER.sub(lambda m: _replace(m, src), markdown)
