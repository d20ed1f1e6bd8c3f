"""Request and response models of the JSON API, with Chinese examples for /docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.reader.library import passage_url

# Examples for /docs, from the plan (data beside the code, not part of it).
EXAMPLES = json.loads(Path(__file__).with_name("api_examples.json").read_text(encoding="utf-8"))
ASK_EXAMPLE = EXAMPLES["ask_request"]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str = Field(..., max_length=100_000)  # the real limit is a setting, checked later


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ASK_EXAMPLE]})

    question: str = Field(..., description="问题（去掉首尾空白后 1–500 字）", max_length=100_000)
    top_k: int | None = Field(
        None,
        ge=1,
        le=20,
        strict=True,  # "5" and true are errors
        description="返回的段落数，1–20",
    )
    history: list[Turn] = Field(default_factory=list, description="之前的对话，最多 20 轮")
    channel: Literal["api", "widget"] = Field(
        "api", description="提问的渠道（网页组件发送 widget），记入问题日志"
    )


class DocOut(BaseModel):
    id: str = Field(..., description="文件编号（文件名，不含扩展名）")
    title: str = Field(..., description="文件标题")


class PassageOut(BaseModel):
    id: str
    text: str
    section: list[str]
    score: float
    doc: DocOut | None = Field(None, description="这段文字所在的文件")
    url: str | None = Field(
        None,
        description="在原文中阅读这一段：相对地址 /documents/{文件编号}#{段落编号}，"
        "打开文件全文并定位、突出显示这一段",
        examples=["/documents/plan#p-9ffdc9a58e"],
    )

    @classmethod
    def of(cls, source) -> PassageOut:
        p = source.passage
        return cls(
            id=p.id,
            text=p.text,
            section=p.section,
            score=source.score,
            doc=DocOut(id=p.doc, title=p.doc_title or p.doc),
            url=passage_url(p.doc, p.id),
        )


class DocumentOut(BaseModel):
    id: str = Field(..., description="文件编号")
    title: str = Field(..., description="文件标题")
    passages: int = Field(..., description="这份文件的段落数")
    url: str = Field(..., description="阅读全文的页面：/documents/{文件编号}")


class IndicatorOut(BaseModel):
    id: int
    name: str
    unit: str
    value_2020: int | float | None
    target_2025: int | float | None
    increase: int | float | None

    @classmethod
    def of(cls, row) -> IndicatorOut:
        """From a corpus.records.Indicator: the plan's fields filled from its columns' roles
        (value_2020 the base, target_2025 the target, increase the change)."""
        return cls(
            id=row.id,
            name=row.name,
            unit=row.unit,
            value_2020=row.value("base"),
            target_2025=row.value("target"),
            increase=row.value("change"),
        )


class GuidanceOut(BaseModel):
    text: str = Field(..., description="办事指引：下一步该找谁、怎么办（工作人员设定）")
    phone: str | None = Field(None, description="咨询电话")
    url: str | None = Field(None, description="办事或咨询的网页（http/https）")


class AskResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLES["ask_response"]]})

    question: str
    normalized_question: str = Field(..., description="实际检索的问题（已规范化，追问已补全）")
    found: bool = Field(..., description="规划能否回答这个问题（outcome 为 answer 或 curated）")
    outcome: Literal["answer", "related", "none", "curated", "clarify"] = Field(
        ...,
        description="answer：文件回答了；related：文件涉及这个主题但没有所问的内容（answer 说明"
        "缺什么，passages 是相关段落）；none：没有相关内容（附 suggestions）；curated：工作人员"
        "审定的答案；clarify：没有上文的追问，无法确定问的是什么（suggestions 是完整的问题）",
    )
    answer_id: str | None = Field(None, description="这条回答的编号，用于 POST /feedback")
    answer: str
    passages: list[PassageOut]
    indicators: list[IndicatorOut]
    suggestions: list[str] = Field(default_factory=list, description="found 为 false 时建议的问题")
    guidance: GuidanceOut | None = Field(
        None,
        description="办事指引（outcome 为 related 或 none 时，工作人员为这个主题或段落所在文件设定的"
        "下一步）；没有设定时为 null",
    )
    took_ms: float

    @classmethod
    def of(cls, answer) -> AskResponse:
        """From the engine's plain service.qa.result.Answer."""
        return cls(
            question=answer.question,
            normalized_question=answer.normalized_question,
            found=answer.found,
            outcome=answer.outcome,
            answer=answer.text,
            passages=[PassageOut.of(s) for s in answer.sources],
            indicators=[IndicatorOut.of(i) for i in answer.indicators],
            suggestions=list(answer.suggestions),
            took_ms=answer.took_ms,
        )


class ErrorOut(BaseModel):
    error: str = Field(..., description="机器可读的错误代码")
    message: str = Field(..., description="中文说明")
    message_en: str = Field(..., description="English message")


class Health(BaseModel):
    status: Literal["ok", "degraded", "loading", "error"] = Field(
        ..., description="degraded：仍在回答，但有 warnings 所列的问题"
    )
    model: str
    passages: int
    corpus_sha256: str | None
    index_build_time: str | None
    dense_index: str | None = None
    office: dict | None = Field(None, description="问题日志：数据库状态、已写入和丢弃的条数")
    build_id: str | None = Field(None, description="正在使用的索引版本（每个副本应相同）")
    redis: dict | None = Field(None, description="共享的限流计数和回答缓存（设置了 Redis 时）")
    warnings: list[str] = Field(default_factory=list, description="status 为 degraded 的原因")


class MessageRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "有人卖山寨货用我的商标，去哪里投诉？",
                    "contact": "13800000000",
                    "consent": True,
                    "answer_id": "a-3f9c0e1b2a4d5c6e7f80",
                }
            ]
        },
    )

    question: str = Field(..., max_length=2000, description="留言的问题（去掉首尾空白后 1–500 字）")
    contact: str | None = Field(
        None,
        max_length=200,
        description="联系方式（电话或电子邮箱）；只有 consent 为 true 时才能填写",
    )
    consent: bool = Field(
        False, strict=True, description="同意工作人员保存联系方式并用它答复（默认不同意）"
    )
    answer_id: str | None = Field(
        None, pattern=r"^a-[0-9a-f]{20}$", description="留言所针对的回答的 answer_id（可选）"
    )


class MessageCreated(BaseModel):
    id: int = Field(..., description="留言编号")
