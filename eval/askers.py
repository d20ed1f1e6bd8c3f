"""Who the eval asks: the engine in this process, or a running server over HTTP (POST /ask)."""

from __future__ import annotations

from service.schemas import AskResponse


class EngineAsker:
    """The /ask code path in this process (Engine.ask, mapped as the route maps it)."""

    def __init__(self, engine):
        self.engine = engine
        self.passages = engine.searcher.passages
        self.indicators = engine.indicators
        self.manifest = engine.searcher.manifest
        self.modes = None  # every mode

    def ask(self, question: str, history, top_k: int, mode: str) -> AskResponse:
        # what POST /ask does: trimmed question, (role, content) history, then Engine.ask
        return AskResponse.of(
            self.engine.ask(question.strip(), list(history), top_k=top_k, mode=mode)
        )

    def retrieval_only(self, normalized: str, mode: str, top_k: int):
        """What retrieval alone returns (for a refused question's diagnosis)."""
        return self.engine.searcher.search(normalized, mode=mode, top_k=top_k)


class HttpAsker:
    """A running `ipqa serve` (or anything behind it): every question is a real POST /ask.
    Start it with IPQA_RATE_LIMIT= (empty) and IPQA_CACHE_SIZE=0 for honest timings."""

    def __init__(self, url: str, corpus_dir):
        import httpx

        from corpus.load import load_corpus

        self.url = url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.url, timeout=30.0, headers={"User-Agent": "ipqa-eval"}
        )
        corpus = load_corpus(corpus_dir)  # passage ids are content hashes: the server's too
        self.passages, self.indicators = corpus.passages, corpus.indicators
        health = self.client.get("/healthz")
        health.raise_for_status()
        self.manifest = {
            "model": health.json().get("model"),
            "corpus_sha256": health.json().get("corpus_sha256"),
            "url": self.url,
        }
        self.modes = ("hybrid",)  # the server searches one way

    def ask(self, question: str, history, top_k: int, mode: str) -> AskResponse:
        body = {
            "question": question.strip(),
            "top_k": top_k,
            "history": [{"role": r, "content": c} for r, c in history],
        }
        response = self.client.post("/ask", json=body)
        response.raise_for_status()
        return AskResponse.model_validate(response.json())

    def retrieval_only(self, normalized: str, mode: str, top_k: int):
        return None


class Replaying:
    """Another asker, but a question's history holds the service's own earlier answers: each
    assistant turn the gold set wrote is replaced by what the service answers to the user
    turns before it (`ipqa eval --replay`). A conversation as a citizen has it, where a wrong
    or long earlier answer is what the follow-up is read against."""

    def __init__(self, asker):
        self.asker = asker
        self.passages, self.indicators = asker.passages, asker.indicators
        self.manifest = {**asker.manifest, "replay": True}
        self.modes = asker.modes

    def ask(self, question: str, history, top_k: int, mode: str) -> AskResponse:
        return self.asker.ask(question, self.replayed(history, top_k, mode), top_k, mode)

    def replayed(self, history, top_k: int, mode: str) -> list[tuple[str, str]]:
        own: list[tuple[str, str]] = []
        for role, content in history:
            if role == "assistant" and own and own[-1][0] == "user":
                content = self.asker.ask(own[-1][1], own[:-1], top_k, mode).answer
            own.append((role, content))
        return own

    def retrieval_only(self, normalized: str, mode: str, top_k: int):
        return self.asker.retrieval_only(normalized, mode, top_k)
