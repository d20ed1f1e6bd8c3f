"""`ipqa curated export|import` and `ipqa report` as a user runs them (subprocesses)."""

from __future__ import annotations

import csv
import json

from tests.serverproc import ipqa, ipqa_env


def test_curated_round_trip_and_report(tmp_path):
    env = ipqa_env(database_url=f"sqlite:///{tmp_path}/office.db")
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {"question": "办事大厅在哪？", "variants": ["地址"], "answer": "人民路1号。"},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    done = ipqa("curated", "import", str(source), "--by", "张三", env=env)
    assert done.returncode == 0 and "1 added" in done.stdout, done.stderr
    again = ipqa("curated", "import", str(source), env=env)
    assert "1 changed" in again.stdout
    out = tmp_path / "out.jsonl"
    assert ipqa("curated", "export", str(out), env=env).returncode == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["answer"] == "人民路1号。" and rows[0]["variants"] == ["地址"]

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "没有回答"}\n', encoding="utf-8")
    failed = ipqa("curated", "import", str(bad), env=env)
    assert failed.returncode == 2 and "line 1" in failed.stderr and "Traceback" not in failed.stderr

    report = ipqa("report", "--days", "3", "--csv", str(tmp_path / "days.csv"), env=env)
    assert report.returncode == 0 and "最近 3 天" in report.stdout, report.stderr
    days = list(csv.DictReader((tmp_path / "days.csv").open(encoding="utf-8")))
    assert len(days) == 3 and set(days[0]) == {
        "day",
        "questions",
        "answered",
        "curated",
        "up",
        "down",
    }
    as_json = json.loads(ipqa("report", "--json", env=env).stdout)
    assert as_json["days"] == 30 and as_json["questions"] == 0
