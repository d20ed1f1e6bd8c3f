"""A follow-up about a sibling subject, asked as the earlier question was."""

from __future__ import annotations

from corpus.tokens import cut_with_places


def swap_subject(previous: str, rest: str) -> str | None:
    """The earlier question about a sibling subject: "变更登记呢" after "专利质押设立登记
    多久能办完" → "专利质押变更登记多久能办完": the follow-up's last word (登记) is in the
    earlier question, and the words before it there give way to the follow-up's. Without
    a last word in common, None: which words were the subject is not known."""
    new = [w for w, _, _ in cut_with_places(rest) if w.strip()]
    if len(new) < 2:
        return None
    head, lead = new[-1], "".join(new[:-1])
    if len(head) < 2 or len(lead) < 2:
        return None  # "第6个": a number, not a subject
    at = previous.rfind(head)
    start = at - len(lead)
    if at < 0 or start < 0 or previous[start:at] == lead:
        return None  # no word in common, or the same subject again
    return previous[:start] + lead + previous[at:]
