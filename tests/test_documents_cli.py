"""`ipqa documents list|add|retire` and `ipqa build` once documents are managed (fake embedder,
the build in the foreground): the same catalogue, versions and audit log as the staff page."""

from __future__ import annotations

import getpass
import json

import pytest
from typer.testing import CliRunner

from corpus.load import DEFAULT_CORPUS_DIR
from index.store import build_index, read_manifest
from service import model_files
from service.cli import app
from service.office.audit import entries
from service.office.db import open_engine
from tests import documents_files as files
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.staff


@pytest.fixture
def shell(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_bytes((DEFAULT_CORPUS_DIR / "plan.txt").read_bytes())
    index = tmp_path / "index"
    build_index(corpus, FakeEmbedder(), index, hnsw_threshold=10**6, dense_index="numpy")
    for name, value in {
        "DATABASE_URL": f"sqlite:///{tmp_path}/office.db",
        "INDEX_DIR": str(index),
        "CORPUS_DIR": str(corpus),
        "MODEL": FakeEmbedder.model_id,
        "DENSE_INDEX": "numpy",
    }.items():
        monkeypatch.setenv(f"IPQA_{name}", value)
    fake = FakeEmbedder()
    monkeypatch.setattr(model_files, "build_embedders", lambda settings: (fake, fake))
    monkeypatch.setattr(model_files, "prepare_precisions", lambda settings, status=None: [])
    monkeypatch.setattr("service.qa.calibrate.finalizer", lambda embedder: lambda folder: {})
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    run.index, run.corpus, run.db = index, corpus, f"sqlite:///{tmp_path}/office.db"
    return run


def test_list_add_retire_from_the_shell(shell, tmp_path):
    listed = shell("documents", "list")
    assert "plan" in listed and "使用中" in listed

    doc = tmp_path / "海棠区指南.docx"
    doc.write_bytes(files.docx())
    shown = shell("documents", "add", str(doc), "--id", "haitang", "--preview")
    assert files.TITLE in shown and "table 1" in shown and "faq 2" in shown
    assert read_manifest(shell.index).get("documents") is None  # a preview changes nothing

    out = shell("documents", "add", str(doc), "--id", "haitang")
    assert "published haitang version 1" in out and "index built" in out, out
    manifest = read_manifest(shell.index.resolve())
    assert manifest["documents"] == {"haitang": 1, "plan": 1}
    assert manifest["corpus_source"] == "office"
    carried = sorted(p.name for p in (shell.index / "corpus").iterdir())
    assert carried == ["haitang.toml", "haitang.txt", "plan.toml", "plan.txt"]

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(files.scanned())
    assert "扫描件" in shell("documents", "add", str(scan), code=2)

    # once documents are managed, `ipqa build` builds what is published, not the folder
    (shell.corpus / "stray.txt").write_text("一份没有发布的文件。\n\n正文。\n", encoding="utf-8")
    out = shell("build")
    assert "文件管理" in out and "index built" in out, out
    assert read_manifest(shell.index.resolve())["documents"] == {"haitang": 1, "plan": 1}

    out = shell("documents", "retire", "haitang")
    assert "retired haitang" in out and "index built" in out
    assert read_manifest(shell.index.resolve())["documents"] == {"plan": 1}
    assert "不能撤下" in shell("documents", "retire", "plan", code=2)
    assert "已撤下" in shell("documents", "list")

    me = getpass.getuser()
    done = [
        (e["action"], e["actor"], e["via"])
        for e in reversed(entries(open_engine(shell.db), limit=100))
        if e["action"].startswith("document")
    ]
    assert done == [
        ("documents.seed", "（系统）", "system"),
        ("document.upload", me, "cli"),
        ("document.publish", me, "cli"),
        ("document.retire", me, "cli"),
    ], json.dumps(done, ensure_ascii=False)
