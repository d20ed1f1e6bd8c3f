"""The service's icon: /favicon.ico (16, 32 and 48 px) and /favicon.svg, linked from the demo
page, the staff pages and /docs and /redoc."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from service.app import create_app
from tests.fakes import FakeEmbedder

PNG = b"\x89PNG\r\n\x1a\n"


def _ico_sizes(data: bytes) -> list[int]:
    """The sizes of an ICO file's images, after checking that each one is a PNG inside it."""
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1) and count >= 1
    sizes = []
    for n in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * n
        )
        assert width == height and offset + length <= len(data)
        assert data[offset : offset + len(PNG)] == PNG
        sizes.append(width or 256)
    return sorted(sizes)


def test_favicon_ico_and_svg_are_served_and_cached(client):
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.headers["content-type"] == "image/x-icon"
    assert _ico_sizes(ico.content) == [16, 32, 48]
    assert "max-age" in ico.headers["cache-control"]
    again = client.get("/favicon.ico", headers={"If-None-Match": ico.headers["etag"]})
    assert again.status_code == 304
    svg = client.get("/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    for el in root.iter():  # a drawing only: nothing that runs
        assert el.tag.rsplit("}", 1)[-1] not in ("script", "foreignObject", "a"), el.tag
        assert not any(name.startswith("on") or "href" in name for name in el.attrib), el.attrib
    assert svg.headers["content-security-policy"] == "default-src 'none'"
    assert "favicon.svg" not in client.get("/openapi.json").text  # not an API route


def test_pages_link_the_icon(client, fake_settings):
    link = '<link rel="icon" href="/favicon.svg" type="image/svg+xml">'
    assert link in client.get("/").text
    assert 'href="/favicon.svg"' in client.get("/docs").text
    assert 'href="/favicon.svg"' in client.get("/redoc").text
    token = "s3cret-token-for-the-icon-test"
    app = create_app(fake_settings.model_copy(update={"admin_token": token}), FakeEmbedder())
    with TestClient(app) as staff:
        assert link in staff.get("/admin/login").text
