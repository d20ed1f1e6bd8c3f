"""The HTTP API with the fake embedder: contract shape, follow-ups, errors, CORS."""

from __future__ import annotations


def test_ask_indicator_contract(client):
    r = client.post("/ask", json={"question": "2025年海外发明专利授权量目标是多少？"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {
        "question",
        "normalized_question",
        "found",
        "answer",
        "passages",
        "indicators",
        "took_ms",
    }
    assert body["found"] is True
    assert body["indicators"][0] == {
        "id": 2,
        "name": "海外发明专利授权量",
        "unit": "万件",
        "value_2020": 4,
        "target_2025": 9,
        "increase": 5,
    }
    assert "9万件" in body["answer"]
    assert body["passages"] and body["passages"][0]["section"]
    assert len(body["passages"]) == 5


def test_server_timing_tells_the_app_time(client):
    for r in (
        client.post("/ask", json={"question": "地理标志怎么保护？"}),
        client.get("/healthz"),
        client.post("/ask", json={}),
    ):
        app, dur = r.headers["server-timing"].split(";dur=")
        assert app == "app" and 0 <= float(dur) < 60_000


def test_top_k_and_numbers_as_written(client):
    body = client.post(
        "/ask", json={"question": "专利密集型产业增加值占GDP比重2025年目标", "top_k": 2}
    ).json()
    assert len(body["passages"]) == 2
    assert "13.0%" in body["answer"]
    raw = client.post("/ask", json={"question": "专利密集型产业增加值占GDP比重"}).text
    assert '"target_2025":13.0' in raw


def test_followup_uses_history(client):
    history = [
        {"role": "user", "content": "海外发明专利授权量2025年目标是多少？"},
        {"role": "assistant", "content": "到2025年，海外发明专利授权量目标为9万件。"},
    ]
    body = client.post("/ask", json={"question": "那2020年呢？", "history": history}).json()
    assert "海外发明专利授权量" in body["normalized_question"]
    assert "4万件" in body["answer"]


def test_all_indicators(client):
    body = client.post("/ask", json={"question": "有哪些主要指标？"}).json()
    assert len(body["indicators"]) == 8


def test_out_of_scope_is_polite_with_suggestions(client):
    body = client.post("/ask", json={"question": "明天北京天气怎么样？"}).json()
    assert body["found"] is False and body["suggestions"] and body["indicators"] == []
    assert "没有" in body["answer"]


def test_indicators_and_healthz(client):
    rows = client.get("/indicators").json()
    assert len(rows) == 8 and rows[7]["value_2020"] is None
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["passages"] > 50
    assert len(health["corpus_sha256"]) == 64 and health["index_build_time"]


def test_errors_are_json_without_traces(client):
    for payload in (
        {"question": ""},
        {"question": "x" * 501},
        {"question": "？？？"},
        {"question": "专栏5", "top_k": 0},
        {"question": "专栏5", "top_k": 21},
    ):
        r = client.post("/ask", json=payload)
        assert r.status_code == 422, payload
        assert set(r.json()) == {"error", "message", "message_en"}
    bad = client.post("/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_json"


def test_cors_only_for_allowed_origins(client):
    allowed = client.options(
        "/ask", headers={"Origin": "http://127.0.0.1:8000", "Access-Control-Request-Method": "POST"}
    )
    assert allowed.headers.get("access-control-allow-origin") == "http://127.0.0.1:8000"
    other = client.post("/ask", json={"question": "专栏5"}, headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in other.headers


def test_demo_page_and_widget(client):
    page = client.get("/")
    assert page.status_code == 200 and "widget.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    js = client.get("/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "max-age" in js.headers["cache-control"]
    assert (
        client.get("/widget.js", headers={"If-None-Match": js.headers["etag"]}).status_code == 304
    )


def test_repeated_question_is_served_from_the_cache(fake_settings):
    from fastapi.testclient import TestClient

    from service.app import create_app
    from tests.fakes import FakeEmbedder

    embedder = FakeEmbedder()
    settings = fake_settings.model_copy(update={"cache_size": 16})
    with TestClient(create_app(settings, embedder=embedder)) as c:
        first = c.post("/ask", json={"question": "专栏5是什么？"}).json()
        calls = embedder.calls
        again = c.post("/ask", json={"question": "专栏5是什么？"}).json()
        same_meaning = c.post("/ask", json={"question": "專欄5是什麼"}).json()
    assert embedder.calls == calls  # neither repeat reached the model
    assert again["answer"] == first["answer"] == same_meaning["answer"]
    assert again["question"] == "专栏5是什么？" and same_meaning["question"] == "專欄5是什麼"


def test_a_model_that_cannot_be_restarted_is_a_503_that_says_so(fake_settings):
    from fastapi.testclient import TestClient

    from index.embed.model_process import ModelUnavailable
    from service.app import create_app
    from tests.fakes import FakeEmbedder

    class GoneModel(FakeEmbedder):
        def __init__(self):
            super().__init__()
            self.gone = False

        def encode_queries(self, texts):
            if self.gone:
                raise ModelUnavailable("the model process could not be restarted: test")
            return super().encode_queries(texts)

    embedder = GoneModel()
    with TestClient(create_app(fake_settings, embedder=embedder)) as c:  # warm-up needs it
        embedder.gone = True
        r = c.post("/ask", json={"question": "专利质押融资"})
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert r.json()["error"] == "model_unavailable" and "test" not in r.text
