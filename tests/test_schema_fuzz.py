"""Schemathesis over the app's own OpenAPI schema (fake embedder): no 5xx, documented answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from tests.conftest import make_settings
from tests.fakes import FakeEmbedder

# Positive and negative cases both: valid requests must not fail, invalid ones must get a
# documented 4xx. (content_type_conformance is left out: a streamed chat answer is
# text/event-stream, which OpenAPI cannot describe beside the JSON answer.)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


# The schema is loaded at import, from the app's own openapi(): schemathesis' fixture loader
# breaks on pytest 9 (it sets `node._nodeid`), and from_asgi would run the lifespan, which
# needs the index that the fixture below builds.
APP = create_app(make_settings(Path("var/unused"), model=FakeEmbedder.model_id), FakeEmbedder())
schema = schemathesis.openapi.from_dict(APP.openapi())


@pytest.fixture(scope="module", autouse=True)
def _loaded_runtime(fake_settings):
    runtime = APP.state.runtime  # the lifespan holds this object: point it at the built index
    runtime.settings = fake_settings
    runtime.load()


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms(case):
    case.call_and_validate(app=APP, checks=CHECKS)
