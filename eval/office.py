"""The eval and the office loop: curated answers in (or not), the report out to the staff's
answer-quality page (kept in the office database) and to one HTML file."""

from __future__ import annotations

from pathlib import Path

from eval.sets import QUESTION_SETS


def label_for(questions_file: Path) -> str:
    """What the answer-quality page calls a run: in-sample (the tuning set), held-out, or
    the document set's label (eval/sets.py); another file by its name."""
    path = Path(questions_file).resolve()
    for s in QUESTION_SETS.values():
        if path == s.path.resolve():
            return s.label
    return path.stem[:40]


def attach_curated(engine, database_url: str) -> int:
    """Answer with the office's enabled curated answers first, as the server does; returns how
    many there are."""
    from service.office import curated
    from service.office.db import migrate, open_engine
    from service.office.matcher import CuratedMatcher, threshold_for

    db = open_engine(database_url)
    migrate(db)
    embedder = engine.searcher.embedder
    matcher = CuratedMatcher(threshold_for(embedder.model_id))
    matcher.load(curated.enabled_entries(db), engine.question_vectors)
    engine.curated = matcher
    db.dispose()
    return len(matcher)


def keep_report(report: dict, label: str, database_url: str) -> str | None:
    """Store the report for the staff page; a database that cannot take it is a warning, not
    a failed eval. Returns the problem, if there was one."""
    from service.office import quality
    from service.office.db import migrate, open_engine

    try:
        db = open_engine(database_url)
        migrate(db)
        quality.save(db, label, report)
        db.dispose()
    except Exception as exc:  # noqa: BLE001 - the eval's figures stand without the page
        return f"{type(exc).__name__}: {exc}"
    return None


def write_html(reports: dict[str, dict], path: Path) -> Path:
    """One self-contained page with each labelled report (in-sample, held-out)."""
    from service.office.quality import render_file

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_file(reports), encoding="utf-8")
    return path
