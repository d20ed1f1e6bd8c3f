"""`ipqa eval` and `ipqa bench`, added to the ipqa command through the `ipqa.commands` entry point."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from eval.gold import DEFAULT_QUESTIONS
from eval.run import DEFAULT_FLOOR, DEFAULT_OUT, TOP_K
from eval.sets import DOCUMENT_SETS, QUESTION_SETS, over_documents
from service.terminal import console, err, fail

# The sets asked over the plan and sample documents → the document set each is asked over
# (eval/sets.py, each an index of its own), and the option naming each one's server.
DOCS_SETS = {name: s.documents for name, s in over_documents().items()}
URL_OPTIONS = {name: d.url_option for name, d in DOCUMENT_SETS.items()}
# Each set's key in the report and in eval/floor.json.
FLOOR_SETS = {s.key: name for name, s in QUESTION_SETS.items() if s.key}


def _server_of(name: str):
    """The option naming the server that serves a document set's corpus: --docs5-url."""
    d = DOCUMENT_SETS[name]
    return typer.Option(
        d.url_option,
        help=f"with --url: the server that serves the plan, the samples and corpus/{name} "
        f"(IPQA_CORPUS_DIR={d.folder}/corpus IPQA_INDEX_DIR={d.folder}/index)",
    )


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def eval_command(
    mode: Annotated[
        list[str] | None,
        typer.Option(
            "--mode", "-m", help="bm25 | dense | hybrid; repeat or comma-separate (default: all)"
        ),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", "-c", help="only these categories; repeat or comma-separate"),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            help="where to write the JSON report", show_default="eval/reports/latest.json"
        ),
    ] = DEFAULT_OUT,
    show_failures: Annotated[
        bool, typer.Option("--show-failures", help="print every failing question, grouped by cause")
    ] = False,
    export_beir_dir: Annotated[
        Path | None,
        typer.Option("--export-beir", help="also write the gold set in BEIR layout to this folder"),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check-floor/--no-check-floor", help="exit 1 when hybrid falls below eval/floor.json"
        ),
    ] = True,
    floor_file: Annotated[
        Path, typer.Option("--floor", help="the floor file", show_default="eval/floor.json")
    ] = DEFAULT_FLOOR,
    questions_file: Annotated[
        Path,
        typer.Option(
            "--questions", help="the gold questions (JSONL)", show_default="eval/questions.jsonl"
        ),
    ] = DEFAULT_QUESTIONS,
    top_k: Annotated[
        int, typer.Option("--top-k", min=1, max=20, help="passages asked for per question")
    ] = TOP_K,
    heldout: Annotated[
        bool,
        typer.Option(
            "--heldout/--no-heldout",
            help="also run eval/heldout.jsonl (held-out: never tuned on) beside the tuning set",
        ),
    ] = True,
    docs: Annotated[
        bool,
        typer.Option(
            "--docs/--no-docs",
            help="also run the document sets over the plan and sample documents "
            "(eval/sets.py: docs_tuning, heldout2 over corpus/samples; heldout3, "
            "docs_tuning4, heldout5… each over one more folder)",
        ),
    ] = True,
    docs_url: Annotated[
        str | None,
        typer.Option(
            "--docs-url",
            help="with --url: the server that serves the plan and the sample documents "
            "(IPQA_CORPUS_DIR=var/eval-docs/corpus IPQA_INDEX_DIR=var/eval-docs/index)",
        ),
    ] = None,
    docs3_url: Annotated[str | None, _server_of("samples3")] = None,
    docs4_url: Annotated[str | None, _server_of("samples4")] = None,
    docs5_url: Annotated[str | None, _server_of("samples5")] = None,
    docs6_url: Annotated[str | None, _server_of("samples6")] = None,
    docs7_url: Annotated[str | None, _server_of("samples7")] = None,
    docs8_url: Annotated[str | None, _server_of("samples8")] = None,
    docs9_url: Annotated[str | None, _server_of("samples9")] = None,
    docs10_url: Annotated[str | None, _server_of("samples10")] = None,
    docs11_url: Annotated[str | None, _server_of("samples11")] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="ask a running server through POST /ask (hybrid only), e.g. http://127.0.0.1:8000",
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="also write the answer-quality page (charts, failures) here"),
    ] = None,
    replay: Annotated[
        bool,
        typer.Option(
            "--replay",
            help="ask follow-ups after the service's own earlier answers, not the gold set's "
            "(a conversation as a citizen has it; the floor is not checked)",
        ),
    ] = False,
    curated: Annotated[
        bool,
        typer.Option(
            "--curated/--no-curated",
            help="answer with the office's curated answers first, as the server does",
        ),
    ] = False,
) -> None:
    """Run the gold questions through the /ask code path and report IR and answer metrics."""
    from eval.gold import DOCS_FILES, HELDOUT_QUESTIONS, GoldError
    from eval.report import print_failures, print_report, print_sets
    from eval.run import export_beir, load_floor, run_eval, write_report
    from index.search import MODES
    from service.settings import Settings

    modes = list(dict.fromkeys(_split(mode) or (["hybrid"] if url else MODES)))
    bad = [m for m in modes if m not in MODES]
    if bad:
        fail(f"unknown mode {', '.join(bad)} (choose from {', '.join(MODES)})")
    categories = _split(category)
    given = {
        "--docs-url": docs_url,
        "--docs3-url": docs3_url,
        "--docs4-url": docs4_url,
        "--docs5-url": docs5_url,
        "--docs6-url": docs6_url,
        "--docs7-url": docs7_url,
        "--docs8-url": docs8_url,
        "--docs9-url": docs9_url,
        "--docs10-url": docs10_url,
        "--docs11-url": docs11_url,
    }
    urls = {name: given[option] for name, option in URL_OPTIONS.items()}
    files = {"in-sample": questions_file}
    if heldout and questions_file == DEFAULT_QUESTIONS:
        files["held-out"] = HELDOUT_QUESTIONS
        skipped: dict[str, list[str]] = {}
        for name, path in DOCS_FILES.items() if docs else ():
            corpus = DOCS_SETS[name]
            if url and not urls[corpus]:  # a server on the plan alone cannot answer them
                skipped.setdefault(URL_OPTIONS[corpus], []).append(name)
            elif path.exists():
                files[name] = path
        for option, names in skipped.items():
            console.print(f"[dim]{', '.join(names)} skipped: --url without {option}[/]")
    try:
        sets = {
            name: _questions(path, categories, first=name == "in-sample")
            for name, path in files.items()
        }
        floor = load_floor(floor_file) if check else None
    except GoldError as exc:
        fail(str(exc))
    settings = Settings()
    asker = _asker(url, settings)
    askers = {name: asker for name in files}
    for corpus in dict.fromkeys(DOCS_SETS[name] for name in files if name in DOCS_SETS):
        from eval.docs_corpus import CORPORA, docs_settings

        root, sources = CORPORA[corpus]
        with console.status(f"the plan and {', '.join(s.name for s in sources[1:])}: index…"):
            docs_asker = _asker(urls[corpus], docs_settings(settings, root, sources))
        askers.update({name: docs_asker for name in files if DOCS_SETS.get(name) == corpus})
    if curated:
        if url:
            fail("--curated answers in this process; a server over --url uses its own")
        from eval.office import attach_curated

        count = attach_curated(asker.engine, settings.database_url)
        for other in {id(a): a for a in askers.values() if a is not asker}.values():
            attach_curated(other.engine, settings.database_url)  # every set answers alike
        console.print(f"with {count} curated answer(s) from the office database", highlight=False)
    if replay:
        from eval.askers import Replaying

        askers = {name: Replaying(a) for name, a in askers.items()}
        check, floor = False, None
        console.print("[dim]--replay: follow-ups read after this service's own answers[/]")
    started = time.perf_counter()
    reports = {}
    for name, questions in sets.items():
        with console.status(f"{name}: asking {len(questions)} questions × {len(modes)} mode(s)…"):
            try:
                reports[name] = run_eval(askers[name], questions, modes, categories, top_k=top_k)
            except ValueError as exc:
                fail(str(exc))
    report = reports["in-sample"]
    for key, name in FLOOR_SETS.items():
        if name in reports:
            report[key] = reports[name]
    for name, result in reports.items():
        console.rule(f"{name}: {files[name].name}")
        print_report(result, console)
        if show_failures and name == "in-sample":  # the held-out set's failures stay unread
            print_failures(result, console)
    # tables of at most two sets each (more side by side do not fit 80 columns), by corpus
    print_sets({k: v for k, v in reports.items() if k not in DOCS_SETS}, console)
    for corpus in dict.fromkeys(DOCS_SETS.values()):
        names = [k for k in reports if DOCS_SETS.get(k) == corpus]
        for pair in (names[i : i + 2] for i in range(0, len(names), 2)):
            print_sets({k: reports[k] for k in pair}, console)

    problems = _floor_problems(report, floor, modes, categories, floor_file) if floor else []
    path = write_report(report, out)
    _office(reports, files, curated, categories, html, settings, replay)
    if export_beir_dir is not None:
        export_beir(asker.passages, sets["in-sample"], export_beir_dir)
        console.print(f"BEIR export: {export_beir_dir}")
    console.print(f"report: {path}  ({time.perf_counter() - started:.1f} s)", highlight=False)
    if problems:
        for message in problems:
            err.print(f"[bold red]below floor:[/] {message}", highlight=False)
        raise typer.Exit(1)
    if floor is not None and "floor" in report:
        console.print(f"[green]{floor.get('mode', 'hybrid')} is at or above {floor_file.name}[/]")


def _questions(path: Path, categories: list[str], first: bool):
    from eval.gold import filter_categories, load_questions

    questions = load_questions(path)
    if first or not categories:
        return filter_categories(questions, categories)
    return [q for q in questions if q.category in set(categories)]  # may have none of them


def _asker(url: str | None, settings):
    from eval.askers import EngineAsker, HttpAsker
    from eval.run import NoCache
    from eval.sets import SETS_WRITTEN
    from service.state import LoadError, open_engine

    if url:
        try:
            return HttpAsker(url, settings.corpus_dir)
        except Exception as exc:  # no server there, or not an ipqa one
            fail(f"cannot reach {url}/healthz: {exc}")
    if settings.today is None:  # 去年 in a question is the year before the sets were written
        settings = settings.model_copy(update={"today": SETS_WRITTEN})
    try:  # loaded as the server loads it (model process included), keeping no answers
        return EngineAsker(open_engine(settings, serving=True, cache=NoCache()))
    except LoadError as exc:
        fail(str(exc))


def _floor_problems(report: dict, floor: dict, modes, categories, floor_file: Path) -> list[str]:
    """Below-floor messages for the tuning set (the floor's top level) and the held-out one
    (its "heldout" part)."""
    from eval.run import check_floor

    if categories:
        console.print("[dim]floor check skipped: it applies to whole sets, not to categories[/]")
        return []
    if floor.get("mode", "hybrid") not in modes:
        console.print(
            f"[dim]floor check skipped: mode {floor.get('mode', 'hybrid')} was not run[/]"
        )
        return []
    top = {k: v for k, v in floor.items() if k not in FLOOR_SETS}
    problems = check_floor(report, top)
    for key, name in FLOOR_SETS.items():
        if key in floor and key in report:
            problems += [f"{name} {m}" for m in check_floor(report[key], floor[key])]
    report["floor"] = {"file": str(floor_file), "values": floor, "below": problems}
    return problems


def _office(reports: dict, files: dict, curated, categories, html, settings, replay) -> None:
    """The answer-quality page: each set's report kept for the staff page, and one HTML file."""
    from eval.office import keep_report, label_for, write_html

    labelled = {}
    for name, report in reports.items():
        label = label_for(files[name]) + (" + curated" if curated else "")
        label += " (own answers as history)" if replay else ""
        labelled[label] = report
        if not categories:  # a subset is a look, not the office's figures
            problem = keep_report(report, label, settings.database_url)
            if problem:
                err.print(f"ipqa: the report is not on the staff page: {problem}", highlight=False)
    if html is not None:
        console.print(f"answer-quality page: {write_html(labelled, html)}", highlight=False)


def register_commands(app: typer.Typer) -> None:
    """The `ipqa.commands` entry point (pyproject.toml): the ipqa CLI calls it at start."""
    app.command(name="eval")(eval_command)
    from eval.bench.command import bench_command

    app.command(name="bench")(bench_command)
