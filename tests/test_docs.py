"""The README stays true: every setting is in its table, and .ci/run calls its test command."""

from __future__ import annotations

import re
from pathlib import Path

from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _settings_table() -> dict[str, str]:
    rows = re.findall(r"^\|\s*`(IPQA_[A-Z_]+)`\s*\|\s*(.*?)\s*\|", README, flags=re.M)
    return dict(rows)


def test_every_setting_is_documented_with_its_default():
    table = _settings_table()
    fields = Settings.model_fields
    expected = {f"IPQA_{name.upper()}" for name in fields}
    assert set(table) == expected, (expected - set(table), set(table) - expected)
    for name, field in fields.items():
        default = field.default
        shown = table[f"IPQA_{name.upper()}"]
        if isinstance(default, Path):
            assert str(default) in shown or name == "corpus_dir", (name, shown)
        elif isinstance(default, list):
            for item in default:
                assert item in shown, (name, shown)
        elif default is None:
            assert "none" in shown.lower() or "unset" in shown.lower() or "—" in shown, (
                name,
                shown,
            )
        else:
            assert str(default) in shown, (name, shown)


def test_ci_runs_the_readme_test_command():
    assert "make test" in README and "make serve" in README
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), flags=re.M)
