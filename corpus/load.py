"""Read a corpus folder (.txt/.md, UTF-8) into passages, indicators and a content hash."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from corpus.parse import parse_document
from corpus.records import Indicator, Passage

DEFAULT_CORPUS_DIR = Path(__file__).with_name("data")
# Documents written for tests and the eval (titled （示例）), kept out of the default corpus.
SAMPLES_DIR = Path(__file__).with_name("samples")
# More folders of sample documents beside it (samples3, samples4…) each feed one eval set:
# eval/sets.py says which.
SUFFIXES = {".txt", ".md"}


class CorpusError(ValueError):
    """The corpus folder cannot be read; the message says which file and why."""


@dataclass(frozen=True)
class Corpus:
    passages: list[Passage]
    indicators: list[Indicator]
    sha256: str
    files: list[str]


def corpus_files(corpus_dir: Path) -> list[Path]:
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder not found: {corpus_dir}")
    files = sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise CorpusError(f"no .txt or .md files in corpus folder {corpus_dir}")
    return files


def corpus_sha256(corpus_dir: Path) -> str:
    """Hash of every file's name and bytes, in name order: changes when any document does."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _sidecar_title(path: Path) -> str | None:
    """A document's title from `<name>.toml` beside it (`title = "…"`), where the text's own
    first lines do not say it."""
    sidecar = path.with_suffix(".toml")
    if not sidecar.is_file():
        return None
    try:
        data = tomllib.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(f"{sidecar.name}: {exc}") from exc
    title = data.get("title")
    return title.strip() if isinstance(title, str) and title.strip() else None


def load_corpus(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> Corpus:
    passages: list[Passage] = []
    indicators: list[Indicator] = []
    files = corpus_files(corpus_dir)
    for path in files:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CorpusError(
                f"{path.name} is not UTF-8 (byte {exc.start}); save it as UTF-8"
            ) from exc
        try:
            parsed = parse_document(text, doc=path.stem, title=_sidecar_title(path))
        except ValueError as exc:  # e.g. a malformed indicator row: name the file, no traceback
            raise CorpusError(f"{path.name}: {exc}") from exc
        passages.extend(parsed.passages)
        indicators.extend(parsed.indicators)
    seen: set[str] = set()
    unique = [p for p in passages if not (p.id in seen or seen.add(p.id))]
    return Corpus(unique, indicators, corpus_sha256(corpus_dir), [p.name for p in files])
