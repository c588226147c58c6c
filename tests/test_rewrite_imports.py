"""tools/rewrite_imports.py: moved names follow their module, everything else stays put."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.rewrite_imports import main, rewrite_source


def test_moves_only_the_named_imports_and_keeps_the_rest() -> None:
    source = (
        "from __future__ import annotations\n"
        "\n"
        "from old.mod import (\n"
        "    Article,\n"
        "    helper as h,  # not moving\n"
        "    User as U,\n"
        ")\n"
        "from other import Article as A\n"
        "\n"
        "X = 'from old.mod import Article'\n"
    )
    result = rewrite_source(source, "old.mod", "new.place", ["Article", "User"])
    assert result.changed and not result.problems
    assert result.source == (
        "from __future__ import annotations\n"
        "\n"
        "from old.mod import helper as h\n"
        "from new.place import Article, User as U\n"
        "from other import Article as A\n"
        "\n"
        "X = 'from old.mod import Article'\n"
    )


def test_lazy_import_keeps_its_indentation_and_comment() -> None:
    source = "def f() -> None:\n    from old.mod import Article  # lazy: import cycle\n"
    result = rewrite_source(source, "old.mod", "new.place", ["Article"])
    assert result.source == (
        "def f() -> None:\n    from new.place import Article  # lazy: import cycle\n"
    )


def test_long_import_is_wrapped_one_name_per_line() -> None:
    names = [f"VeryLongEntityName{i}" for i in range(6)]
    source = f"from old.mod import {', '.join(names)}\n"
    result = rewrite_source(source, "old.mod", "new.place", names)
    assert result.source.splitlines() == [
        "from new.place import (",
        *(f"    {name}," for name in names),
        ")",
    ]


def test_reports_what_it_cannot_rewrite_and_leaves_it() -> None:
    source = (
        "import old.mod\n"
        "from old.mod import *\n"
        "import os; from old.mod import Article\n"
        "from old.mod import Article; print(1)\n"
        "from old.modern import Article\n"
    )
    result = rewrite_source(source, "old.mod", "new.place", ["Article"])
    assert not result.changed and result.source == source
    assert [p.split(":")[0] for p in result.problems] == ["1", "2", "3", "4"]


def test_command_line_rewrites_files_and_skips_hidden_dirs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / ".venv").mkdir()
    used = tmp_path / "pkg" / "a.py"
    used.write_text("from old.mod import Article\n")
    hidden = tmp_path / ".venv" / "b.py"
    hidden.write_text("from old.mod import Article\n")
    untouched = tmp_path / "pkg" / "c.py"
    untouched.write_text("from old.mod import Other\n")

    assert main(["old.mod", "new.place", "Article", "--path", str(tmp_path), "--dry-run"]) == 0
    assert used.read_text() == "from old.mod import Article\n"
    assert main(["old.mod", "new.place", "Article", "--path", str(tmp_path)]) == 0

    assert used.read_text() == "from new.place import Article\n"
    assert hidden.read_text() == "from old.mod import Article\n"
    assert untouched.read_text() == "from old.mod import Other\n"
    out = capsys.readouterr().out
    assert f"would rewrite {used}" in out and f"rewrote {used}" in out
