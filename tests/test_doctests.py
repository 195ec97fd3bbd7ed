"""The package's doctests run: every ``>>>`` example in a docstring of onebox_ledger.

A docstring example is a specification a reader trusts; one that no longer runs
misleads. Each module is one test (its examples run with the module's globals, as
``python -m doctest`` runs them), so a broken example names its module.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import onebox_ledger


def _modules() -> list[str]:
    names = [onebox_ledger.__name__]
    for info in pkgutil.walk_packages(onebox_ledger.__path__, f"{onebox_ledger.__name__}."):
        if not info.name.endswith(".__main__"):  # importing it runs the command line
            names.append(info.name)
    return sorted(names)


MODULES = _modules()


def _examples(module: ModuleType) -> list[doctest.DocTest]:
    return [test for test in doctest.DocTestFinder().find(module) if test.examples]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in _examples(module):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_the_package_has_doctests_to_run() -> None:
    """The collection finds examples (a finder that found none would pass every module)."""
    found = {
        name: len(_examples(importlib.import_module(name)))
        for name in MODULES
        if _examples(importlib.import_module(name))
    }
    assert "onebox_ledger.importers.statements.values" in found
    assert sum(found.values()) >= 5
