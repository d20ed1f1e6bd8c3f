"""IPQA_TRUSTED_PROXIES: X-Forwarded-For is believed only from them, hop by hop; junk never
becomes the client; the rate limit keys on the client (IPv6 by /64)."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.app import create_app
from service.client_address import TrustedProxies, client_key, parse_ip
from service.settings import Settings
from tests.fakes import FakeEmbedder
from tests.serverproc import ipqa_env, plan_index, require_model, servers

Q = "地理标志怎么保护？"


def _app(settings, **update):
    return create_app(settings.model_copy(update=update), embedder=FakeEmbedder())


def _statuses(client: TestClient, forwarded: list[str | None]) -> list[int]:
    return [
        client.post(
            "/ask", json={"question": Q}, headers={"X-Forwarded-For": f} if f else {}
        ).status_code
        for f in forwarded
    ]


def test_rotated_forwarded_for_from_an_untrusted_peer_keeps_its_key(fake_settings):
    """Default settings, a peer on loopback: rotating X-Forwarded-For does not reset the limit."""
    app = _app(fake_settings, rate_limit="2/minute")
    with TestClient(app, client=("127.0.0.1", 5000)) as c:
        codes = _statuses(c, ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"])
    assert codes == [200, 200, 429, 429]


def test_rotated_forwarded_for_from_a_trusted_proxy_is_each_client(fake_settings):
    app = _app(fake_settings, rate_limit="2/minute", trusted_proxies=["10.0.0.0/8"])
    with TestClient(app, client=("10.1.2.3", 5000)) as c:
        assert _statuses(c, ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) == [200] * 3
        # the same client again and again through the proxy is limited as itself
        assert _statuses(c, ["198.51.100.9"] * 3) == [200, 200, 429]
        # junk appended by a proxy never becomes a client: it falls back to the proxy
        assert _statuses(c, ["not-an-ip-0", "also junk", None]) == [200, 200, 429]
    with TestClient(app, client=("192.0.2.50", 5000)) as c:  # not in the trusted list
        assert _statuses(c, ["198.51.100.20", "198.51.100.21", "198.51.100.22"]) == [
            200,
            200,
            429,
        ]


def test_ipv6_clients_share_a_key_per_64(fake_settings):
    app = _app(fake_settings, rate_limit="2/minute")
    a = [("2001:db8:1:2::1", 1), ("2001:db8:1:2:ffff::9", 1), ("2001:db8:1:2::abcd", 1)]
    codes = []
    for peer in a:
        with TestClient(app, client=peer) as c:
            codes += _statuses(c, [None])
    with TestClient(app, client=("2001:db8:1:3::1", 1)) as c:  # the next /64: its own key
        codes += _statuses(c, [None])
    assert codes == [200, 200, 429, 200]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.1", ["203.0.113.5"], "203.0.113.5"),
        ("10.0.0.1", ["203.0.113.5, 10.0.0.2"], "203.0.113.5"),  # two proxies of ours
        ("10.0.0.1", ["203.0.113.5", "10.0.0.2"], "203.0.113.5"),  # as two headers
        ("10.0.0.1", ["1.1.1.1, 203.0.113.5"], "203.0.113.5"),  # the client's own claim: no
        ("10.0.0.1", ["not-an-ip-0"], "10.0.0.1"),
        ("10.0.0.1", ["203.0.113.5, not-an-ip-0"], "10.0.0.1"),
        ("10.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("10.0.0.1", ["203.0.113.5:8080"], "203.0.113.5"),
        ("10.0.0.1", ["::ffff:203.0.113.5"], "203.0.113.5"),
        ("10.0.0.1", ["999.1.1.1"], "10.0.0.1"),
        ("10.0.0.1", [""], "10.0.0.1"),
        ("192.0.2.1", ["203.0.113.5"], "192.0.2.1"),  # not a trusted peer
    ],
)
def test_resolve(peer, forwarded, client):
    assert TrustedProxies(["10.0.0.0/8"]).resolve(peer, forwarded) == client


def test_no_trusted_proxies_believes_nothing():
    assert TrustedProxies([]).resolve("127.0.0.1", ["203.0.113.5"]) == "127.0.0.1"
    assert "127.0.0.1" not in TrustedProxies([])


def test_client_key_and_parse():
    assert client_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert client_key("203.0.113.5") == "203.0.113.5"
    assert client_key("::ffff:203.0.113.5") == "203.0.113.5"
    assert client_key("testclient") == "testclient"
    assert parse_ip("x" * 1000) is None


def test_trusted_proxies_setting_rejects_junk(monkeypatch):
    monkeypatch.setenv("IPQA_TRUSTED_PROXIES", '["10.0.0.0/8", "nonsense"]')
    with pytest.raises(ValidationError, match="nonsense"):
        Settings()
    monkeypatch.setenv("IPQA_TRUSTED_PROXIES", '["10.0.0.0/8", "::1"]')
    assert Settings().trusted_proxies == ["10.0.0.0/8", "::1"]


@pytest.mark.real_model
def test_real_server_forwarded_for_and_its_access_log(tmp_path):
    """On `ipqa serve`: by default a loopback peer's X-Forwarded-For changes nothing, not even
    the access log; with IPQA_TRUSTED_PROXIES=["127.0.0.1"] it names the client, junk does not."""
    require_model()
    index = plan_index()
    envs = [
        ipqa_env(index_dir=index, rate_limit="3/minute"),
        ipqa_env(index_dir=index, rate_limit="3/minute", trusted_proxies='["127.0.0.1"]'),
    ]
    with servers(envs, tmp_path) as (default, proxied):
        rotated = [f"198.51.100.{n}" for n in range(1, 6)]
        for server, expected in ((default, [200, 200, 200, 429, 429]), (proxied, [200] * 5)):
            codes = [
                httpx.post(
                    f"{server.url}/ask", json={"question": Q}, headers={"X-Forwarded-For": f}
                ).status_code
                for f in rotated
            ]
            assert codes == expected, (server.url, codes)
        httpx.post(
            f"{proxied.url}/ask", json={"question": Q}, headers={"X-Forwarded-For": "not-an-ip-0"}
        )
        default_log, proxied_log = default.tail(100_000), proxied.tail(100_000)
    assert "198.51.100." not in default_log
    assert "198.51.100.1:0" in proxied_log and "198.51.100.5:0" in proxied_log
    assert "not-an-ip-0" not in proxied_log
