"""`python -m eval.calibrate`: what `ipqa build` calibrates the scope cut to, on the tuning set."""

from __future__ import annotations

from service.qa.calibrate import cases, fit, tuning_questions
from service.settings import Settings
from service.state import open_engine
from service.terminal import console


def main() -> None:
    engine = open_engine(Settings())
    found = cases(engine, tuning_questions())
    result = fit(found)
    console.print(
        f"{result.cases} tuning questions decided by the cut ({sum(not c.answerable for c in found)}"
        f" unanswerable): {result.thresholds}, false refusals {result.false_refusals}, missed "
        f"{result.missed}, margin {result.margin:.3f}; the index in use has {engine.thresholds}"
    )


if __name__ == "__main__":
    main()
