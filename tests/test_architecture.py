"""The house keeps its shape: no import runs upward (corpus → index → service → eval → tests)
and none runs in a circle; the contracts are import-linter's, in pyproject.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "index", "service", "eval", "tests")
LAYERS = "Layers: corpus -> index -> service -> eval -> tests, never upward"
CIRCLES = "No import circles between the files or folders of any package"
LINT = (
    "import sys\n"
    "from importlinter.cli import lint_imports\n"
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))\n"
)


def lint(root: Path) -> subprocess.CompletedProcess:
    """import-linter over the packages under `root`, in a process of its own, so that it reads
    that tree and not the modules this test process has imported."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", LINT], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def test_no_import_runs_upward_or_in_a_circle():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout and f"{CIRCLES} KEPT" in done.stdout


@pytest.fixture
def copy(tmp_path) -> Path:
    """The packages' Python files and pyproject.toml, to break on purpose."""

    def python_only(folder, names):
        return [n for n in names if not (n.endswith(".py") or (Path(folder) / n).is_dir())]

    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=python_only)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert lint(tmp_path).returncode == 0  # the copy is as clean as the tree
    return tmp_path


def _add(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code + "\n", encoding="utf-8")


def test_an_upward_import_breaks_the_layers(copy):
    _add(copy / "corpus" / "records.py", "from service.settings import Settings  # noqa")
    done = lint(copy)
    assert done.returncode == 1 and f"{LAYERS} BROKEN" in done.stdout, done.stdout
    assert "corpus.records -> service.settings" in done.stdout


def test_an_upward_import_inside_a_function_counts_too(copy):
    # The circle this contract was written against: the product's CLI importing its own lab.
    _add(copy / "service" / "cli.py", "def _eval():\n    from eval.run import run_eval  # noqa")
    done = lint(copy)
    assert done.returncode == 1 and f"{LAYERS} BROKEN" in done.stdout, done.stdout
    assert "service.cli -> eval.run" in done.stdout


def test_a_circle_inside_a_package_breaks_the_contract(copy):
    _add(copy / "index" / "embed" / "passes.py", "from index.embed import base  # noqa")
    done = lint(copy)
    assert done.returncode == 1 and f"{CIRCLES} BROKEN" in done.stdout, done.stdout
    assert "in index.embed" in done.stdout and ".passes -> .base" in done.stdout
