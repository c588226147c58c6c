"""Point ``from OLD import NAME`` statements at a new module, for names that moved.

    python tools/rewrite_imports.py OLD.MODULE NEW.MODULE NAME [NAME ...] [--path DIR_OR_FILE]
        [--dry-run]

Every ``from OLD import ...`` in the Python files under the given paths (default: the current
directory; hidden directories, virtualenvs and build output are skipped) is rewritten: the named
imports go to ``from NEW import ...``, the others stay on ``OLD``, aliases and indentation (lazy
imports inside functions) are kept. Only statements are touched, never other text, so a name in a
string or a comment stays as it is. The result can hold two imports from the same module: run
``ruff check --fix`` (isort) afterwards to merge and sort them.

What the tool cannot rewrite safely is reported and left alone: ``import OLD`` (attribute access
such as ``OLD.NAME`` would need a rename of its own), ``from OLD import *``, and an import that
shares its line with another statement. The exit status is 1 when something was reported.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LINE_LENGTH = 99
_SKIP_DIRS = {"__pycache__", "build", "dist", "node_modules", "venv"}


@dataclass
class Result:
    """The rewritten source, and what could not be rewritten (``line: reason``)."""

    source: str
    changed: bool = False
    problems: list[str] = field(default_factory=list)


def _alias_text(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name


def _statement(indent: str, module: str, aliases: Sequence[ast.alias]) -> list[str]:
    """``from module import ...`` on one line if it fits, else one name per line."""
    names = [_alias_text(a) for a in aliases]
    one_line = f"{indent}from {module} import {', '.join(names)}"
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    return [
        f"{indent}from {module} import (",
        *(f"{indent}    {name}," for name in names),
        f"{indent})",
    ]


def _trailing_comment(line: str, end_col: int) -> str | None:
    """The comment after a statement ending at ``end_col``; None if other code follows."""
    rest = line[end_col:].strip()
    if rest.startswith(";"):
        return None
    return rest if rest.startswith("#") else ""


def rewrite_source(source: str, old: str, new: str, names: Iterable[str]) -> Result:
    """Rewrite the imports of ``names`` from ``old`` to ``new`` in one module's source."""
    wanted = set(names)
    result = Result(source)
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, list[str]]] = []  # (first line, last line, replacement), 0-based
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            result.problems += [
                f"{node.lineno}: `import {a.name}`: rewrite its attribute uses by hand"
                for a in node.names
                if a.name == old or a.name.startswith(old + ".")
            ]
            continue
        if not isinstance(node, ast.ImportFrom) or node.level or node.module != old:
            continue
        if any(a.name == "*" for a in node.names):
            result.problems.append(f"{node.lineno}: `from {old} import *` left alone")
            continue
        moved = [a for a in node.names if a.name in wanted]
        if not moved:
            continue
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        start_line, end_line = lines[first], lines[last].rstrip("\r\n")
        prefix = start_line[: node.col_offset]
        comment = _trailing_comment(end_line, node.end_col_offset or len(end_line))
        if prefix.strip() or comment is None:
            result.problems.append(f"{node.lineno}: import shares its line with other code")
            continue
        kept = [a for a in node.names if a.name not in wanted]
        replacement = (_statement(prefix, old, kept) if kept else []) + _statement(
            prefix, new, moved
        )
        if comment:
            replacement[-1] += f"  {comment}"
        newline = "\r\n" if start_line.endswith("\r\n") else "\n"
        edits.append((first, last, [line + newline for line in replacement]))
    for first, last, replacement in sorted(edits, reverse=True):
        lines[first : last + 1] = replacement
    if edits:
        result.source = "".join(lines)
        result.changed = result.source != source
    return result


def python_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The ``.py`` files under ``paths``, skipping hidden directories, venvs and build output."""
    for path in paths:
        if path.is_file():
            yield path
            continue
        for found in sorted(path.rglob("*.py")):
            parts = found.relative_to(path).parts[:-1]
            if not any(p.startswith(".") or p in _SKIP_DIRS for p in parts):
                yield found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("old", help="the module the names are imported from now")
    parser.add_argument("new", help="the module they moved to")
    parser.add_argument("names", nargs="+", help="the names that moved")
    parser.add_argument("--path", action="append", type=Path, help="default: the current dir")
    parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
    args = parser.parse_args(argv)
    reported = False
    for file in python_files(args.path or [Path()]):
        try:
            result = rewrite_source(
                file.read_text(encoding="utf-8"), args.old, args.new, args.names
            )
        except SyntaxError as exc:
            print(f"{file}: not parsed ({exc.msg}), left alone", file=sys.stderr)
            reported = True
            continue
        for problem in result.problems:
            print(f"{file}:{problem}", file=sys.stderr)
        reported = reported or bool(result.problems)
        if result.changed:
            print(f"{'would rewrite' if args.dry_run else 'rewrote'} {file}")
            if not args.dry_run:
                file.write_text(result.source, encoding="utf-8")
    return 1 if reported else 0


if __name__ == "__main__":
    sys.exit(main())
