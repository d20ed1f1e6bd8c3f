"""The chat endpoint under fuzzing (fake embedder): hypothesis over malformed messages and
content parts, and schemathesis over its OpenAPI operation — never a 5xx, always our JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, status_code_conformance

from service.app import create_app
from tests.conftest import make_settings
from tests.fakes import FakeEmbedder

CHAT = "/v1/chat/completions"

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
part_types = st.sampled_from(["text", "image_url", "input_audio", "refusal", "", "TEXT"])
# Numbers that grow when Python prints them (1e9 → "1000000000.0"), so a body under the size
# limit can print past any length bound.
growing = st.integers(0, 16_000).map(lambda n: [1e9] * n)
parts = (
    st.fixed_dictionaries(
        {"type": part_types}, optional={"text": json_values | growing | st.text(max_size=40)}
    )
    | json_values
)
contents = st.none() | st.text(max_size=40) | st.lists(parts, max_size=5) | json_values
roles = st.sampled_from(["user", "assistant", "system", "developer", "tool", "robot", ""])
messages = st.fixed_dictionaries({"role": roles}, optional={"content": contents}) | json_values
bodies = st.fixed_dictionaries(
    {"messages": st.lists(messages, max_size=5) | json_values},
    optional={"model": json_values, "stream": json_values},
)

# What the attacker sent: history parts whose printed text passed Turn's bound (a 500 on main).
_AMPLIFIED = {
    "messages": [
        {"role": "user", "content": [{"type": "text", "text": [1e9] * 14_000}]},
        {"role": "user", "content": "专利"},
    ]
}


@pytest.fixture(scope="module")
def chat_client(fake_settings):
    app = create_app(fake_settings, embedder=FakeEmbedder())
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _check(r) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        body = r.json()
        assert set(body) == {"error", "message", "message_en"}, body


@given(body=bodies)
@example(body=_AMPLIFIED)
@example(body={"messages": [{"role": "user", "content": [{"type": "text", "text": {"a": 1}}]}]})
@example(body={"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})
@hsettings(
    max_examples=300,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_chat_fuzz_never_5xx(chat_client, body):
    # 1e9 as the attacker wrote it: 3 bytes on the wire, 12 characters once printed.
    raw = json.dumps(body, separators=(",", ":")).replace("1000000000.0", "1e9").encode()
    r = chat_client.post(CHAT, content=raw, headers={"content-type": "application/json"})
    if len(r.request.content) > 65_536:
        assert r.status_code == 413
    _check(r)


def test_malformed_parts_are_named(chat_client):
    r = chat_client.post(
        CHAT, json={"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}
    )
    assert r.status_code == 422 and "messages.0.content.0.text" in r.json()["message_en"]
    r = chat_client.post(CHAT, json={"messages": [{"role": "user", "content": {"text": "x"}}]})
    assert r.status_code == 422 and "content parts" in r.json()["message_en"]
    ok = chat_client.post(
        CHAT,
        json={
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "地理标志"},
                        {"type": "text", "text": "怎么保护？"},
                    ],
                }
            ]
        },
    )
    assert ok.status_code == 200 and ok.json()["ipqa"]["normalized_question"]


APP = create_app(make_settings(Path("var/unused"), model=FakeEmbedder.model_id), FakeEmbedder())
chat_schema = schemathesis.openapi.from_dict(APP.openapi()).include(path=CHAT)


@pytest.fixture(scope="module", autouse=True)
def _loaded_runtime(fake_settings):
    runtime = APP.state.runtime
    runtime.settings = fake_settings
    runtime.load()


@chat_schema.parametrize()
@hsettings(
    max_examples=200,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_chat_schema_fuzz(case):
    case.call_and_validate(app=APP, checks=[not_a_server_error, status_code_conformance])
