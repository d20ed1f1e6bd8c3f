"""The record types the corpus produces: passages, and indicator rows with their columns."""

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
    # A later chunk of a longer unit: the unit's opening (an FAQ pair's question), else "".
    lead: str = ""

    @property
    def search_text(self) -> str:
        """What is embedded and BM25-indexed: the section path, the opening of the unit the
        passage continues (if it does), then the text."""
        return " ".join([*self.section, *([self.lead] if self.lead else []), self.text])

    def to_dict(self) -> dict:
        return asdict(self)


# What a value column of an indicator table holds, worked out from its header
# (corpus/table_header.py): the value at the start, the target at the end, the change between.
ROLES = ("base", "target", "change")


@dataclass(frozen=True)
class Column:
    """A value column of an indicator table: its header as printed, its role, and the year
    the header names ("" for none)."""

    header: str
    role: str = ""  # base | target | change | "" (a column the table answers nothing from)
    year: str = ""


@dataclass(frozen=True)
class Indicator:
    """One row of an indicator table: its value columns as the header names them, each with
    the number read (None for '—') and the number as printed ("13.0"), for answers."""

    id: int
    name: str
    unit: str
    columns: tuple[Column, ...] = ()
    values: tuple[int | float | None, ...] = ()
    texts: tuple[str | None, ...] = ()
    table: str = ""  # the table's caption, as the document prints it
    doc_title: str = ""  # the title of the document the table is read from ("" in old indexes)

    def __post_init__(self):
        # Read back from JSON (the index's indicators.json, a cached answer): lists and dicts.
        columns = tuple(c if isinstance(c, Column) else Column(**c) for c in self.columns)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "values", tuple(self.values))
        texts = tuple(self.texts) or (None,) * len(self.values)
        object.__setattr__(self, "texts", texts)

    def _at(self, role: str) -> int | None:
        return next((i for i, c in enumerate(self.columns) if c.role == role), None)

    def column(self, role: str) -> Column | None:
        at = self._at(role)
        return None if at is None else self.columns[at]

    def value(self, role: str) -> int | float | None:
        at = self._at(role)
        return None if at is None or at >= len(self.values) else self.values[at]

    def text(self, role: str) -> str | None:
        """The number as printed; a row built without its text falls back to the value."""
        at = self._at(role)
        if at is None or at >= len(self.values):
            return None
        text = self.texts[at] if at < len(self.texts) else None
        value = self.values[at]
        return text if text is not None else (None if value is None else str(value))

    def year(self, role: str) -> str:
        column = self.column(role)
        return column.year if column else ""

    @property
    def span(self) -> int | None:
        """Years from the base column to the target column, as their headers name them."""
        base, target = self.year("base"), self.year("target")
        return int(target) - int(base) if base and target and target > base else None

    @property
    def years(self) -> dict[str, str]:
        """year → role, for each column whose header names a year."""
        return {c.year: c.role for c in self.columns if c.year and c.role}

    def to_dict(self) -> dict:
        """Plain JSON values (without asdict's deep copy: answers are cached as JSON)."""
        return {
            "id": self.id,
            "name": self.name,
            "unit": self.unit,
            "columns": [{"header": c.header, "role": c.role, "year": c.year} for c in self.columns],
            "values": list(self.values),
            "texts": list(self.texts),
            "table": self.table,
            "doc_title": self.doc_title,
        }


def table_years(rows) -> dict[str, str]:
    """year → role (base, target) of an indicator table's columns, as its header names them."""
    return next((r.years for r in rows if r.years), {})


def parse_number(raw: str) -> tuple[int | float | None, str | None]:
    """'6.3' → (6.3, '6.3'); '12' → (12, '12'); '—' → (None, None)."""
    raw = raw.strip().replace("**", "").replace(",", "")
    if raw in {"", "—", "–", "-", "——", "/"}:
        return None, None
    try:
        return (float(raw) if "." in raw else int(raw)), raw
    except ValueError as exc:
        raise ValueError(f"not a number in the indicator table: {raw!r}") from exc
