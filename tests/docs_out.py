"""Where tests write the figures, tables and screenshots they produce.

With IPQA_UPDATE_DOCS=1 (`make docs`) they go into docs/, to be committed; otherwise into a
scratch copy under the system's temp folder, so an ordinary test run leaves the tree clean.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

REPO_DOCS = Path(__file__).resolve().parents[1] / "docs"


def updating() -> bool:
    return os.environ.get("IPQA_UPDATE_DOCS") == "1"


def docs_dir() -> Path:
    """docs/ itself when updating, else a scratch folder (created on first use)."""
    if updating():
        return REPO_DOCS
    out = Path(tempfile.gettempdir()) / f"ipqa-test-docs-{os.getuid()}"
    (out / "screenshots").mkdir(parents=True, exist_ok=True)
    return out


def doc_file(name: str) -> Path:
    """A file under docs/ to rewrite; the scratch copy starts as the committed one."""
    path = docs_dir() / name
    if not path.exists() and (REPO_DOCS / name).is_file():
        shutil.copyfile(REPO_DOCS / name, path)
    return path
