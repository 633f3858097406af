"""The layers of app/, read from the source: who may import whom, no import cycles, thin package
``__init__`` files and short files.

Every import counts, at module level or inside a function, except those under ``if TYPE_CHECKING:``
(they never run). Each test lists every violation it finds, with file and line, so that one run shows all
the work left.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
ROOT = APP.parent
#: The HTTP side of the house; everything else in app/ (but app/main.py, the factory) is the domain.
HTTP_PACKAGES = ("app.http", "app.api", "app.web", "app.cli")
HTTP_FRAMEWORKS = ("fastapi", "starlette")
MAX_LINES = 400
#: Files that may pass MAX_LINES because they are one topic read top to bottom. Each entry says why;
#: an entry whose file is gone or back under the limit fails the test, so the list cannot go stale.
LONG_FILES: dict[str, str] = {}


@dataclass(frozen=True)
class Import:
    """One imported module, as the importing file names it (``from a import b`` gives ``a`` and ``a.b``)."""

    source: str  # the importing module, e.g. app.web.pages
    path: Path
    line: int
    target: str  # the imported module or package, e.g. app.documents.papers or fastapi.responses
    in_function: bool

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}{' (inside a function)' if self.in_function else ''}"


def python_files() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "static" not in p.relative_to(APP).parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in python_files()}


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.orelse:  # the else branch runs
                yield from _walk_stmt(stmt, in_function)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield from _walk(child, inner)


def _walk_stmt(stmt: ast.stmt, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    wrapper = ast.Module(body=[stmt], type_ignores=[])
    yield from _walk(wrapper, in_function)


def _absolute(source: str, path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = source.split(".") if is_package(path) else source.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(path: Path) -> list[Import]:
    source = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []
    for node, in_function in _walk(tree, False):
        if isinstance(node, ast.Import):
            found += [Import(source, path, node.lineno, alias.name, in_function) for alias in node.names]
            continue
        module = _absolute(source, path, node)
        # `from app import api` imports the package app.api; a name that is no module comes from `module`.
        submodules = [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in MODULES]
        if len(submodules) < len(node.names):
            found.append(Import(source, path, node.lineno, module, in_function))
        found += [Import(source, path, node.lineno, target, in_function) for target in submodules]
    return found


ALL_IMPORTS = [imp for path in python_files() for imp in imports_of(path)]


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def is_domain(module: str) -> bool:
    return not _within(module, HTTP_PACKAGES) and module != "app.main"


def report(title: str, lines: list[str]) -> None:
    if lines:
        pytest.fail(f"{title} ({len(lines)}):\n  " + "\n  ".join(lines), pytrace=False)


def test_imports_are_read_from_the_source() -> None:
    # The walk itself: if it found nothing, every rule below would pass vacuously.
    assert "app.main" in MODULES and "app.config" in MODULES
    targets = {imp.target for imp in ALL_IMPORTS if imp.source == "app.main"}
    assert "fastapi" in targets or any(t.startswith("fastapi.") for t in targets)


def test_domain_modules_import_no_http_layer() -> None:
    bad = [
        f"{imp.where}: {imp.source} imports {imp.target}"
        for imp in ALL_IMPORTS
        if is_domain(imp.source) and _within(imp.target, HTTP_FRAMEWORKS + HTTP_PACKAGES)
    ]
    report(
        "domain modules (outside app/http, app/api, app/web, app/cli and app/main.py) importing "
        "fastapi, starlette or the HTTP packages",
        sorted(set(bad)),
    )


def test_pages_do_not_import_the_json_routers() -> None:
    bad = [
        f"{imp.where}: {imp.source} imports {imp.target}"
        for imp in ALL_IMPORTS
        if _within(imp.source, ("app.web",)) and _within(imp.target, ("app.api",))
    ]
    report("app/web importing app/api (both should call the domain and app/documents)", sorted(set(bad)))


def dependency_graph() -> dict[str, dict[str, Import]]:
    """Module -> the app modules it imports (with the first import that says so).

    Importing ``app.a.b`` also runs ``app/a/__init__.py``: that package is an edge too, unless the importer
    lives inside it (its package is then already imported). A name imported from a package is an edge to
    the package's ``__init__``, wherever the importer lives."""
    graph: dict[str, dict[str, Import]] = {m: {} for m in MODULES}
    for imp in ALL_IMPORTS:
        target = imp.target
        while target and target not in MODULES:  # a module that does not exist (yet): its package
            target = target.rpartition(".")[0]
        if not target.startswith("app.") or target == imp.source:
            continue
        graph[imp.source].setdefault(target, imp)
        parts = target.split(".")
        for k in range(2, len(parts)):
            package = ".".join(parts[:k])
            if package in MODULES and package != imp.source and not imp.source.startswith(package + "."):
                graph[imp.source].setdefault(package, imp)
    return graph


def strongly_connected(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Tarjan's algorithm; the components with more than one module (iterative, no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def shortest_cycle(graph: dict[str, dict[str, Import]], component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module, staying inside the component."""
    start, members = component[0], set(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {component}")


def test_no_import_cycles() -> None:
    graph = dependency_graph()
    lines = []
    for component in strongly_connected(graph):
        cycle = shortest_cycle(graph, component)
        steps = [f"{a} -> {b} ({graph[a][b].where})" for a, b in itertools.pairwise(cycle)]
        lines.append(f"{' -> '.join(cycle)}\n      " + "\n      ".join(steps))
        if len(component) > len(cycle) - 1:
            lines[-1] += f"\n      all {len(component)} modules of this knot: {', '.join(component)}"
    report("import cycles among app modules (module and package level)", lines)


def _allowed_in_init(stmt: ast.stmt, first: bool) -> bool:
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return True
    if first and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return isinstance(stmt.value.value, str)
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
        targets = [stmt.target]
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
        # package metadata such as ``__version__ = "0.1.0"``: a literal, not logic
        return all(isinstance(t, ast.Name) and t.id.startswith("__") and t.id.endswith("__") for t in targets)
    return bool(targets) and all(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)


def test_package_inits_hold_only_a_docstring_imports_and_all() -> None:
    """No logic in a package ``__init__``: importing a package must not run code or create cycles."""
    bad = []
    for path in python_files():
        if not is_package(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for n, stmt in enumerate(tree.body):
            if not _allowed_in_init(stmt, n == 0):
                code = ast.unparse(stmt).splitlines()[0][:70]
                bad.append(f"{path.relative_to(ROOT)}:{stmt.lineno}: {type(stmt).__name__} `{code}`")
    report("package __init__.py files holding more than a docstring, imports and __all__", bad)


def test_files_stay_short() -> None:
    bad = []
    for path in python_files():
        name = str(path.relative_to(ROOT))
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and name not in LONG_FILES:
            bad.append(f"{name}: {lines} lines")
    for name in sorted(LONG_FILES):
        path = ROOT / name
        if not path.is_file():
            bad.append(f"{name}: allowed to be long but gone; remove it from LONG_FILES")
        elif len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES:
            bad.append(f"{name}: allowed to be long but under {MAX_LINES} lines now; remove it from LONG_FILES")
    report(f"files in app/ over {MAX_LINES} lines (split them along their seams)", sorted(bad))


def test_sources_hold_no_control_characters() -> None:
    """A regex written as "\\b" in a plain string is a backspace, which matches nothing a user types: no control
    character other than newline and tab belongs in a source file (app/, tests/, benchmarks/)."""
    bad = []
    for folder in ("app", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if any(ord(c) < 32 and c != "\t" for c in line):
                    bad.append(f"{path.relative_to(ROOT)}:{number}")
    report("source lines with control characters (a backspace where \\b was meant?)", bad)
