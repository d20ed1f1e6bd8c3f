"""Accessibility audit of a page in the browser tests: axe-core (pinned npm) with WCAG 2.1 A/AA rules.

In a test, one call audits whatever the page shows now (the widget's open shadow root included)
and fails on any violation:

    from tests.a11y import audit

    pytest_plugins = ("tests.browser",)  # fixtures browser, make_page; the run's audit summary

    def test_staff_pages(make_page):
        page = make_page()
        page.goto(url_of_the_page)
        audit(page, "staff: question log")

From a shell, for a site's own page (the widget opened and asked one question when present):

    .venv/bin/python -m tests.a11y https://www.example.gov.cn/page.html
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
HINT = "axe-core is not installed: run `make axe` (npm ci --prefix tests/axe)"

# Everything axe reports, cut down to what a report needs (the full result holds DOM nodes).
_RUN = """async ([context, options]) => {
  const r = await axe.run(context || document, options);
  const brief = list => list.map(x => ({
    id: x.id, impact: x.impact, help: x.help,
    nodes: x.nodes.map(n => ({ target: n.target, summary: n.failureSummary || "" })),
  }));
  return {
    version: axe.version,
    violations: brief(r.violations),
    incomplete: brief(r.incomplete),
    passes: r.passes.map(x => x.id),
    inapplicable: r.inapplicable.map(x => x.id),
  };
}"""


class AxeMissing(RuntimeError):
    pass


@cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        raise AxeMissing(HINT)
    return AXE_JS.read_text(encoding="utf-8")


@dataclass
class Audit:
    label: str
    version: str
    tags: tuple[str, ...]
    violations: list[dict]
    incomplete: list[dict]
    passes: list[str]
    inapplicable: list[str]
    skipped: tuple[str, ...] = ()

    @property
    def rules(self) -> list[str]:
        ran = self.passes + self.inapplicable
        ran += [x["id"] for x in self.violations + self.incomplete]
        return sorted(set(ran))

    def summary(self) -> str:
        return (
            f"{self.label}: {len(self.violations)} violations, {len(self.passes)} rules passed, "
            f"{len(self.incomplete)} to review, {len(self.inapplicable)} not applicable"
            + (f" (not run: {', '.join(self.skipped)})" if self.skipped else "")
        )

    def details(self) -> str:
        lines = [f"axe {self.version} ({', '.join(self.tags)}) on {self.summary()}"]
        for kind, items in (("violation", self.violations), ("to review", self.incomplete)):
            for v in items:
                lines.append(f"  {kind} {v['id']} ({v['impact']}): {v['help']}")
                for n in v["nodes"][:8]:
                    lines.append(
                        f"    {n['target']}: {(n['summary'].strip().splitlines() or [''])[-1].strip()}"
                    )
        return "\n".join(lines)


AUDITS: list[Audit] = []


def run_axe(page, label: str, *, context=None, tags=WCAG21_AA, skip=()) -> Audit:
    """Run axe on the page as it is now; `context` narrows it (an axe context, e.g. a selector),
    `skip` names rules not to run."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluated through the DevTools protocol, so a page's CSP does not block it
        page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": list(tags)}}
    options["resultTypes"] = ["violations", "incomplete"]  # passes listed by id only: faster
    if skip:
        options["rules"] = {rule: {"enabled": False} for rule in skip}
    raw = page.evaluate(_RUN, [context, options])
    return Audit(label, raw["version"], tuple(tags), raw["violations"], raw["incomplete"],
                 raw["passes"], raw["inapplicable"], tuple(skip))  # fmt: skip


def audit(page, label: str, *, context=None, tags=WCAG21_AA, skip=()) -> Audit:
    """Audit the page now; fail the test on any violation. Skips (fails in CI) without axe."""
    from tests.chromium import unavailable

    try:
        result = run_axe(page, label, context=context, tags=tags, skip=skip)
    except AxeMissing:
        unavailable(HINT)
    AUDITS.append(result)
    print(result.details())
    assert not result.violations, result.details()
    return result


def report_lines(audits: list[Audit]) -> list[str]:
    rules = sorted({r for a in audits for r in a.rules})
    tags = sorted({t for a in audits for t in a.tags})
    lines = [
        f"axe-core {audits[0].version}, tags {' '.join(tags)}: {len(rules)} rules run: "
        + " ".join(rules)
    ]
    lines += [f"  {a.summary()}" for a in audits]
    return lines


def check_site(url: str, question: str = "2025年海外发明专利授权量目标是多少？") -> int:
    """Audit a page, and the widget on it when present: closed, open, answering a question."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN")
        page.goto(url, wait_until="load")
        results.append(run_axe(page, "page"))
        launcher = page.locator("ipqa-widget .launcher")
        if launcher.count():
            launcher.click()
            results.append(run_axe(page, "widget open"))
            shown = "() => document.querySelector('ipqa-widget').shadowRoot"
            shown += ".querySelectorAll('.msg.bot:not(.typing), .msg.error').length"
            before = page.evaluate(shown)
            page.locator("ipqa-widget .input").fill(question)
            page.locator("ipqa-widget .input").press("Enter")
            page.wait_for_function(f"n => ({shown})() > n", arg=before, timeout=30_000)
            results.append(run_axe(page, "widget answered"))
        browser.close()
    for line in report_lines(results):
        print(line)
    for r in results:
        if r.violations:
            print(r.details())
    return 1 if any(r.violations for r in results) else 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1]:
        sys.exit("usage: make audit URL=https://... (or: python -m tests.a11y URL)")
    sys.exit(check_site(sys.argv[1]))
