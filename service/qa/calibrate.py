"""Calibrate the scope cut on the tuning questions; `ipqa build` stores it in the manifest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from index.search import Evidence
from service.qa.answering.policy import Thresholds, in_domain, scope_score, unanswered

DENSE_WEIGHTS = (0.0, 2.0, 4.0, 6.0, 8.0)
EXPANSION_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
DENSE_CENTER = 0.9
CUTS = tuple(x / 100 for x in range(-50, 151))


def tuning_questions() -> Path:
    """The tuning set shipped beside the code (eval/questions.jsonl): never the held-out set."""
    return Path(__file__).resolve().parents[2] / "eval" / "questions.jsonl"


@dataclass(frozen=True)
class Case:
    answerable: bool
    evidence: Evidence
    expansions: int  # plan terms the question's everyday words stand for


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    cases: int  # questions the cut decides (no IP word, nothing named, no plan reference)
    false_refusals: int
    missed: int
    margin: float

    def to_manifest(self, source: Path, digest: str) -> dict:
        return {
            **self.thresholds.to_dict(),
            "calibrated_on": self.cases,
            "false_refusals": self.false_refusals,
            "missed": self.missed,
            "margin": round(self.margin, 4),
            "tuning_file": source.name,
            "tuning_sha256": digest,
        }


def _rows(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def cases(engine, path: Path) -> list[Case]:
    """The tuning questions whose outcome the cut decides. An unanswerable question that asks
    for something the plan lacks (a city's figure, a fee…) is refused whatever the cut, so
    it counts only when it is far from the plan (category far_ood: it must be "none", not
    "related"); the answerable ones and the unanswerable ones without a qualifier count."""
    out = []
    probe = Thresholds(min_score=float("inf"))  # in_domain without the cut
    for row in _rows(path):
        history = [(t["role"], t["content"]) for t in row.get("history", [])]
        normalized = engine.normalize(row["question"], history)
        if not normalized or engine.computed(row["question"], normalized) is not None:
            continue  # answered from the table's rows, before the scope decision
        query = engine.reader.read(normalized)
        result = engine.searcher.search(query.text, top_k=1, expansions=query.expansions)
        ev = result.evidence
        if in_domain(query, ev, probe) or not ev.tokens or query.off_task or query.injection:
            continue  # decided before the cut
        ood = bool(row.get("ood"))
        far = row.get("category") == "far_ood"  # nothing to do with the plan: must be "none"
        if ood and not far and unanswered(query, ev, figure_known=False):
            continue
        out.append(Case(not ood, ev, len(query.expansions)))
    return out


def fit(found: list[Case]) -> Calibration:
    """Fewest errors first (false refusals count double), then the widest margin."""
    best = None
    for weight in DENSE_WEIGHTS:
        for lexical in EXPANSION_WEIGHTS:
            base = Thresholds(0.0, weight, DENSE_CENTER, lexical)
            scores = [(scope_score(c.evidence, base, c.expansions), c.answerable) for c in found]
            for cut in CUTS:
                refused = sum(1 for s, ok in scores if ok and s < cut)
                missed = sum(1 for s, ok in scores if not ok and s >= cut)
                margin = min((abs(s - cut) for s, _ in scores), default=0.0)
                key = (2 * refused + missed, -margin)
                if best is None or key < best[0]:
                    t = Thresholds(round(cut, 2), weight, DENSE_CENTER, lexical)
                    best = (key, Calibration(t, len(found), refused, missed, margin))
    return best[1] if best else Calibration(Thresholds(), 0, 0, 0, 0.0)


def calibrate(engine, path: Path | None = None) -> dict:
    """Thresholds for the manifest ({} when there is no tuning file: the defaults apply)."""
    path = Path(path) if path else tuning_questions()
    if not path.is_file():
        return {}
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return fit(cases(engine, path)).to_manifest(path, digest)


def finalizer(embedder, path: Path | None = None):
    """For index.store.build_index: calibrate on the finished folder, the manifest keeps it."""

    def finalize(folder: Path) -> dict:
        from index.search import Searcher
        from index.store import load_index
        from service.qa.engine import Engine
        from service.qa.reading.spelling import write_sounds

        index = load_index(folder, model=embedder.model_id, dim=embedder.dim)
        engine = Engine(Searcher(index, embedder), cache_size=0, thresholds=Thresholds())
        # the plan words' readings, so that serving need not import pypinyin
        write_sounds(folder, engine.reader.speller.sounds)
        policy = calibrate(engine, path)
        return {"policy": policy} if policy else {}

    return finalize
