"""The layers, checked on the source's syntax trees.

The core (everything but the CLI edge) must stay importable and testable without
typer or rich, and every pygit2 call lives in one package so that git access has
one owner. Sizes are capped because long modules and functions are where the
design drifted before (a second grammar of the archive grew inside one).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gitarchive"

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 50

UI_LIBRARIES = frozenset({"typer", "rich"})
# The CLI edge and the generator of docs/cli.md (which renders the typer app).
UI_OWNERS = ("cli", "docgen")
# The edge may import lazily without a comment: a command's imports cost only that command.
LAZY_WITHOUT_COMMENT = ("cli", "docgen")
# `python -m gitarchive` and the docs generator start the CLI; nothing else may.
CLI_IMPORTERS = ("cli", "docgen", "__main__")
GIT_PACKAGE = PACKAGE / "git"


@dataclass(frozen=True)
class Module:
    path: Path
    name: str  # dotted, e.g. gitarchive.formats.page
    tree: ast.Module
    lines: int


def load_modules() -> list[Module]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
        modules.append(Module(path, ".".join(parts), tree, len(text.splitlines())))
    return modules


MODULES = load_modules()


def imported_names(module: Module) -> set[str]:
    """Every module an import statement names, anywhere in the file, relative ones resolved."""
    is_package = module.path.name == "__init__.py"
    here = module.name.split(".") if is_package else module.name.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            names.add(stem)
            # `from gitarchive import cli` imports the module gitarchive.cli.
            names.update(f"{stem}.{alias.name}" for alias in node.names)
    return names


def top_module(module: Module) -> str:
    """The first component under gitarchive: `cli` for gitarchive.cli.app, `docgen`, ..."""
    parts = module.name.split(".")
    return parts[1] if len(parts) > 1 else ""


def importers_of(roots: set[str] | frozenset[str]) -> set[str]:
    return {
        module.name
        for module in MODULES
        if any(name.split(".")[0] in roots for name in imported_names(module))
    }


def test_modules_were_found() -> None:
    # Guards the other tests against passing vacuously on a wrong path.
    names = {module.name for module in MODULES}
    assert {"gitarchive", "gitarchive.model", "gitarchive.formats"} <= names


def test_only_the_cli_and_docgen_import_typer_or_rich() -> None:
    offenders = {
        module.name
        for module in MODULES
        if top_module(module) not in UI_OWNERS
        and any(name.split(".")[0] in UI_LIBRARIES for name in imported_names(module))
    }
    assert offenders == set()


def test_only_the_git_package_imports_pygit2() -> None:
    allowed = {m.name for m in MODULES if m.path.is_relative_to(GIT_PACKAGE)}
    importers = importers_of({"pygit2"})
    assert importers, "no module imports pygit2: the owner was not found"
    assert importers <= allowed


def test_the_core_never_imports_the_cli() -> None:
    offenders = {
        module.name
        for module in MODULES
        if top_module(module) not in CLI_IMPORTERS
        and any(
            name == "gitarchive.cli" or name.startswith("gitarchive.cli.")
            for name in imported_names(module)
        )
    }
    assert offenders == set()


def test_no_module_is_too_long() -> None:
    too_long = {m.name: m.lines for m in MODULES if m.lines > MAX_MODULE_LINES}
    assert too_long == {}, f"modules over {MAX_MODULE_LINES} lines"


def function_lengths(module: Module) -> dict[str, int]:
    lengths = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            end = node.end_lineno or node.lineno
            lengths[f"{module.name}:{node.lineno}:{node.name}"] = end - node.lineno + 1
    return lengths


def test_no_function_is_too_long() -> None:
    too_long = {
        name: length
        for module in MODULES
        for name, length in function_lengths(module).items()
        if length > MAX_FUNCTION_LINES
    }
    assert too_long == {}, f"functions over {MAX_FUNCTION_LINES} lines"


def test_import_resolution_sees_relative_and_nested_imports() -> None:
    # The rules above are only as good as this reading of import statements.
    source = (
        "from . import cli\n"
        "from ..git import walk\n"
        "def f():\n"
        "    import typer\n"
        "    from rich.console import Console\n"
    )
    module = Module(
        PACKAGE / "formats" / "page.py", "gitarchive.formats.page", ast.parse(source), 5
    )
    names = imported_names(module)
    assert {"gitarchive.formats.cli", "gitarchive.git.walk", "typer", "rich.console"} <= names


def module_imports(module: Module, known: set[str]) -> set[str]:
    """The package's modules this module imports, anywhere in the file.

    `from x import y` names the module x.y when there is one, else x (y is a name in x).
    """
    is_package = module.path.name == "__init__.py"
    here = module.name.split(".") if is_package else module.name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            for alias in node.names:
                if f"{stem}.{alias.name}" in known:
                    found.add(f"{stem}.{alias.name}")
                elif stem in known:
                    found.add(stem)
    found.discard(module.name)
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def test_no_import_cycle_between_modules() -> None:
    known = {module.name for module in MODULES}
    graph = {module.name: module_imports(module, known) for module in MODULES}
    assert import_cycles(graph) == []


def test_cycle_finder_sees_a_cycle_through_a_lazy_import() -> None:
    # The test above is only as good as this reading of imports inside functions.
    known = {"gitarchive.a", "gitarchive.b", "gitarchive.b.c"}
    a = Module(PACKAGE / "a.py", "gitarchive.a", ast.parse("def f():\n    from .b import c\n"), 2)
    c = Module(PACKAGE / "b" / "c.py", "gitarchive.b.c", ast.parse("from .. import a\n"), 1)
    graph = {m.name: module_imports(m, known) for m in (a, c)}
    assert graph == {"gitarchive.a": {"gitarchive.b.c"}, "gitarchive.b.c": {"gitarchive.a"}}
    assert import_cycles(graph) == [["gitarchive.a", "gitarchive.b.c"]]


LAZY_COMMENT = re.compile(r"^\s*# lazy: \S")


def unexplained_lazy_imports(module: Module, lines: list[str]) -> list[str]:
    """Imports inside functions without a `# lazy: <measured cost>` comment right above."""
    found = []
    for function in ast.walk(module.tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom) and not _explained(lines, node.lineno):
                found.append(f"{module.name}:{node.lineno}")
    return found


def _explained(lines: list[str], lineno: int) -> bool:
    """The comment block right above line ``lineno`` (1-based) begins with `# lazy: `."""
    above = lineno - 2
    while above >= 0 and lines[above].lstrip().startswith("#"):
        if LAZY_COMMENT.match(lines[above]):
            return True
        above -= 1
    return False


def test_every_lazy_import_outside_the_edge_says_what_it_saves() -> None:
    offenders = sorted(
        {
            place
            for module in MODULES
            if top_module(module) not in LAZY_WITHOUT_COMMENT
            for place in unexplained_lazy_imports(
                module, module.path.read_text(encoding="utf-8").splitlines()
            )
        }
    )
    assert offenders == []


def test_a_lazy_import_is_explained_only_by_a_lazy_comment_right_above() -> None:
    source = (
        "def f():\n"
        "    # lazy: x costs 9 ms at import (python -X importtime)\n"
        "    # and nothing else needs it\n"
        "    import x\n"
        "    # imported here for speed\n"
        "    import y\n"
        "    # lazy: z costs 3 ms\n"
        "\n"
        "    import z\n"
    )
    module = Module(PACKAGE / "m.py", "gitarchive.m", ast.parse(source), 9)
    assert unexplained_lazy_imports(module, source.splitlines()) == [
        "gitarchive.m:6",
        "gitarchive.m:9",
    ]


# The Spotify package's floors, bottom first (the drawing in gitarchive/spotify/__init__.py).
# A module imports only from floors below its own; a module not listed here (a new reader
# or writer) must import no listed module above the session.
SPOTIFY_FLOORS: tuple[tuple[str, ...], ...] = (
    ("access", "parse"),
    ("tokenfile", "transport", "outage"),
    ("auth",),
    ("answers",),
    ("session",),
    ("user", "pages"),
    ("library",),
    ("probe", "playlists"),
    ("doctor", "client", "writes"),
)
SPOTIFY = "gitarchive.spotify"


def test_spotify_readers_import_only_downward() -> None:
    floor_of = {
        f"{SPOTIFY}.{name}": level for level, names in enumerate(SPOTIFY_FLOORS) for name in names
    }
    session_floor = floor_of[f"{SPOTIFY}.session"]
    found = {m.name for m in MODULES if m.name.startswith(f"{SPOTIFY}.")}
    assert set(floor_of) <= found, "a listed module is missing: update SPOTIFY_FLOORS"
    upward = set()
    for module in MODULES:
        if module.name not in found:
            continue
        own = floor_of.get(module.name, session_floor + 1)
        for name in imported_names(module):
            target = floor_of.get(name)
            if target is not None and target >= own and name != module.name:
                upward.add(f"{module.name} -> {name}")
    assert upward == set()
