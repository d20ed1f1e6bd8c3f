"""deploy/ stays true to the code: its settings exist, nginx's limits match the replicas',
the units run commands `ipqa` has. (tests/test_replicas.py runs the nginx file for real.)"""

from __future__ import annotations

import re
from pathlib import Path

from service.cli import app
from service.settings import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
NGINX = (DEPLOY / "nginx" / "ipqa.conf").read_text(encoding="utf-8")


def _directive(name: str) -> str:
    found = re.findall(rf"^\s*{name}\s+([^;]+);", NGINX, flags=re.M)
    assert found, name
    return found[0].strip()


def test_every_setting_deploy_names_exists():
    names = {
        m
        for path in DEPLOY.rglob("*")
        if path.is_file()
        for m in re.findall(r"\bIPQA_[A-Z_]+\b", path.read_text(encoding="utf-8"))
    }
    known = {f"IPQA_{name.upper()}" for name in Settings.model_fields}
    assert names and names <= known, names - known


def test_nginx_limits_match_the_replicas():
    settings = Settings()
    assert _directive("client_max_body_size") == f"{settings.max_body_bytes // 1024}k"
    assert _directive("client_header_timeout") == f"{settings.header_timeout:g}s"
    assert _directive("client_body_timeout") == f"{settings.body_timeout:g}s"
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in NGINX
    trusted = re.search(r"^IPQA_TRUSTED_PROXIES=(.+)$", (DEPLOY / "ipqa.env").read_text(), re.M)
    assert trusted and "127.0.0.1" in trusted.group(1)  # nginx's address in the example


def test_units_run_commands_ipqa_has():
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    for unit in (DEPLOY / "systemd").glob("ipqa*.service"):
        for line in re.findall(r"^ExecStart=(.+)$", unit.read_text(), flags=re.M):
            words = line.split()
            if words[0].endswith("/ipqa"):
                assert words[1] in commands, (unit.name, line)
