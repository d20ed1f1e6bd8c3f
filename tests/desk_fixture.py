"""The front desk's test app, a pytest plugin (`pytest_plugins = ("tests.desk_fixture",)`):
the fake-embedder app with the staff side open, an editor `ed` and a viewer `vi`."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.desk_app import TOKEN
from tests.fakes import FakeEmbedder
from tests.staff_session import add


@pytest.fixture
def app(fake_settings, tmp_path):
    settings = fake_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/office.db", "admin_token": TOKEN}
    )
    app = create_app(settings, embedder=FakeEmbedder())
    with TestClient(app):
        for name, role in (("ed", "editor"), ("vi", "viewer")):
            add(app, name, role)
        yield app
