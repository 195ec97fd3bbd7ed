"""Lint, format and strict typing are part of the test run: each must report nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("tool", "args", "clean"),
    [
        ("ruff", ["check", "--output-format", "concise", "."], "All checks passed!"),
        ("ruff", ["format", "--check", "."], "already formatted"),
        # strict mypy: over 5 s from a cold cache (6.5 s measured), so not in the quick run
        pytest.param("mypy", [], "Success: no issues found", marks=pytest.mark.slow),
    ],
)
def test_tool_is_clean(tool: str, args: list[str], clean: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", tool, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert clean in result.stdout
