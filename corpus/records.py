"""The two record types the corpus produces: passages and indicator rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Passage:
    """A retrievable unit of text with its place in the document."""

    id: str
    doc: str
    text: str
    section: list[str] = field(default_factory=list)
    # text | heading | overview | column | indicator | publisher | title | article | faq | row
    kind: str = "text"
    doc_title: str = ""  # the document's title, as read from it (or its sidecar file)

    @property
    def search_text(self) -> str:
        """What is embedded and BM25-indexed: the section path, then the text."""
        return " ".join([*self.section, self.text])

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Indicator:
    """One row of the plan's indicator table; numbers as written, None for '—'."""

    id: int
    name: str
    unit: str
    value_2020: int | float | None
    target_2025: int | float | None
    increase: int | float | None
    # The numbers exactly as printed ("13.0"), for answers; None where the plan has '—'.
    text_2020: str | None = None
    text_2025: str | None = None
    text_increase: str | None = None
    table: str = ""  # the table's caption, as the document prints it

    def to_dict(self) -> dict:
        return asdict(self)


def parse_number(raw: str) -> tuple[int | float | None, str | None]:
    """'6.3' → (6.3, '6.3'); '12' → (12, '12'); '—' → (None, None)."""
    raw = raw.strip().replace("**", "").replace(",", "")
    if raw in {"", "—", "–", "-", "——", "/"}:
        return None, None
    try:
        return (float(raw) if "." in raw else int(raw)), raw
    except ValueError as exc:
        raise ValueError(f"not a number in the indicator table: {raw!r}") from exc
