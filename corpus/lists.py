"""Lists inside a paragraph, as notices and 须知 write them with no blank line around: checklist
and bullet lines (□ ■ ☑ ● ○ ▪ -), each run of them one list with the line that introduces it
("办理变更登记，提交以下材料："); a line between two items is a note on the item above it
("说明：由双方签章"). A ◆ line with no sentence in it heads a block of the lines under it."""

from __future__ import annotations

import re

CHECK_MARKS = "□■☑☐●○▪"  # a checklist's item marks (also where a cut list is read: nth.py)
ITEM = re.compile(rf"^(?:[{CHECK_MARKS}]\s*|[-•·*]\s+)(\S.*)$")
BLOCK_HEAD = re.compile(r"^[◆◇]\s*(\S[^。；;：:！？!?]{0,24})$")  # ◆ 关于共有专利
_INTRO_END = ("：", ":")
_NOTE = re.compile(r"^[^：:，,。；]{1,4}[：:]")


def pieces(para: list[str]) -> list[tuple[str, list[str]]]:
    """A paragraph's lines as ("text", lines), ("block", lines under a ◆ line, it first) and
    ("list", [intro or "", item, …]) in order; [("text", para)] when it has neither. An item
    keeps its mark ("□ 申请表（原件2份）"), as the reader sees it."""
    if not any(ITEM.match(x) or BLOCK_HEAD.match(x) for x in para):
        return [("text", para)]
    out: list[tuple[str, list[str]]] = []
    notes: set[str] = set()  # how notes on items start ("说明："): one after a last item too
    lines: list[str] = []
    kind = "text"
    i = 0
    while i < len(para):
        line = para[i]
        if BLOCK_HEAD.match(line):
            if lines:
                out.append((kind, lines))
            kind, lines = "block", [line]
            i += 1
            continue
        if not ITEM.match(line):
            lines.append(line)
            i += 1
            continue
        intro = lines.pop() if lines and lines[-1].endswith(_INTRO_END) else ""
        if lines:
            out.append((kind, lines))
        kind, lines = "text", []
        items: list[str] = []
        while i < len(para):
            line = para[i]
            label = _NOTE.match(line)
            if ITEM.match(line):
                items.append(line)  # with its mark: "□ 申请表（原件2份）" as written
            elif not line.endswith(_INTRO_END) and (
                (i + 1 < len(para) and ITEM.match(para[i + 1])) or (label and label[0] in notes)
            ):
                items[-1] += " " + line  # a note between two items: the one above's
                notes.update([label[0]] if label else [])
            else:
                break
            i += 1
        out.append(("list", [intro, *items]))
    if lines:
        out.append((kind, lines))
    return out


def joined(items: list[str]) -> str:
    """List items as one passage, "；" between them, less the "；" an item already ends with;
    none after a whole sentence ("…。" of a box's prose)."""
    out = ""
    for item in items:
        if out:
            out += "" if out.endswith(("。", "！", "？")) else "；"
        out += item.rstrip("；;") or item  # "- ；" alone stays
    return out
