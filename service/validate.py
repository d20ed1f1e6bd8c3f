"""Checks on a question and its history that depend on settings, with clear messages."""

from __future__ import annotations

import re

from corpus.normalize import normalize_question
from service.errors import ApiError
from service.schemas import Turn
from service.settings import Settings

# C0 and C1 controls except tab, newline, carriage return; checked before trimming, because
# str.strip() also removes some of them (\x1c-\x1f, \x85).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _check_text(text: str, what: str, what_en: str) -> None:
    if _CONTROL.search(text):
        raise ApiError(
            422,
            "control_characters",
            f"{what}包含控制字符（如 NUL）。",
            f"The {what_en} contains control characters (such as NUL).",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ApiError(
            422,
            "invalid_unicode",
            f"{what}包含无效的 Unicode 字符（孤立代理项）。",
            f"The {what_en} contains invalid Unicode (a lone surrogate).",
        ) from exc


def check_question(question: str, settings: Settings) -> str:
    """The trimmed question, or an ApiError saying what is wrong with it."""
    _check_text(question, "问题", "question")
    text = question.strip()
    if not text:
        raise ApiError(422, "empty_question", "问题不能为空。", "The question is empty.")
    if len(text) > settings.max_question_chars:
        raise ApiError(
            422,
            "question_too_long",
            f"问题太长：最多 {settings.max_question_chars} 字，收到 {len(text)} 字。",
            f"The question is too long: at most {settings.max_question_chars} "
            f"characters, got {len(text)}.",
        )
    # a letter, digit or Han character is never normalized away; only then is it worth a look
    if not any(ch.isalnum() for ch in text) and not normalize_question(text):
        raise ApiError(
            422,
            "no_words",
            "问题只有标点或空白，请输入文字。",
            "The question has only punctuation or spaces.",
        )
    return text


def check_history(history: list[Turn], settings: Settings) -> list[tuple[str, str]]:
    if len(history) > settings.max_history_turns:
        raise ApiError(
            422,
            "history_too_long",
            f"对话历史太长：最多 {settings.max_history_turns} 轮，收到 {len(history)} 轮。",
            f"Too many history turns: at most {settings.max_history_turns}, got {len(history)}.",
        )
    for n, turn in enumerate(history, start=1):
        _check_text(turn.content, f"第 {n} 轮对话", f"history turn {n}")
        if len(turn.content) > settings.max_turn_chars:
            raise ApiError(
                422,
                "turn_too_long",
                f"第 {n} 轮对话太长：最多 {settings.max_turn_chars} 字。",
                f"History turn {n} is too long: at most {settings.max_turn_chars} characters.",
            )
    return [(t.role, t.content) for t in history]
