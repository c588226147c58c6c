"""The house rules of issue 12, checked on the source tree itself (AST only, nothing imported).

- no module in bot/, handlers/, storage/ over 500 lines, and at most five functions over 80;
- no import cycle between the project's modules, lazy (function-level) imports included;
- handlers/ never imports storage; the pure layers import nothing from aiogram;
- handlers/ never opens a transaction nor reads the database itself, and outside the workflow,
  the publishing engine and storage only two named places write (their reasons below).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage", "fakegram")
SHIPPED = ("bot", "handlers", "storage")
MODULE_MAX_LINES = 500
FUNCTION_MAX_LINES = 80
LONG_FUNCTIONS_ALLOWED = 5
PURE_LAYERS = ("bot.ingest", "bot.compose", "bot.workflow")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(name: str, path: Path) -> Iterator[str]:
    """Project modules that ``name`` imports anywhere in its body (lazy imports count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import mod`` names a module when pkg.mod is one.
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target in MODULES and target != name:
                yield target


def _graph() -> dict[str, set[str]]:
    return {name: set(_imported(name, path)) for name, path in MODULES.items()}


def _type_checking_only(name: str) -> set[str]:
    """Imports under ``if TYPE_CHECKING:`` run no code: they cannot form a runtime cycle."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
        ):
            for inner in node.body:
                if isinstance(inner, ast.ImportFrom) and inner.module in MODULES:
                    found.add(inner.module)
                    found.update(f"{inner.module}.{a.name}" for a in inner.names)
    return found


def test_no_module_is_over_the_limit() -> None:
    too_long = {
        name: n
        for name, path in MODULES.items()
        if name.split(".")[0] in SHIPPED
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_MAX_LINES
    }
    assert not too_long, f"modules over {MODULE_MAX_LINES} lines: {too_long}"


def test_few_long_functions() -> None:
    long_ones: list[str] = []
    for name, path in MODULES.items():
        if name.split(".")[0] not in SHIPPED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_MAX_LINES:
                    long_ones.append(f"{name}.{node.name} ({length})")
    assert len(long_ones) <= LONG_FUNCTIONS_ALLOWED, long_ones


def _find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, set())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return cycles


def test_no_import_cycles() -> None:
    graph = _graph()
    for name in graph:
        graph[name] -= _type_checking_only(name)
        # A package's __init__ importing its own submodules is how packages re-export.
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    cycles = _find_cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("handlers")))
def test_handlers_do_not_import_storage(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        assert not any(n == "storage" or n.startswith("storage.") for n in names), name


@pytest.mark.parametrize(
    "name", sorted(n for n in MODULES if any(n.startswith(p) for p in PURE_LAYERS))
)
def test_pure_layers_import_no_aiogram(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "aiogram" for a in node.names), name
        elif isinstance(node, ast.ImportFrom) and not node.level:
            assert (node.module or "").split(".")[0] != "aiogram", name


def _unit_of_work_calls(name: str) -> list[str]:
    """``x.transaction()`` / ``x.read()`` calls in a module (how a unit of work is opened)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    return [
        f"{name}:{node.lineno} .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("transaction", "read")
        and not node.args  # file.read(n), stream.read(): not a unit of work
        and not isinstance(node.func.value, ast.Constant)
    ]


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("handlers")))
def test_handlers_open_no_unit_of_work(name: str) -> None:
    """Handlers call the workflow (writes) and ``bot.workflow.queries`` (reads)."""
    assert _unit_of_work_calls(name) == [], name


# Where a write transaction may be opened: every state change goes through the workflow (with
# its audit entry) or the publishing engine's bookkeeping (with its own); storage owns them.
WRITERS = ("bot.workflow", "bot.publishing", "storage")
# The two writers outside them, and why they are not audited: which messages show an article
# (the presenters' bookkeeping, to edit them in place), and the channels of the CHANNEL_ID
# setting and the names Telegram gives them (synchronised at every start, no one's decision).
WRITERS_BY_EXCEPTION = ("bot.presenters.cards", "bot.startup")


def test_only_the_workflow_and_the_engine_write() -> None:
    writes = [
        call
        for name in MODULES
        if name.split(".")[0] in SHIPPED
        and not name.startswith(WRITERS)
        and name not in WRITERS_BY_EXCEPTION
        for call in _unit_of_work_calls(name)
        if call.endswith(".transaction()")
    ]
    assert writes == []


def test_the_checker_sees_cycles_and_lazy_imports() -> None:
    """The checks are not vacuous: cycles are found, lazy and relative imports resolved."""
    assert _find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _find_cycles({"a": {"b"}, "b": set()}) == []
    assert "bot.workflow.review" in _graph()["handlers.review"]
    lazy = [n for n, p in MODULES.items() if "    from bot" in p.read_text(encoding="utf-8")]
    assert lazy, "expected at least one function-level import to resolve"
    assert any(_graph()[n] for n in lazy)
    # The unit-of-work check finds what it looks for.
    assert any(c.endswith(".transaction()") for c in _unit_of_work_calls("bot.workflow.review"))
    assert any(c.endswith(".read()") for c in _unit_of_work_calls("bot.workflow.queries"))
