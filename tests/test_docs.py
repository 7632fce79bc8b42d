"""The documentation site: the strict build, the generated references, and every code block of
the guides run as a reader would run it.

How a guide's fenced code block is tested (docs/plugin-authors.md and the others follow it):

- ``bash``: run with ``bash -euo pipefail`` in a temporary folder shared by the page's blocks,
  with this Python's ``bin`` folder (the ``ml5`` command) first on PATH;
- ``python``: run as a script in that folder, after the page's earlier python blocks (a page
  reads like a notebook: later blocks use what earlier ones defined);
- ``toml``: an ``ml5.toml`` excerpt, loaded by ``ml5.config`` and its data set options checked
  against the installed formats; a block that only includes a repository file (``--8<--``) is
  that file, which must exist and parse;
- ``text``: output, not run.

Anything else must carry an HTML comment on the line above saying why and how it is covered:
``<!-- docs-test: skip (REASON) -->``, ``<!-- docs-test: same as tests/test_readme.py -->`` (the
block must be the README's quick start), ``<!-- docs-test: pytest -->`` (a python block run by
pytest as a test file), ``<!-- docs-test: excerpt of PATH -->`` (every line of the block is a line
of that repository file, which the tests build) or ``<!-- docs-test: output of the block above -->`` (a text block that
must equal what the block before it printed). A block neither run nor marked fails.

The ``ml5.toml`` excerpts of the README and the plugins' READMEs (shown on the data set pages)
are checked the same way as the guides' toml blocks.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from ml5 import config as ml5_config
from ml5.plugins import load
from ml5.registry import Registry

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: guides whose blocks are not run here, with the reason
NOT_RUN_HERE: dict[str, str] = {}
GUIDES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")
                if p.relative_to(DOCS).as_posix() not in NOT_RUN_HERE and "hooks" not in p.parts)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
_MARK = re.compile(r"<!-- docs-test: (?P<what>.+?) -->\s*$")
_TAG = re.compile(r"<[^>]+>")


@attrs.frozen
class Block:
    page: str
    line: int
    lang: str
    body: str
    mark: str | None  # the docs-test marker above it, if any

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(page: str, folder: Path = DOCS) -> list[Block]:
    """The fenced blocks of ``folder/page`` (a docs page by default), each with its marker."""
    text = (folder / page).read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = [line for line in text[: match.start()].splitlines() if line.strip()]
        mark = _MARK.search(before[-1]) if before else None
        body = "\n".join(line[len(match["indent"]):] for line in match["body"].splitlines()) + "\n"
        found.append(Block((folder / page).relative_to(ROOT).as_posix(), text.count("\n", 0, match.start()) + 1, match["lang"], body, mark and mark["what"]))
    return found


# --- the strict build -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built with --strict, as `nox -s docs` builds it."""
    assert importlib.util.find_spec("mkdocs"), "mkdocs is not installed: pip install -r docs/requirements.txt"
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert "WARNING" not in log, log[-4000:]
    return out


def page_text(site: Path, page: str) -> str:
    raw = (site / page / "index.html").read_text(encoding="utf-8")
    return html.unescape(_TAG.sub(" ", raw))


def table_rows(site: Path, page: str) -> list[list[str]]:
    raw = (site / page / "index.html").read_text(encoding="utf-8")
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", raw, re.S):
        rows.append([" ".join(html.unescape(_TAG.sub("", c)).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)])
    return [r for r in rows if r]


def test_strict_build_passes(site):
    for page in ("index.html", "getting-started/index.html", "configuration/index.html", "plugin-authors/index.html",
                 "cpp-runtime/index.html", "rtneural-format/index.html", "api/specs/index.html"):
        assert (site / page).is_file(), page


# --- the configuration reference --------------------------------------------------------------


def config_keys(cls: type = ml5_config.Config) -> list[tuple[type, attrs.Attribute]]:
    """Every key declared in ml5.config, walking the attrs classes from Config down."""
    found = []
    for field in attrs.fields(cls):
        if field.metadata.get("internal"):
            continue
        found.append((cls, field))
        kind = field.metadata["type"]
        if attrs.has(kind) and not field.metadata.get("partial"):
            found += config_keys(kind)
    return found


def expected_default(field: attrs.Attribute) -> str | None:
    """The default as the page writes it, for scalars and lists; None for tables."""
    default = field.default.factory() if isinstance(field.default, attrs.Factory) else field.default
    if default is None:
        return "unset"
    return None if attrs.has(type(default)) else json.dumps(default)


TYPE_WORDS = {int: "integer", float: "number", str: "string", list: "list", dict: "table"}


def _last_name(key: str) -> str:
    return [part for part in key.split(".") if part != "<name>"][-1]


def undocumented(rows: list[list[str]], keys: list[tuple[type, attrs.Attribute]]) -> list[str]:
    """Problems: a key without help text, or without a row giving its type and default."""
    problems = []
    for cls, field in keys:
        help_text = field.metadata.get("help", "").strip()
        name = f"{cls.__name__}.{field.name}"
        if not help_text:
            problems.append(f"{name}: no help text")
            continue
        row = next((r for r in rows if len(r) == 4 and _last_name(r[0]) == field.name and r[3] == help_text), None)
        if row is None:
            problems.append(f"{name}: no row on the configuration page")
            continue
        kind = field.metadata["type"]
        word = "table" if attrs.has(kind) else TYPE_WORDS[kind]
        if word not in row[1]:
            problems.append(f"{name}: type {row[1]!r}, expected {word}")
        default = expected_default(field)
        if default is not None and row[2] != default:
            problems.append(f"{name}: default {row[2]!r}, expected {default}")
    return problems


def test_every_config_key_is_on_the_reference_page_with_type_and_default(site):
    keys = config_keys()
    assert len(keys) > 20  # the walk reached every table
    assert undocumented(table_rows(site, "configuration"), keys) == []


def test_a_key_added_without_help_is_caught(site):
    @attrs.frozen
    class Extra:
        documented: int = ml5_config._option(3, int, "a documented key")
        silent: int = ml5_config._option(1, int, "")

    rows = table_rows(site, "configuration")
    problems = undocumented(rows, config_keys(Extra))
    assert problems == ["Extra.documented: no row on the configuration page", "Extra.silent: no help text"]
    # and the build itself refuses it
    sys.path.insert(0, str(DOCS / "hooks"))
    try:
        from ml5docs import DocsError, config_page

        with pytest.raises(DocsError, match="silent"):
            list(config_page.keys(Extra))
    finally:
        sys.path.remove(str(DOCS / "hooks"))


# --- pages per model and data set -----------------------------------------------------------


def test_a_page_per_installed_model_and_data_set(site):
    registry = Registry(load())
    fallbacks = (ROOT / "native" / "src" / "fallback.cpp").read_text()
    for name, entry in registry.models.items():
        spec, text = entry.spec, page_text(site, f"models/{name}")
        assert spec.title in text and f"{spec.param_count:,}" in text and spec.output_meaning in text, name
        for label in spec.output_labels:
            assert f" {label} " in text, (name, label)
        body = re.search(rf"^void {name}\(.*?^\}}", fallbacks, re.M | re.S)
        if body:  # highlighting splits the code into tokens: compare without whitespace
            assert "".join(body.group(0).split()) in "".join(text.split()), name
    for name, entry in registry.datasets.items():
        text = page_text(site, f"datasets/{name}")
        assert entry.spec.description in " ".join(text.split()), name
        for option in entry.spec.options:
            assert option in text, (name, option)


# --- the guides' code blocks ------------------------------------------------------------------


def test_guides_are_found():
    assert {"getting-started.md", "plugin-authors.md", "configuration.md", "training.md"} <= set(GUIDES)


def _run(command: list[str], cwd: Path, where: str) -> str:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "ML5_CACHE_DIR": str(cwd / ".cache"), "NO_COLOR": "1"}
    env.pop("ML5_PLUGINS", None)
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{where}: exit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _check_toml(block: Block) -> None:
    includes = re.findall(r'^--8<-- "([^"]+)"$', block.body, re.M)
    if includes:
        for path in includes:
            ml5_config.tomllib.loads((ROOT / path).read_text())
        return
    data = ml5_config.tomllib.loads(block.body)
    cfg = ml5_config.from_dict(data, block.where)
    registry = Registry(load())
    for model, section in cfg.models.items():
        assert model in registry.models, f"{block.where}: unknown model {model!r}"
        dataset = section.dataset or registry.models[model].spec.default_dataset
        known = registry.datasets[dataset].spec.options
        unknown = set(section.options) - set(known)
        assert not unknown, f"{block.where}: {dataset} has no option {sorted(unknown)}; it has {sorted(known)}"


def _quick_start() -> str:
    section = (ROOT / "README.md").read_text().split("## Quick start", 1)[1]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def test_readme_config_examples_are_valid():
    """The ml5.toml excerpts of the READMEs (the data set pages carry the plugins' READMEs)."""
    readmes = [ROOT / "README.md", *ROOT.glob("plugins/*/README.md"), *ROOT.glob("contrib/*/README.md")]
    checked = 0
    for readme in readmes:
        for block in blocks(readme.name, readme.parent):
            if block.lang == "toml" and "[project" not in block.body:
                _check_toml(block)
                checked += 1
    assert checked >= 4


@pytest.mark.parametrize("page", GUIDES)
def test_guide_code_blocks_run(page, tmp_path):
    python_so_far, last_output, previous_outputs = "", "", ""
    for block in blocks(page):
        mark = block.mark or ""
        if mark.startswith("skip"):
            assert re.fullmatch(r"skip \(.+\)", mark), f"{block.where}: a skip needs a reason: skip (why)"
        elif mark == "same as tests/test_readme.py":
            assert block.body == _quick_start(), f"{block.where}: not the README's quick start"
        elif mark == "output of the block above":
            assert block.body == last_output, f"{block.where}: the block above prints\n{last_output}"
        elif mark.startswith("excerpt of "):  # lines quoted from a repository file the tests build
            lines = {line.strip() for line in (ROOT / mark.removeprefix("excerpt of ")).read_text(encoding="utf-8").splitlines()}
            for line in filter(None, (line.strip() for line in block.body.splitlines())):
                assert line in lines, f"{block.where}: {line!r} is not a line of {mark.removeprefix('excerpt of ')}"
        elif mark == "pytest":
            (tmp_path / "test_docs_block.py").write_text(block.body)
            _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_docs_block.py"], tmp_path, block.where)
        elif mark:
            pytest.fail(f"{block.where}: unknown marker docs-test: {mark}")
        elif block.lang in ("bash", "sh"):
            last_output = _run(["bash", "-euo", "pipefail", "-c", block.body], tmp_path, block.where)
        elif block.lang == "python":
            python_so_far += block.body
            (tmp_path / "docs_block.py").write_text(python_so_far)
            output = _run([sys.executable, "docs_block.py"], tmp_path, block.where)
            assert output.startswith(previous_outputs), f"{block.where}: earlier blocks printed something else"
            last_output, previous_outputs = output[len(previous_outputs):], output
        elif block.lang == "toml":
            _check_toml(block)
        elif block.lang != "text":
            pytest.fail(f"{block.where}: a ```{block.lang or '(no language)'} block is neither run nor marked "
                        "(see the docstring of tests/test_docs.py)")
