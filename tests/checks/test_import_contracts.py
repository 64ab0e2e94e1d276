"""The import contracts of .importlinter bite: a copy of our packages with one wrong import added
breaks exactly the contract that forbids it, and the untouched copy keeps every contract.

Each case checks its contract on the untouched copy first (kept), then adds one module with the
wrong import and checks again (broken, naming the contract and the import). `lint-imports` runs
on the copy only, so the real tree is never touched.
"""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_FILE = ROOT / ".importlinter"
PACKAGES = ("bot", "actions", "sandbox", "platform_api", "envsettings", "rasa_addons",
            "textguards")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contract_names() -> dict[str, str]:
    """Contract id (the part after `importlinter:contract:`) -> its name, from .importlinter."""
    config = configparser.ConfigParser()
    config.read(CONTRACTS_FILE)
    prefix = "importlinter:contract:"
    return {section.removeprefix(prefix): config[section]["name"]
            for section in config.sections() if section.startswith(prefix)}


def copy_of_the_tree(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONTRACTS_FILE, target / ".importlinter")
    return target


def lint_imports(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """`lint-imports` in `tree`, importing only the copy (never the real packages)."""
    args = [str(LINT_IMPORTS), "--no-logo", "--no-cache"]
    for contract in contracts:
        args += ["--contract", contract]
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "500"}  # no wrapped lines
    return subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, timeout=60,
                          check=False)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return copy_of_the_tree(tmp_path)


WRONG_IMPORTS = [
    # (the module added, its source, the contract it breaks, what the report shows)
    ("sandbox/_wrong.py", "import bot.config\n", "sandbox-stands-alone",
     "sandbox._wrong -> bot.config"),
    ("platform_api/_wrong.py", "import sandbox.rules\n", "nothing-imports-the-sandbox",
     "platform_api._wrong -> sandbox.rules"),
    ("actions/_wrong.py", "import bot.config\n", "actions-not-bot",
     "actions._wrong -> bot.config"),
    ("platform_api/_wrong.py", "import actions.settings\n", "top-level-layers",
     "platform_api._wrong -> actions.settings"),
    ("envsettings/_wrong.py", "import platform_api\n", "top-level-layers",
     "envsettings._wrong -> platform_api"),
    ("rasa_addons/_wrong.py", "import platform_api\n", "top-level-layers",  # independent siblings
     "rasa_addons._wrong -> platform_api"),
    ("textguards/_wrong.py", "import rasa_addons.message_guard\n", "top-level-layers",
     "textguards._wrong -> rasa_addons.message_guard"),
    ("bot/store/_wrong.py", "import fastapi\n", "no-web-framework-below-the-edge",
     "bot.store._wrong -> fastapi"),
    ("bot/store/_wrong.py", "import bot.gateway\n", "bot-layers",
     "bot.store._wrong -> bot.gateway"),
    ("bot/stray.py", "", "bot-layers",  # placed in no layer: the contract is exhaustive
     "every child of every container must be declared as a layer"),
]


@pytest.mark.parametrize(("module", "source", "contract", "shown"), WRONG_IMPORTS,
                         ids=[f"{contract}:{module}" for module, _, contract, _ in WRONG_IMPORTS])
def test_a_wrong_import_breaks_the_contract_that_forbids_it(
        tree: Path, module: str, source: str, contract: str, shown: str) -> None:
    """Kept before, broken after one module with a wrong import (or unplaced in bot) is added."""
    name = contract_names()[contract]
    before = lint_imports(tree, contract)
    assert before.returncode == 0 and f"{name} KEPT" in before.stdout, (
        f"the untouched copy must keep {contract!r} first:\n{before.stdout}{before.stderr}")

    (tree / module).write_text(source)
    after = lint_imports(tree, contract)

    assert after.returncode == 1, after.stdout + after.stderr
    assert f"{name} BROKEN" in after.stdout
    assert shown in after.stdout


def test_every_contract_is_checked_by_a_case_above() -> None:
    """A new contract in .importlinter needs a case in WRONG_IMPORTS proving that it bites."""
    assert set(contract_names()) == {contract for _, _, contract, _ in WRONG_IMPORTS}


def test_the_untouched_tree_keeps_every_contract(tree: Path) -> None:
    """The copy (the real tree, as it is) keeps every contract: what `make check` also asserts."""
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in contract_names().values():
        assert f"{name} KEPT" in result.stdout
