"""Shared fixtures: a fake-embedder app for fast tests, the real model for marked ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corpus.load import DEFAULT_CORPUS_DIR
from index.model.folder import DEFAULT_MODEL
from index.store import build_index
from service.app import create_app
from service.qa.calibrate import finalizer
from service.settings import Settings
from tests.fakes import FakeEmbedder
from tests.serverproc import MODELS_DIR, require_model


def make_settings(tmp: Path, **overrides) -> Settings:
    values = dict(
        index_dir=tmp / "index",
        models_dir=MODELS_DIR,
        corpus_dir=DEFAULT_CORPUS_DIR,
        rate_limit="",
        cache_size=0,
        database_url=f"sqlite:///{tmp}/ipqa.db",
        spool_dir=tmp / "spool",
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def fake_settings(tmp_path_factory) -> Settings:
    tmp = tmp_path_factory.mktemp("fake")
    # NumPy's exact search: the fast tests need no FAISS (tests/test_dense.py compares both)
    settings = make_settings(tmp, model=FakeEmbedder.model_id, dense_index="numpy")
    build_index(
        settings.corpus_dir,
        FakeEmbedder(),
        settings.index_dir,
        hnsw_threshold=settings.hnsw_threshold,
        dense_index=settings.dense_index,
    )
    return settings


@pytest.fixture
def client(fake_settings):
    with TestClient(create_app(fake_settings, embedder=FakeEmbedder())) as c:
        yield c


@pytest.fixture(scope="session")
def real_embedder():
    require_model()
    from index.embed.factory import EmbedderSpec, create_embedder

    # the runtime that ships by default (IPQA_BACKEND), so the tests check what users run
    return create_embedder(EmbedderSpec(DEFAULT_MODEL, MODELS_DIR, backend=Settings().backend))


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory, real_embedder) -> Settings:
    tmp = tmp_path_factory.mktemp("real")
    settings = make_settings(tmp)
    # as `ipqa build` does: the scope cut calibrated on the tuning set, kept in the manifest
    build_index(
        settings.corpus_dir,
        real_embedder,
        settings.index_dir,
        hnsw_threshold=10**6,
        finalize=finalizer(real_embedder),
    )
    return settings


@pytest.fixture(scope="session")
def real_client(real_settings, real_embedder):
    with TestClient(create_app(real_settings, embedder=real_embedder)) as c:
        yield c


@pytest.fixture(scope="session")
def real_engine(real_client):
    return real_client.app.state.runtime.engine


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL cluster for the run (skipped without Debian's postgresql)."""
    from tests.pgserver import PgServer, require_postgres

    server = PgServer(require_postgres())
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """An empty office database: a SQLite file, then a fresh database on real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/office.db"
    server = request.getfixturevalue("pg_server")
    return server.fresh_database(f"t_{tmp_path.name.lower().replace('-', '_')[-40:]}")
