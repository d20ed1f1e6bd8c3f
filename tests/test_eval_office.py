"""`ipqa eval` and the office loop, as staff run it: readable tables at 80 columns and in a
pipe, the answer-quality page as a file and on the staff page, the eval with curated answers."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select

from eval.sets import QUESTION_SETS
from service.office.tables import eval_reports
from tests.serverproc import ipqa, ipqa_env, plan_index, require_model

pytestmark = pytest.mark.real_model


def test_eval_tables_fit_80_columns_when_piped(tmp_path):
    require_model()
    env = ipqa_env(index_dir=plan_index(), database_url=f"sqlite:///{tmp_path}/o.db")
    env.pop("COLUMNS", None)
    done = ipqa("eval", "--mode", "hybrid", "--out", str(tmp_path / "r.json"), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    table_lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert max(len(line) for line in table_lines) <= 80
    assert "…" not in done.stdout  # no figure cut to "0.…"
    assert " 0.967 " in done.stdout or " 1.000 " in done.stdout


def test_answer_quality_page_and_the_eval_with_curated_answers(tmp_path):
    require_model()
    url = f"sqlite:///{tmp_path}/office.db"
    env = ipqa_env(index_dir=plan_index(), database_url=url)
    curated = tmp_path / "curated.jsonl"
    curated.write_text(
        json.dumps(
            {"question": "地理标志怎么保护？", "answer": "请咨询当地知识产权局。"},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    assert ipqa("curated", "import", str(curated), env=env).returncode == 0
    page = tmp_path / "quality.html"
    args = ["eval", "--mode", "hybrid", "--out", str(tmp_path / "r.json"), "--no-check-floor"]
    plain = ipqa(*args, "--html", str(page), env=env)
    assert plain.returncode == 0, plain.stderr[-2000:]
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html and "没答对的问题" in html and "in-sample" in html and "held-out" in html
    with_curated = ipqa(*args, "--curated", env=env)
    assert with_curated.returncode == 0 and "with 1 curated answer" in with_curated.stdout
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    row = next(r for r in report["modes"]["hybrid"]["questions"] if r["id"] == "col-05-topic")
    assert row["answer"] == "请咨询当地知识产权局。" and not row["answer_ok"]
    db = create_engine(url)
    with db.connect() as c:
        labels = [r.label for r in c.execute(select(eval_reports.c.label))]
    db.dispose()
    # each run keeps every set, tuning and held-out, the plan's and the documents', under its
    # own label
    sets = [s.label for s in QUESTION_SETS.values()]  # eval/sets.py: every set, every corpus
    assert sorted(labels) == sorted(sets + [f"{s} + curated" for s in sets])
