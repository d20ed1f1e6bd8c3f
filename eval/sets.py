"""Every question set of the eval: its file, the documents it is asked over and what the
reports call it. A new set over new documents is a row here and a folder under corpus/; the
commands (`ipqa eval`, the peer comparison, the answer-quality page, CI's floor) read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from corpus.load import DEFAULT_CORPUS_DIR

EVAL_DIR = Path(__file__).parent
# The day the question sets say "去年" and "明年" as of (their last written, 2026-12-07): the eval
# reads them against it, not the clock, so a set's figures do not change with the year.
SETS_WRITTEN = date(2026, 12, 7)
CORPUS_DIR = DEFAULT_CORPUS_DIR.parent  # corpus/: the plan in data/, sample documents beside


@dataclass(frozen=True)
class DocumentSet:
    """The plan and sample folders, in a corpus and an index of their own (built by
    eval.docs_corpus when missing or when a document changed). Named for its newest folder
    under corpus/ ("samples5"); its index and its server's option follow from the name."""

    name: str
    alone: bool = False  # its own folder beside the plan, without the first samples

    @property
    def samples(self) -> tuple[str, ...]:
        """The folders under corpus/ read beside the plan: the samples, and its own."""
        if self.alone or self.name == "samples":
            return (self.name,)
        return ("samples", self.name)

    @property
    def folder(self) -> Path:
        """Its corpus copy and index: var/eval-docs5/{corpus,index}."""
        return Path(f"var/eval-docs{self.name.removeprefix('samples')}")

    @property
    def url_option(self) -> str:
        """`ipqa eval --url …` asks its server through this option: --docs5-url."""
        return f"--docs{self.name.removeprefix('samples')}-url"

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

    @property
    def path(self) -> Path:
        return EVAL_DIR / self.file


DOCUMENT_SETS = {
    d.name: d
    for d in (
        DocumentSet("samples"),
        DocumentSet("samples3"),  # two documents written after the rules, for held-out-3 only
        # two more with tuning questions: rules are tried on documents not written for them
        DocumentSet("samples4"),
        # two more by a helper who read no code, after most of the seventh session's rules
        DocumentSet("samples5"),
        # two more again (a notice with attachments, an FAQ), by a helper who read no code,
        # at the eighth session's start: no rule was written for them
        DocumentSet("samples6"),
        # two more (an exhibition guide, a three-year action plan with a task table), by a
        # helper who read no code, at the ninth session's start: no rule was written for them
        DocumentSet("samples7"),
        # two more (an annual white paper with tables by year and district, an overseas-dispute
        # guide), by a helper who read no code, at the tenth session's start: tuning documents
        DocumentSet("samples8"),
        # two more (an administrative-ruling guide, a policy interpretation in Q&A form), by a
        # helper who read no code, at the tenth session's start, for held-out-9 only
        DocumentSet("samples9"),
        # two more (a regulation's implementing rules with 节, a window's one-time notice marked
        # with 【】), by a helper who read only the plan's opening, at the eleventh session's
        # start, for held-out-10 only
        DocumentSet("samples10"),
        # two more (a 办事须知 marked with 【】 and □ checklists, a Markdown list of services with
        # ①② items and an FAQ), by a helper who read no code, at the twelfth session's start:
        # tuning documents. Without the first samples: their guide is to the same service
        # (专利权质押登记) with other time limits, so "要几个工作日" would have two answers
        DocumentSet("samples11", alone=True),
    )
}

# Which are tuning sets and which held out (never tuned on) their names and labels say.
QUESTION_SETS = {
    s.name: s
    for s in (
        QuestionSet("in-sample", "questions.jsonl", "in-sample"),
        QuestionSet("held-out", "heldout.jsonl", "held-out", "heldout"),
        QuestionSet(
            "docs-tuning", "docs_tuning.jsonl", "documents in-sample", "docs_tuning", "samples"
        ),
        QuestionSet("held-out-2", "heldout2.jsonl", "documents held-out", "heldout2", "samples"),
        QuestionSet("held-out-3", "heldout3.jsonl", "documents held-out 3", "heldout3", "samples3"),
        QuestionSet(
            "docs-tuning-4",
            "docs_tuning4.jsonl",
            "documents in-sample 4",
            "docs_tuning4",
            "samples4",
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
        ),
        # English questions over the samples and samples5 (foreigners, expats, bilingual staff),
        # by a helper who read only the documents: a tuning set
        QuestionSet(
            "docs-tuning-en",
            "docs_tuning_en.jsonl",
            "documents in-sample, English",
            "docs_tuning_en",
            "samples5",
        ),
        QuestionSet("held-out-6", "heldout6.jsonl", "documents held-out 6", "heldout6", "samples6"),
        QuestionSet("held-out-7", "heldout7.jsonl", "documents held-out 7", "heldout7", "samples7"),
        QuestionSet("held-out-9", "heldout9.jsonl", "documents held-out 9", "heldout9", "samples9"),
        QuestionSet(
            "held-out-10", "heldout10.jsonl", "documents held-out 10", "heldout10", "samples10"
        ),
        # tuning questions over samples8's documents, by a helper who read only them
        QuestionSet(
            "docs-tuning-8",
            "docs_tuning8.jsonl",
            "documents in-sample 8",
            "docs_tuning8",
            "samples8",
        ),
        # over samples11's documents (【】 sections, □ checklists, ①② items, a Markdown table
        # and FAQ), in five voices and a few English, by the helper who wrote them: a tuning set
        QuestionSet(
            "docs-tuning-11",
            "docs_tuning11.jsonl",
            "documents in-sample 11",
            "docs_tuning11",
            "samples11",
        ),
        # structure and item questions over the plan, the samples and samples8, in five voices,
        # by a helper who read only those documents (eleventh session): a tuning set
        QuestionSet(
            "docs-tuning-tree",
            "docs_tuning_tree.jsonl",
            "documents in-sample, structure",
            "docs_tuning_tree",
            "samples8",
        ),
    )
}


def over_documents() -> dict[str, QuestionSet]:
    """The sets asked over the plan with sample documents, by name."""
    return {name: s for name, s in QUESTION_SETS.items() if s.documents}


def sample_folders() -> set[str]:
    """Every folder under corpus/ that holds documents (the plan's and the samples')."""
    return {DEFAULT_CORPUS_DIR.name, *(f for d in DOCUMENT_SETS.values() for f in d.samples)}
