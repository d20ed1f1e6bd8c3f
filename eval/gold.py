"""Gold questions (eval/questions.jsonl): loading, validation, and relevance by content."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.normalize import normalize_text
from corpus.records import Passage
from eval.sets import QUESTION_SETS, over_documents

DEFAULT_QUESTIONS = QUESTION_SETS["in-sample"].path  # the tuning set
# Written before the rules it measures, by people who read only the plan; never tuned on.
HELDOUT_QUESTIONS = QUESTION_SETS["held-out"].path
# Over the plan and the sample documents (corpus/samples): tuning, and held-out (never tuned on).
DOCS_TUNING_QUESTIONS = QUESTION_SETS["docs-tuning"].path
HELDOUT2_QUESTIONS = QUESTION_SETS["held-out-2"].path
# The document sets by their name in `ipqa eval`'s report (each with its corpus: eval/sets.py).
DOCS_FILES = {name: s.path for name, s in over_documents().items()}
ALL_INDICATORS = "*"
FIELDS = {
    "id",
    "category",
    "question",
    "history",
    "passage_contains",
    "answer_contains",
    "indicator",
    "ood",
    "doc",  # the document the answer comes from (its file name without suffix), optional
}
REQUIRED = {"id", "category", "question", "passage_contains", "answer_contains", "indicator", "ood"}


class GoldError(ValueError):
    """A line of the gold file is wrong; the message says which line and why."""


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    category: str
    question: str
    passage_contains: str | None
    answer_contains: tuple[str, ...]
    indicator: str | None  # an indicator name, "*" for all rows, or None
    ood: bool
    history: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (role, content)
    doc: str | None = None  # the document that answers it, where the set names one

    def to_dict(self) -> dict:
        row = {"id": self.id, "category": self.category, "question": self.question}
        if self.history:
            row["history"] = [{"role": r, "content": c} for r, c in self.history]
        row.update(
            passage_contains=self.passage_contains,
            answer_contains=list(self.answer_contains),
            indicator=self.indicator,
            ood=self.ood,
        )
        return row


def _fail(where: str, message: str) -> GoldError:
    return GoldError(f"{where}: {message}")


def parse_row(row: object, where: str = "row") -> GoldQuestion:
    """One JSON object → GoldQuestion, or a GoldError naming the field that is wrong."""
    if not isinstance(row, dict):
        raise _fail(where, f"expected a JSON object, got {type(row).__name__}")
    missing = sorted(REQUIRED - row.keys())
    if missing:
        raise _fail(where, f"missing field(s): {', '.join(missing)}")
    unknown = sorted(row.keys() - FIELDS)
    if unknown:
        raise _fail(
            where, f"unknown field(s): {', '.join(unknown)} (allowed: {', '.join(sorted(FIELDS))})"
        )
    for name in ("id", "category", "question"):
        if not isinstance(row[name], str) or not row[name].strip():
            raise _fail(where, f"{name!r} must be a non-empty string")
    if not isinstance(row["ood"], bool):
        raise _fail(where, "'ood' must be true or false")
    answers = row["answer_contains"]
    if not isinstance(answers, list) or not all(isinstance(a, str) and a for a in answers):
        raise _fail(where, "'answer_contains' must be a list of non-empty strings")
    needle = row["passage_contains"]
    indicator = row["indicator"]
    if indicator is not None and (not isinstance(indicator, str) or not indicator.strip()):
        raise _fail(where, "'indicator' must be null, \"*\" or an indicator name")
    if row["ood"]:
        if needle is not None or answers or indicator is not None:
            raise _fail(
                where,
                "an ood question has passage_contains null, answer_contains [] and indicator null",
            )
    elif not isinstance(needle, str) or not needle.strip():
        raise _fail(where, "'passage_contains' must be a non-empty string (or set ood: true)")
    history: list[tuple[str, str]] = []
    for n, turn in enumerate(row.get("history") or [], start=1):
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ("user", "assistant")
            or not isinstance(turn.get("content"), str)
            or set(turn) != {"role", "content"}
        ):
            raise _fail(
                where, f'history turn {n} must be {{"role": "user"|"assistant", "content": "..."}}'
            )
        history.append((turn["role"], turn["content"]))
    doc = row.get("doc")
    if doc is not None and (not isinstance(doc, str) or not doc.strip()):
        raise _fail(where, "'doc' must be null or a document id")
    if "history" in row and not isinstance(row["history"], list):
        raise _fail(where, "'history' must be a list of turns")
    return GoldQuestion(
        id=row["id"],
        category=row["category"],
        question=row["question"],
        passage_contains=needle,
        answer_contains=tuple(answers),
        indicator=indicator,
        ood=row["ood"],
        history=tuple(history),
        doc=doc,
    )


def parse_lines(lines: Iterable[str], name: str = "questions.jsonl") -> list[GoldQuestion]:
    questions: list[GoldQuestion] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(where, f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
        q = parse_row(row, where)
        if q.id in seen:
            raise _fail(where, f"duplicate id {q.id!r} (first on line {seen[q.id]})")
        seen[q.id] = number
        questions.append(q)
    if not questions:
        raise GoldError(f"{name}: no questions")
    return questions


def load_questions(path: Path = DEFAULT_QUESTIONS) -> list[GoldQuestion]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise GoldError(f"gold file not found: {path}") from exc
    except UnicodeDecodeError as exc:
        raise GoldError(f"{path.name} is not UTF-8 (byte {exc.start})") from exc
    return parse_lines(text.splitlines(), path.name)


def question_texts(path: Path = DEFAULT_QUESTIONS) -> list[str]:
    """The gold questions' text alone, in file order (the bench's and tests' workload)."""
    return [q.question for q in load_questions(path)]


def filter_categories(
    questions: list[GoldQuestion], categories: Iterable[str] | None
) -> list[GoldQuestion]:
    wanted = {c for c in categories or [] if c}
    if not wanted:
        return list(questions)
    known = {q.category for q in questions}
    unknown = sorted(wanted - known)
    if unknown:
        raise GoldError(
            f"unknown category {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return [q for q in questions if q.category in wanted]


# --- relevance by content -------------------------------------------------------------------
# Gold is defined by content, not by passage id, so re-chunking the corpus does not break it:
# a passage is relevant to a question iff its text (or its section path joined with its text)
# contains the question's `passage_contains`, both sides normalized with
# corpus.normalize.normalize_text.


def _squeeze(text: str) -> str:
    """Normalized, without white space: a gold string copied from the source file keeps the
    spaces and line breaks a passage does not ("金额 (亿元)" is the passage's "金额（亿元）")."""
    return "".join(normalize_text(text).split())


def _haystacks(passage: Passage) -> tuple[str, str]:
    return _squeeze(passage.text), _squeeze(" ".join([*passage.section, passage.text]))


def is_relevant(passage: Passage, needle: str) -> bool:
    """True iff the passage's text, or its section path + text, contains the needle."""
    n = _squeeze(needle)
    return bool(n) and any(n in h for h in _haystacks(passage))


class RelevanceIndex:
    """Normalizes each passage once; answers 'which passages contain this string'."""

    def __init__(self, passages: Iterable[Passage]):
        self.passages = list(passages)
        self._hay = {p.id: _haystacks(p) for p in self.passages}
        self._doc = {p.id: p.doc for p in self.passages}

    def relevant(self, needle: str, doc: str | None = None) -> list[str]:
        """doc: only passages of that document (a question that names where its answer is)."""
        n = _squeeze(needle)
        if not n:
            return []
        return [
            pid
            for pid, hs in self._hay.items()
            if any(n in h for h in hs) and (doc is None or self._doc[pid] == doc)
        ]

    def is_relevant(self, passage_id: str, needle: str) -> bool:
        n = _squeeze(needle)
        return bool(n) and any(n in h for h in self._hay.get(passage_id, ()))
