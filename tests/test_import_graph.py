"""The layering of the backend, checked on the source (issue 12; CONTRIBUTING.md):

- the domain (opencontractserver/) never imports the project or transport package (config/);
- no first-party import hides inside a function (the usual way to dodge an import circle);
- the module-level imports between first-party modules have no cycle;
- no module imports a conftest.py: helpers live in tests/support/, and conftest files hold only
  fixtures and pytest hooks.

Imports under `if TYPE_CHECKING:` are annotations only and do not count for the last two.
Function-local imports of optional or heavy third-party packages (pdfplumber, the
sentence-transformers extra, psycopg in the embedded server) are allowed: they are not circles.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = ("opencontractserver", "config")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in FIRST_PARTY:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The modules an import statement of `module` names (first-party ones resolved)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:
        package = module.split(".") if _is_package(module) else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    yield base
    for alias in node.names:
        if f"{base}.{alias.name}" in MODULES:
            yield f"{base}.{alias.name}"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(
    tree: ast.AST, *, in_function: bool = False, typing_only: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    """(import node, inside a function?, under TYPE_CHECKING?) for every import in `tree`."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function, typing_only
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _imports(child, in_function=True, typing_only=typing_only)
        elif isinstance(child, ast.If) and _is_type_checking(child):
            for statement in child.body:
                yield from _imports(
                    ast.Module(body=[statement], type_ignores=[]),
                    in_function=in_function,
                    typing_only=True,
                )
            for statement in child.orelse:
                yield from _imports(
                    ast.Module(body=[statement], type_ignores=[]),
                    in_function=in_function,
                    typing_only=typing_only,
                )
        else:
            yield from _imports(child, in_function=in_function, typing_only=typing_only)


def _first_party(name: str) -> bool:
    return name.split(".")[0] in FIRST_PARTY


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        for node, in_function, typing_only in _imports(ast.parse(path.read_text())):
            if in_function or typing_only:
                continue
            for target in _targets(module, node):
                if target in MODULES and target != module:
                    edges[module].add(target)
    return edges


def test_the_domain_never_imports_config() -> None:
    offenders = [
        f"{module} imports {target}"
        for module, path in MODULES.items()
        if module.startswith("opencontractserver")
        for node, _, _ in _imports(ast.parse(path.read_text()))
        for target in _targets(module, node)
        if target == "config" or target.startswith("config.")
    ]
    assert offenders == []


def test_no_first_party_import_hides_inside_a_function() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno} imports {target}"
        for module, path in MODULES.items()
        for node, in_function, _ in _imports(ast.parse(path.read_text()))
        if in_function
        for target in _targets(module, node)
        if _first_party(target)
    ]
    assert offenders == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
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
                found.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_first_party_module_imports_have_no_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_checks_see_a_planted_cycle_and_a_hidden_import() -> None:
    """The checks above can fail: a cycle and a function-local import are both found."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    tree = ast.parse("def f():\n    from opencontractserver import permissions\n")
    assert [in_function for _, in_function, _ in _imports(tree)] == [True]
    tree = ast.parse("if TYPE_CHECKING:\n    from config.websocket import protocol\n")
    assert [typing_only for _, _, typing_only in _imports(tree)] == [True]
    runner_imports = _graph()["config.websocket.engine.runner"]
    assert "opencontractserver.conversations.turn_store" in runner_imports


def _python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def _conftest_imports(path: Path, tree: ast.AST) -> list[str]:
    """The imports in `tree` (the source of `path`) that name a conftest module."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[:-1]
    found = []
    for node, _, _ in _imports(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                above = package[: len(package) - (node.level - 1)]
                base = ".".join([*above, base] if base else above)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        found += [
            f"{path.relative_to(ROOT)}:{node.lineno} imports {name}"
            for name in names
            if name.split(".")[-1] == "conftest"
        ]
    return found


def _not_fixtures_or_hooks(path: Path, tree: ast.Module) -> list[str]:
    """What a conftest.py defines besides fixtures and pytest hooks (imports and docstrings are
    fine)."""

    def is_fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        return any(
            "fixture" in ast.unparse(decorator).split("(")[0] for decorator in node.decorator_list
        )

    found = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
            is_fixture(node) or node.name.startswith("pytest_")
        ):
            continue
        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {type(node).__name__}")
    return found


def test_no_module_imports_a_conftest() -> None:
    offenders = [
        offender
        for path in _python_files("tests", "bench", *FIRST_PARTY)
        for offender in _conftest_imports(path, ast.parse(path.read_text()))
    ]
    assert offenders == []


def test_conftest_files_hold_only_fixtures_and_hooks() -> None:
    conftests = [path for path in _python_files("tests") if path.name == "conftest.py"]
    assert len(conftests) > 1
    offenders = [
        offender
        for path in conftests
        for offender in _not_fixtures_or_hooks(path, ast.parse(path.read_text()))
    ]
    assert offenders == []


def test_the_conftest_checks_see_planted_offenders() -> None:
    """The two checks above can fail: each way of importing a conftest is found, and so is a
    helper left in a conftest."""
    test_module = ROOT / "tests" / "websocket" / "test_planted.py"
    planted = (
        "from .conftest import token_for\n"
        "from tests.websocket.conftest import receive\n"
        "from tests.websocket import conftest\n"
        "import tests.conftest\n"
        "def f():\n    from ..api.conftest import ApiClient\n"
        "from tests.support.websocket_client import token_for\n"
    )
    found = _conftest_imports(test_module, ast.parse(planted))
    assert [line.split(" imports ")[1] for line in found] == [
        "tests.websocket.conftest",
        "tests.websocket.conftest",
        "tests.websocket.conftest",
        "tests.conftest",
        "tests.api.conftest",
    ]
    conftest = ROOT / "tests" / "websocket" / "conftest.py"
    planted = (
        '"""Fixtures."""\n'
        "import pytest\n"
        "@pytest.fixture\ndef owner(): ...\n"
        "@pytest.fixture(autouse=True)\nasync def layer(): ...\n"
        "def pytest_configure(config): ...\n"
        "def token_for(user): ...\n"
        "class World: ...\n"
        "FACTORY = 'x'\n"
    )
    found = _not_fixtures_or_hooks(conftest, ast.parse(planted))
    assert [line.split(" ")[1] for line in found] == [
        "FunctionDef",
        "ClassDef",
        "Assign",
    ]
