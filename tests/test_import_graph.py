"""No import circles among the project's own modules, and the core imports no plugin.

What is read: every ``.py`` file of the project's own packages (``core/src``, ``plugins/*/src``,
``native/python``, ``contrib/*/src``; tests, benchmarks, docs hooks and templates are not
packages and are not read). A file is a module: ``pkg/sub.py`` is ``pkg.sub``,
``pkg/__init__.py`` is ``pkg``. Its distribution is the ``[project] name`` of the
``pyproject.toml`` above its source folder (``core/src`` gives ``ml5``).

What counts as an import, every one of them, wherever it stands in the file (module level, a
function body, ``try``/``except ImportError``, ``if TYPE_CHECKING``):

- ``import a.b.c`` (``as`` or not) is an import of ``a.b.c``;
- ``from a.b import name`` is an import of ``a.b.name`` when that is a module (a file or a
  package of the tree), else of ``a.b`` itself (its ``__init__``: the name is defined or
  re-exported there);
- ``from . import x`` and ``from ..m import x`` are resolved against the importing module's
  package first, then read as above;
- a call ``importlib.import_module("a.b")``, ``importlib.util.find_spec("a.b")`` or
  ``__import__("a.b")`` with the name written as a string literal is an import of ``a.b``: asking
  whether another module is installed is depending on it. A name computed at run time cannot be
  read; the project's own modules are not loaded that way (plugins are found by entry point).

Only imports of the project's own modules make edges; ``numpy``, ``torch`` … are not looked at.
A name beneath a project package that no file of the tree holds is a compiled extension module
(``ml5_native._engine``, built from ``native/src``): a node of its own, which imports nothing.
Importing ``a.b.c`` also runs ``a/__init__`` and ``a/b/__init__`` first; that is how Python
loads a submodule, not something the importing module asks of those packages, so it makes no
edge. This is the one allowance for a package that re-exports its submodules: ``pkg/__init__``
importing ``pkg.sub`` and ``pkg.sub`` importing ``pkg.other`` is no circle. It is a circle when
``pkg.sub`` takes a name from the package itself (``from pkg import name`` where ``name`` is not
a submodule, or ``import pkg``) while ``pkg/__init__`` imports ``pkg.sub``: then each needs the
other to have run, and which one breaks depends on which is imported first.

The rules checked:

(a) no module of the core distribution (``ml5``) imports a module of another distribution of
    the project: the core knows plugins only through hooks;
(b) no circle between modules: every strongly connected component of the module graph is one
    module that does not import itself;
(c) no circle between distributions: distribution A depends on B when a module of A imports a
    module of B, and a dependency between two distributions goes one way only;
(d) a distribution that imports another declares it in its ``pyproject.toml``: in
    ``dependencies``, or in an extra of ``optional-dependencies`` where the import is optional.

``python tests/test_import_graph.py`` prints the graph's size, the core's imports of other
distributions, the circles, and the distributions in dependency order.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the core depends on tomli below 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
#: the source folders of the project's distributions, relative to the repository root
SOURCE_ROOTS = ("core/src", "plugins/*/src", "native/python", "contrib/*/src")
CORE = "ml5"
#: functions that import the module named by their first argument
DYNAMIC_IMPORTS = {"import_module", "find_spec", "__import__"}


@dataclass(frozen=True)
class Import:
    """One import of a project module by another: where it is written and what it reads."""

    source: str
    target: str
    file: Path
    line: int
    text: str

    def where(self, root: Path) -> str:
        try:
            file = self.file.relative_to(root).as_posix()
        except ValueError:
            file = self.file.as_posix()
        return f"{file}:{self.line}: {self.text}"


@dataclass
class Graph:
    modules: dict[str, Path]  # module -> its file
    distribution_of_package: dict[str, str]  # top-level package -> distribution
    imports: list[Import]
    #: distribution -> the names in its pyproject's dependencies and extras (lower case, "-" for "_")
    declared: dict[str, set[str]] = field(default_factory=dict)

    @property
    def extensions(self) -> set[str]:
        """Modules imported beneath a project package that no file holds: compiled extensions."""
        return {imp.target for imp in self.imports} - set(self.modules)

    def distribution(self, module: str) -> str:
        return self.distribution_of_package[module.split(".")[0]]

    def edges(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {m: set() for m in [*self.modules, *self.extensions]}
        for imp in self.imports:
            out[imp.source].add(imp.target)
        return out

    def distribution_edges(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {d: set() for d in self.distribution_of_package.values()}
        for imp in self.imports:
            a, b = self.distribution(imp.source), self.distribution(imp.target)
            if a != b:
                out[a].add(b)
        return out


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project(source_root: Path) -> tuple[str, set[str]]:
    """The ``[project]`` name of the pyproject.toml that owns a source folder, and the names of
    the distributions it declares (``dependencies`` and every extra)."""
    for folder in (source_root, *source_root.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
            if "name" in project:
                requirements = [*project.get("dependencies", []),
                                *(r for extra in project.get("optional-dependencies", {}).values() for r in extra)]
                names = {_normal(re.match(r"\s*([A-Za-z0-9_.-]+)", r).group(1)) for r in requirements}
                return project["name"], names
    raise ValueError(f"{source_root}: no pyproject.toml with a [project] name above it")


def source_roots(root: Path, patterns: Iterable[str] = SOURCE_ROOTS) -> list[Path]:
    return sorted(p for pattern in patterns for p in root.glob(pattern) if p.is_dir())


def _module_files(source_root: Path) -> Iterator[tuple[str, Path, bool]]:
    """(module name, file, is a package) of every module of the packages in a source folder."""
    for package in sorted(p for p in source_root.iterdir() if (p / "__init__.py").is_file()):
        for file in sorted(package.rglob("*.py")):
            parts = file.relative_to(source_root).with_suffix("").parts
            if any(not part.isidentifier() for part in parts):
                continue  # not importable (a template's {{name}} folder …)
            if parts[-1] == "__init__":
                yield ".".join(parts[:-1]), file, True
            else:
                yield ".".join(parts), file, False


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a ``from X import ...`` reads X from."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*base, *([node.module] if node.module else [])])


def _dynamic_target(node: ast.Call) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name not in DYNAMIC_IMPORTS or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _project_module(name: str, modules: Mapping[str, Path]) -> str | None:
    """``name`` if it is a project module or beneath a project package (a compiled extension
    module the tree holds no file of), else None."""
    return name if name in modules or name.split(".")[0] in modules else None


def imports_in(module: str, file: Path, is_package: bool, modules: Mapping[str, Path]) -> list[Import]:
    """Every import of a project module written anywhere in ``file`` (see the module's rule)."""
    source = file.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(file))
    lines = source.splitlines()
    found: list[Import] = []

    def add(target: str | None, node: ast.AST) -> None:
        resolved = _project_module(target, modules) if target else None
        if resolved is not None:
            text = " ".join(line.strip() for line in lines[node.lineno - 1: node.end_lineno])
            found.append(Import(module, resolved, file, node.lineno, text))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, is_package, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                add(sub if alias.name != "*" and sub in modules else base, node)
        elif isinstance(node, ast.Call):
            add(_dynamic_target(node), node)
    return sorted(set(found), key=lambda imp: (imp.line, imp.target))


def scan(root: Path = ROOT, patterns: Iterable[str] = SOURCE_ROOTS) -> Graph:
    files: dict[str, tuple[Path, bool]] = {}
    distribution_of_package: dict[str, str] = {}
    declared: dict[str, set[str]] = {}
    for source_root in source_roots(root, patterns):
        distribution, declared[distribution] = _project(source_root)
        for module, file, is_package in _module_files(source_root):
            top = module.split(".")[0]
            if module in files:
                raise ValueError(f"module {module} is in both {files[module][0]} and {file}")
            files[module] = (file, is_package)
            distribution_of_package[top] = distribution
    modules = {name: file for name, (file, _) in files.items()}
    imports = [imp for name, (file, is_package) in sorted(files.items())
               for imp in imports_in(name, file, is_package, modules)]
    return Graph(modules, distribution_of_package, imports, declared)


def strongly_connected(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, each sorted, in order of their first node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return sorted(components, key=lambda c: c[0])


def circles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The components that are circles: two nodes or more, or one that reaches itself."""
    return [c for c in strongly_connected(edges) if len(c) > 1 or c[0] in set(edges.get(c[0], ()))]


def module_circles(graph: Graph) -> list[list[Import]]:
    """Each circle between modules, as the imports among its members that make it."""
    return [[imp for imp in graph.imports if imp.source in members and imp.target in members]
            for members in map(set, circles(graph.edges()))]


def distribution_circles(graph: Graph) -> list[list[Import]]:
    """Each circle between distributions, as the imports across its members that make it."""
    out = []
    for members in map(set, circles(graph.distribution_edges())):
        out.append([imp for imp in graph.imports
                    if graph.distribution(imp.source) in members and graph.distribution(imp.target) in members
                    and graph.distribution(imp.source) != graph.distribution(imp.target)])
    return out


def core_imports_of_others(graph: Graph) -> list[Import]:
    """Imports by a core module of a module of another distribution of the project."""
    return [imp for imp in graph.imports
            if graph.distribution(imp.source) == CORE and graph.distribution(imp.target) != CORE]


def undeclared_imports(graph: Graph) -> list[Import]:
    """Imports of another distribution's module that the importing distribution does not declare."""
    return [imp for imp in graph.imports
            if (a := graph.distribution(imp.source)) != (b := graph.distribution(imp.target))
            and _normal(b) not in graph.declared.get(a, set())]


def dependency_order(graph: Graph) -> list[tuple[str, list[str]]]:
    """(distribution, the project distributions it imports), each after all it depends on; ties
    by name. Raises ValueError on a circle."""
    edges = graph.distribution_edges()
    done: list[tuple[str, list[str]]] = []
    placed: set[str] = set()
    while len(placed) < len(edges):
        ready = sorted(d for d in edges if d not in placed and edges[d] <= placed)
        if not ready:
            raise ValueError(f"a circle among {', '.join(sorted(set(edges) - placed))}")
        for d in ready:
            done.append((d, sorted(edges[d])))
            placed.add(d)
    return done


def describe(imports: list[Import], root: Path = ROOT) -> str:
    return "\n".join(f"  {imp.source} -> {imp.target}  ({imp.where(root)})" for imp in imports)


# --- the project's own tree -------------------------------------------------------------------


def _graph() -> Graph:
    return scan(ROOT)


def test_the_tree_is_read():
    graph = _graph()
    assert {"ml5", "ml5.cli", "ml5_midi.piece", "ml5_audio.infer", "ml5_native.plugin"} <= set(graph.modules)
    assert graph.distribution("ml5.cli") == "ml5" and graph.distribution("ml5_native") == "ml5-native"
    assert graph.distribution("ml5_example_csv") == "ml5-example-csv"
    assert any(imp.source == "ml5.cli" and imp.target == "ml5.registry" for imp in graph.imports)


def test_the_core_imports_no_other_distribution():
    found = core_imports_of_others(_graph())
    assert not found, "the core imports modules of other distributions (use a hook):\n" + describe(found)


def test_no_circle_between_modules():
    found = module_circles(_graph())
    assert not found, "import circles:\n" + "\n\n".join(describe(c) for c in found)


def test_no_circle_between_distributions():
    found = distribution_circles(_graph())
    assert not found, "distributions that import each other:\n" + "\n\n".join(describe(c) for c in found)


def test_every_distribution_imported_is_declared():
    found = undeclared_imports(_graph())
    assert not found, "imports of distributions the pyproject.toml does not declare:\n" + describe(found)


# --- the checker on small trees with known answers -------------------------------------------


def _tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _write_dist(root: Path, folder: str, name: str, files: Mapping[str, str], needs: str = "") -> None:
    _tree(root / folder, {"pyproject.toml": f'[build-system]\nrequires = []\n\n[project]\nname = "{name}"\n{needs}',
                          **{f"src/{path}": text for path, text in files.items()}})


def test_the_checker_finds_a_circle_through_a_function_body(tmp_path):
    _write_dist(tmp_path, "core", "ml5", {
        "ml5/__init__.py": "",
        "ml5/a.py": "from ml5.b import x\n",
        "ml5/b.py": "x = 1\n\ndef f():\n    from ml5 import c\n    return c\n",
        "ml5/c.py": "import ml5.a as a\n",
        "ml5/leaf.py": "from ml5 import a\n",
    })
    graph = scan(tmp_path, ["core/src"])
    found = module_circles(graph)
    assert len(found) == 1
    assert {(imp.source, imp.target) for imp in found[0]} == {("ml5.a", "ml5.b"), ("ml5.b", "ml5.c"), ("ml5.c", "ml5.a")}
    where = describe(found[0], tmp_path)
    assert "core/src/ml5/b.py:4: from ml5 import c" in where and "core/src/ml5/c.py:1: import ml5.a as a" in where


def test_from_package_import_name_reads_the_package_unless_the_name_is_a_submodule(tmp_path):
    _write_dist(tmp_path, "core", "ml5", {
        # re-exports: the package imports its submodules, which import each other, not the package
        "ml5/__init__.py": "from ml5.specs import Spec\nfrom ml5 import run\n",
        "ml5/specs.py": "class Spec: ...\n",
        "ml5/run.py": "from ml5 import specs\nfrom . import specs as again\n",
        # a name taken from the package itself while the package imports this module: a circle
        "ml5/cli.py": "from ml5 import Spec\n",
    })
    graph = scan(tmp_path, ["core/src"])
    assert module_circles(graph) == []
    edges = graph.edges()
    assert edges["ml5.run"] == {"ml5.specs"} and edges["ml5.cli"] == {"ml5"}
    (tmp_path / "core/src/ml5/__init__.py").write_text("from ml5.specs import Spec\nfrom ml5 import cli\n")
    found = module_circles(scan(tmp_path, ["core/src"]))
    assert [{(imp.source, imp.target) for imp in c} for c in found] == [{("ml5", "ml5.cli"), ("ml5.cli", "ml5")}]


def test_the_checker_finds_a_circle_between_distributions_and_core_imports_of_plugins(tmp_path):
    _write_dist(tmp_path, "core", "ml5", {"ml5/__init__.py": "", "ml5/music.py": ""})
    _write_dist(tmp_path, "plugins/ml5-a", "ml5-a", {"ml5_a/__init__.py": "import ml5\n",
                                                      "ml5_a/infer.py": "from ml5_b.read import x\n"})
    _write_dist(tmp_path, "plugins/ml5-b", "ml5-b", {"ml5_b/__init__.py": "",
                                                      "ml5_b/read.py": "from ml5.music import y\n",
                                                      "ml5_b/render.py": "try:\n    from ml5_a import y\nexcept ImportError:\n    y = None\n"})
    graph = scan(tmp_path, ["core/src", "plugins/*/src"])
    assert module_circles(graph) == []  # ml5_a.infer -> ml5_b.read, ml5_b.render -> ml5_a: no module circle
    (circle,) = distribution_circles(graph)
    assert {(imp.source, imp.target) for imp in circle} == {("ml5_a.infer", "ml5_b.read"), ("ml5_b.render", "ml5_a")}
    assert core_imports_of_others(graph) == []
    assert {(imp.source, imp.target) for imp in undeclared_imports(graph)} == {
        ("ml5_a", "ml5"), ("ml5_a.infer", "ml5_b.read"), ("ml5_b.read", "ml5.music"), ("ml5_b.render", "ml5_a")}
    try:
        dependency_order(graph)
    except ValueError as exc:
        assert "ml5-a, ml5-b" in str(exc)
    else:
        raise AssertionError("a circle has no dependency order")
    # one way only: the order puts each distribution after those it imports
    (tmp_path / "plugins/ml5-b/src/ml5_b/render.py").write_text("y = None\n")
    _write_dist(tmp_path, "plugins/ml5-a", "ml5-a", {}, needs='dependencies = ["ml5>=0.1"]\n'
                '[project.optional-dependencies]\ninfer = ["ML5_B[extra] ; python_version >= \'3.10\'"]\n')
    _write_dist(tmp_path, "plugins/ml5-b", "ml5-b", {}, needs='dependencies = ["ml5"]\n')
    graph = scan(tmp_path, ["core/src", "plugins/*/src"])
    assert undeclared_imports(graph) == []
    assert distribution_circles(graph) == []
    assert dependency_order(graph) == [("ml5", []), ("ml5-b", ["ml5"]), ("ml5-a", ["ml5", "ml5-b"])]
    # the core asking whether a plugin is installed is the core importing it
    (tmp_path / "core/src/ml5/evaluate.py").write_text("import importlib.util\n\n"
                                                        "def engines():\n    return importlib.util.find_spec('ml5_b')\n")
    graph = scan(tmp_path, ["core/src", "plugins/*/src"])
    assert [(imp.source, imp.target, imp.line) for imp in core_imports_of_others(graph)] == [("ml5.evaluate", "ml5_b", 4)]


def test_a_compiled_extension_is_a_node_of_its_own(tmp_path):
    _write_dist(tmp_path, "native", "ml5-native", {
        "ml5_native/__init__.py": "from ml5_native._engine import load_file\nimport ml5_native._engine as engine\n",
        "ml5_native/plugin.py": "import ml5_native\n",
    })
    graph = scan(tmp_path, ["native/src"])
    assert graph.extensions == {"ml5_native._engine"} and module_circles(graph) == []
    assert graph.edges()["ml5_native"] == {"ml5_native._engine"} and graph.edges()["ml5_native._engine"] == set()


def test_strongly_connected_components():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}, "f": {"d"}}
    assert strongly_connected(edges) == [["a", "b", "c"], ["d"], ["e"], ["f"]]
    assert circles(edges) == [["a", "b", "c"], ["e"]]


# --- as a script -------------------------------------------------------------------------------


def main() -> int:
    graph = _graph()
    print(f"{len(graph.modules)} modules in {len(set(graph.distribution_of_package.values()))} distributions "
          f"(and {len(graph.extensions)} compiled: {', '.join(sorted(graph.extensions)) or 'none'}), "
          f"{len({(i.source, i.target) for i in graph.imports})} import edges ({len(graph.imports)} import statements)")
    core = core_imports_of_others(graph)
    print(f"the core's imports of other distributions: {len(core) or 'none'}")
    if core:
        print(describe(core))
    found = module_circles(graph)
    print(f"circles between modules: {len(found) or 'none'}")
    for circle in found:
        print(describe(circle) + "\n")
    across = distribution_circles(graph)
    print(f"circles between distributions: {len(across) or 'none'}")
    for circle in across:
        print(describe(circle) + "\n")
    undeclared = undeclared_imports(graph)
    print(f"imports of distributions not declared in pyproject.toml: {len(undeclared) or 'none'}")
    if undeclared:
        print(describe(undeclared))
    if not across:
        print("distributions in dependency order (each after what it imports):")
        for distribution, needs in dependency_order(graph):
            print(f"  {distribution}" + (f" -> {', '.join(needs)}" if needs else ""))
    return 1 if core or found or across or undeclared else 0


if __name__ == "__main__":
    sys.exit(main())
