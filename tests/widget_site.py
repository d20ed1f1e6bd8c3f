"""Fixture `sites`: the real API, a host origin it allows and one it refuses (a pytest plugin)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.serverproc import Server, free_port, ipqa_env
from tests.widget_pages import HOSTILE_CSS


def host_page(api: str, title: str, extra_css: str = "", head: str = "", attrs: str = "") -> str:
    """An ordinary third-party page that embeds the widget with one script tag."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">{head}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font-family: sans-serif; margin: 0; padding: 24px; }} {extra_css}</style>
</head><body>
<header><h1>{title}</h1><nav><a href="#a">首页</a> <a href="#b">办事服务</a></nav></header>
<main><div class="content"><p>这是一个嵌入了知识产权规划问答组件的第三方页面。</p></div></main>
<script src="{api}/widget.js" data-api="{api}" {attrs} defer></script>
</body></html>"""


class _Pages(BaseHTTPRequestHandler):
    pages: dict[str, str] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _serve_pages(port: int, pages: dict[str, str]) -> ThreadingHTTPServer:
    handler = type("Pages", (_Pages,), {"pages": pages})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def sites(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The real API, an allowed host origin and a host origin that is not allowed."""
    host_port, other_port = free_port(), free_port()
    server = Server(
        ipqa_env(allowed_origins=json.dumps([f"http://127.0.0.1:{host_port}"])),
        tmp_path_factory.mktemp("service") / "server.log",
    )
    api = server.url
    host = f"http://127.0.0.1:{host_port}"
    other = f"http://127.0.0.1:{other_port}"
    pages = {
        "/plain.html": host_page(api, "某市知识产权局（测试页）"),
        "/hostile.html": host_page(api, "样式很激进的页面", HOSTILE_CSS),
        # no inline styles allowed: the widget's <style> is blocked and must fall back
        "/strict-csp.html": host_page(
            api,
            "严格 CSP 的页面",
            head=(
                '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                f"script-src {api}; connect-src {api}; style-src 'self'\">"
            ),
        ),
        # an 适老化 version of a site sets a larger default text size for the widget
        "/scaled.html": host_page(api, "适老化版页面", attrs='data-font-scale="1.5"'),
        "/english.html": host_page(api, "An English page").replace('lang="zh-CN"', 'lang="en"'),
    }
    servers = [_serve_pages(host_port, pages), _serve_pages(other_port, pages)]

    try:
        server.wait_ready(timeout=60)
        yield {"api": api, "host": host, "other": other}
    finally:
        server.stop()
        for s in servers:
            s.shutdown()
            s.server_close()
