"""Pages of the documentation site written from the code at build time (see docs/hooks/ml5_docs.py).

Each page reads the one place its facts are declared: ``ml5.config`` for the configuration
reference, ``ml5.specs`` for the spec fields, the installed plugins' registered specs and their
READMEs for the model and data set pages, ``native/src/fallback.cpp`` for the fallbacks.
"""

import html
import re
from pathlib import Path

#: the repository root (docs/hooks/ml5docs/ is three levels below it)
ROOT = Path(__file__).resolve().parents[3]


#: repository files outside docs/ that the site carries as pages: links to them go there
REPO_PAGES = {"native/README.md": "native.md"}


class DocsError(RuntimeError):
    """Something the documentation needs is missing in the code: the build stops."""


def plain(text: str) -> str:
    """Text from the code (a description, a meaning) shown as written, not read as Markdown."""
    return re.sub(r"([*_`\\\[\]|])", r"\\\1", html.escape(text, quote=False))
