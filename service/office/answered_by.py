"""A question log entry that also names the index build that answered it (questions.build_id,
migration 0007), so staff can tell which documents an answer came from."""

from __future__ import annotations

from dataclasses import dataclass

from service.office.qlog import Entry


@dataclass(slots=True)
class BuiltEntry(Entry):
    build_id: str | None = None

    def row(self) -> dict:
        return {**Entry.row(self), "build_id": self.build_id}
