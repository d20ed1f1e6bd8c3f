"""The request limits that /openapi.json, and so /docs and /redoc, states: the settings' (what
service/validate.py enforces), not the request models' 100 000-character bound."""

from __future__ import annotations

from service.app import create_app
from tests.fakes import FakeEmbedder


def _ask_schema(app) -> dict:
    return app.openapi()["components"]["schemas"]


def test_openapi_states_the_real_question_limit(client):
    settings = client.app.state.runtime.settings
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    question = schemas["AskRequest"]["properties"]["question"]
    assert question["maxLength"] == settings.max_question_chars == 500
    assert question["minLength"] == 1 and "1–500 字" in question["description"]
    history = schemas["AskRequest"]["properties"]["history"]
    assert history["maxItems"] == settings.max_history_turns
    assert schemas["Turn"]["properties"]["content"]["maxLength"] == settings.max_turn_chars
    assert "500 字" in schemas["ChatRequest"]["properties"]["messages"]["description"]
    # the limit stated is the limit enforced
    assert client.post("/ask", json={"question": "专" * 500}).status_code == 200
    refused = client.post("/ask", json={"question": "专" * 501})
    assert refused.status_code == 422 and refused.json()["error"] == "question_too_long"


def test_openapi_follows_the_settings(fake_settings):
    changed = fake_settings.model_copy(
        update={"max_question_chars": 120, "max_history_turns": 4, "max_turn_chars": 300}
    )
    schemas = _ask_schema(create_app(changed, FakeEmbedder()))
    assert schemas["AskRequest"]["properties"]["question"]["maxLength"] == 120
    assert "1–120 字" in schemas["AskRequest"]["properties"]["question"]["description"]
    assert schemas["AskRequest"]["properties"]["history"]["maxItems"] == 4
    assert schemas["Turn"]["properties"]["content"]["maxLength"] == 300
