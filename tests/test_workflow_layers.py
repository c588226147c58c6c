"""The workflow is plain Python: importing it loads nothing from aiogram (issue 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_workflow_imports_nothing_from_aiogram() -> None:
    modules = sorted(f"bot.workflow.{p.stem}" for p in (ROOT / "bot" / "workflow").glob("*.py"))
    assert "bot.workflow.review" in modules
    # A fresh interpreter: this test process has aiogram loaded already.
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiogram'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
