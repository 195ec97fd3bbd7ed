"""The README is executed: what it shows is what the commands print.

- The walkthrough ("Walkthrough: the seed example") runs in a fresh directory, block by
  block, as a new user would type it: every ``sh`` block line by line (``export``, ``cd``,
  ``&&`` and ``\\`` continuations included), every ``$ command`` block with its output
  compared line for line, and every ``beancount`` block's text found verbatim in the
  ledger's files (``...`` lines stand for lines left out).
- Every other block that shows output (one starting with ``$ onebox-ledger``) runs on a
  fresh copy of the shipped demo (``main.beancount`` and ``ledger/``, with the repository's
  ``tests/`` beside it for the sample statements), its output compared the same way.

Nothing is masked: ids, digests and amounts are exact (the walkthrough fixes today with
``ONEBOX_TODAY``; demo blocks run on 2026-12-01).
Changing what a command prints without changing the README fails here.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_demo

from onebox_ledger.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
WALKTHROUGH = "Walkthrough: the seed example"
DEMO_TODAY = "2026-12-01"  # the demo ends in October; its November statement is past


@dataclass
class Block:
    section: str
    lang: str
    line: int  # of the opening fence
    lines: list[str] = field(default_factory=list)


def blocks(text: str) -> Iterator[Block]:
    section = ""
    current: Block | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if current is not None:
            if line.startswith("```"):
                yield current
                current = None
            else:
                current.lines.append(line)
        elif line.startswith("```"):
            current = Block(section, line[3:].strip(), number)
        elif line.startswith("## "):
            section = line[3:].strip()


def is_session(block: Block) -> bool:
    return bool(block.lines) and block.lines[0].startswith("$ onebox-ledger ")


def commands(lines: list[str]) -> Iterator[list[str]]:
    """The commands of an ``sh`` block: continuations joined, comments dropped, split on &&."""
    joined = "\n".join(lines).replace("\\\n", " ")
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        command: list[str] = []
        for word in [*words, "&&"]:
            if word == "&&":
                if command:
                    yield command
                command = []
            else:
                command.append(word)


class Shell:
    """A directory, an environment and `onebox-ledger` run in-process."""

    def __init__(self, cwd: Path, monkeypatch: pytest.MonkeyPatch, today: str) -> None:
        self.monkeypatch = monkeypatch
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("ONEBOX_TODAY", today)
        monkeypatch.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
        monkeypatch.delenv("ONEBOX_LEDGER", raising=False)

    def run(self, words: list[str], where: str) -> str:
        if words[0] == "cd":
            self.monkeypatch.chdir(words[1])
            return ""
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            self.monkeypatch.setenv(name, value)
            return ""
        assert words[0] == "onebox-ledger", f"{where}: cannot run {words[0]!r}"
        result = CliRunner().invoke(cli, words[1:], catch_exceptions=False)
        assert result.exit_code == 0, f"{where}: {shlex.join(words)}: {result.stderr}"
        return result.stdout

    def session(self, block: Block) -> None:
        """Each ``$ `` line's output must be the lines that follow it, exactly."""
        expected: list[tuple[str, list[str]]] = []
        for line in block.lines:
            if line.startswith("$ "):
                expected.append((line[2:], []))
            else:
                expected[-1][1].append(line)
        for typed, output in expected:
            (words,) = list(commands([typed]))
            printed = self.run(words, f"README.md:{block.line}")
            assert _trim(printed.splitlines()) == _trim(output), f"README.md:{block.line}: {typed}"


def _trim(lines: list[str]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


def _fragments(block: Block) -> list[list[str]]:
    """The runs of lines between ``...`` lines."""
    runs: list[list[str]] = [[]]
    for line in block.lines:
        if line.strip() == "...":
            runs.append([])
        else:
            runs[-1].append(line)
    return [_trim(run) for run in runs if _trim(run)]


def _text_of(directory: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8") for path in sorted(directory.rglob("*.beancount"))
    )


ALL = list(blocks(README.read_text(encoding="utf-8")))


def test_the_walkthrough_prints_and_writes_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shell = Shell(tmp_path, monkeypatch, "2026-12-15")
    walkthrough = [b for b in ALL if b.section == WALKTHROUGH]
    assert [b.lang for b in walkthrough].count("sh") >= 3
    for block in walkthrough:
        where = f"README.md:{block.line}"
        if block.lang == "sh":
            for words in commands(block.lines):
                shell.run(words, where)
        elif is_session(block):
            shell.session(block)
        elif block.lang == "beancount":
            written = _text_of(Path.cwd())
            for run in _fragments(block):
                assert "\n".join(run) in written, f"{where}: not written:\n" + "\n".join(run)
        else:
            pytest.fail(f"{where}: a walkthrough block that is neither run nor checked")


DEMO_SESSIONS = [b for b in ALL if b.section != WALKTHROUGH and is_session(b)]


@pytest.mark.parametrize("block", DEMO_SESSIONS, ids=[f"line-{b.line}" for b in DEMO_SESSIONS])
def test_each_other_output_block_is_what_the_command_prints_on_the_demo(
    block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_demo(tmp_path)
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    Shell(tmp_path, monkeypatch, DEMO_TODAY).session(block)


def test_the_readme_has_blocks_to_check() -> None:
    """A parse that finds nothing would make the tests above pass vacuously."""
    assert len([b for b in ALL if b.section == WALKTHROUGH]) >= 8
    assert len(DEMO_SESSIONS) >= 1
    assert any(re.fullmatch(r'.*"sha256:[0-9a-f]{64}"', line) for b in ALL for line in b.lines)
