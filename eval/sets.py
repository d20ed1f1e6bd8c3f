"""Every question set of the eval: its file, the documents it is asked over and what the
reports call it. A new set over new documents is a row here and a folder under corpus/; the
commands (`ipqa eval`, the peer comparison, the answer-quality page, CI's floor) read it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corpus.load import DEFAULT_CORPUS_DIR

EVAL_DIR = Path(__file__).parent
CORPUS_DIR = DEFAULT_CORPUS_DIR.parent  # corpus/: the plan in data/, sample documents beside


@dataclass(frozen=True)
class DocumentSet:
    """The plan and sample folders, in a corpus and an index of their own (built by
    eval.docs_corpus when missing or when a document changed)."""

    name: str  # its newest sample folder's name: "samples5"
    samples: tuple[str, ...]  # folders under corpus/ read beside the plan
    folder: Path  # its corpus copy and index: var/eval-docs5/{corpus,index}
    url_option: str  # `ipqa eval --url …` asks its server through this option

    @property
    def sources(self) -> tuple[Path, ...]:
        return (DEFAULT_CORPUS_DIR, *(CORPUS_DIR / s for s in self.samples))


@dataclass(frozen=True)
class QuestionSet:
    name: str  # in the console and the report: "held-out-5"
    file: str  # under eval/
    label: str  # on the staff's answer-quality page
    key: str | None = None  # its key in the report's JSON and in eval/floor.json
    documents: str | None = None  # a DocumentSet's name; None: the plan alone (var/index)
    held_out: bool = True  # never tuned on: its failures are not printed

    @property
    def path(self) -> Path:
        return EVAL_DIR / self.file


DOCUMENT_SETS = {
    d.name: d
    for d in (
        DocumentSet("samples", ("samples",), Path("var/eval-docs"), "--docs-url"),
        # two documents written after the rules, for held-out-3 only
        DocumentSet("samples3", ("samples", "samples3"), Path("var/eval-docs3"), "--docs3-url"),
        # two more with tuning questions: rules are tried on documents not written for them
        DocumentSet("samples4", ("samples", "samples4"), Path("var/eval-docs4"), "--docs4-url"),
        # two more by a helper who read no code, after most of the seventh session's rules
        DocumentSet("samples5", ("samples", "samples5"), Path("var/eval-docs5"), "--docs5-url"),
        # two more again (a notice with attachments, an FAQ), by a helper who read no code,
        # at the eighth session's start: no rule was written for them
        DocumentSet("samples6", ("samples", "samples6"), Path("var/eval-docs6"), "--docs6-url"),
    )
}

QUESTION_SETS = {
    s.name: s
    for s in (
        QuestionSet("in-sample", "questions.jsonl", "in-sample", held_out=False),
        QuestionSet("held-out", "heldout.jsonl", "held-out", "heldout"),
        QuestionSet(
            "docs-tuning",
            "docs_tuning.jsonl",
            "documents in-sample",
            "docs_tuning",
            "samples",
            held_out=False,
        ),
        QuestionSet("held-out-2", "heldout2.jsonl", "documents held-out", "heldout2", "samples"),
        QuestionSet("held-out-3", "heldout3.jsonl", "documents held-out 3", "heldout3", "samples3"),
        QuestionSet(
            "docs-tuning-4",
            "docs_tuning4.jsonl",
            "documents in-sample 4",
            "docs_tuning4",
            "samples4",
            held_out=False,
        ),
        QuestionSet("held-out-5", "heldout5.jsonl", "documents held-out 5", "heldout5", "samples5"),
        # tuning questions over samples5's documents, by a helper who read only them (written
        # after held-out-5 was read): held-out-5's questions stay unread, its documents known
        QuestionSet(
            "docs-tuning-5",
            "docs_tuning5.jsonl",
            "documents in-sample 5",
            "docs_tuning5",
            "samples5",
            held_out=False,
        ),
        QuestionSet("held-out-6", "heldout6.jsonl", "documents held-out 6", "heldout6", "samples6"),
    )
}


def over_documents() -> dict[str, QuestionSet]:
    """The sets asked over the plan with sample documents, by name."""
    return {name: s for name, s in QUESTION_SETS.items() if s.documents}


def sample_folders() -> set[str]:
    """Every folder under corpus/ that holds documents (the plan's and the samples')."""
    return {DEFAULT_CORPUS_DIR.name, *(f for d in DOCUMENT_SETS.values() for f in d.samples)}
