"""POST /ask: a question (and optional history) in, an answer with its sources out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from fastapi.routing import APIRoute

from service.deps import serving_engine
from service.qa.steps import run_steps
from service.schemas import ASK_EXAMPLE, AskRequest, AskResponse, ErrorOut
from service.validate import check_history, check_question


class AskRoute(APIRoute):
    """A well-formed /ask (a JSON body that is an AskRequest) goes straight to the endpoint;
    anything else takes FastAPI's own handler, which answers it as always (400, 422 with its
    error list). FastAPI's handler reads the same body, parses the content type with the
    email package, solves the route's parameters and sets up its telemetry and error context
    on every request: ~0.1 ms of the event loop's time (docs/benchmark.md)."""

    def get_route_handler(self):
        standard = super().get_route_handler()

        async def handler(http: Request) -> Response:
            if http.headers.get("content-type") == "application/json":
                try:
                    # Parsed and validated by pydantic in one step: a body FastAPI would take
                    # (json.loads, then the model) gives the same AskRequest; anything it
                    # refuses here (not UTF-8, a BOM, NaN…) goes to FastAPI's own handler,
                    # which answers it as before (tests/test_ask_route.py).
                    request = AskRequest.model_validate_json(await http.body())
                except Exception:  # noqa: BLE001 - FastAPI's handler answers it as always
                    return await standard(http)
                return await ask(request, http)
            return await standard(http)

        return handler


router = APIRouter(route_class=AskRoute)
ERRORS = {
    400: {"model": ErrorOut},
    413: {"model": ErrorOut},
    415: {"model": ErrorOut},
    422: {"model": ErrorOut},
    429: {"model": ErrorOut},
    503: {"model": ErrorOut},
}


@router.post(
    "/ask",
    response_model=AskResponse,
    responses=ERRORS,
    summary="问答",
    description="用中文提问；返回简短回答、出处段落（含在规划中的位置）和相关指标。",
)
async def ask(
    request: Annotated[
        AskRequest,
        Body(
            openapi_examples={
                "indicator": {
                    "summary": "指标",
                    "value": {"question": "2025年海外发明专利授权量目标是多少？"},
                },
                "followup": {"summary": "追问", "value": ASK_EXAMPLE},
                "traditional": {"summary": "繁体", "value": {"question": "地理標誌怎麼保護？"}},
            }
        ),
    ],
    http: Request,
) -> AskResponse:
    # What the route needs, read from the app's state here: four FastAPI dependencies cost
    # ~0.1 ms of dependency solving on every request (docs/benchmark.md, the profile).
    runtime = http.app.state.runtime
    engine, settings, office = serving_engine(runtime), runtime.settings, http.app.state.office
    question = check_question(request.question, settings)
    history = check_history(request.history, settings)
    top_k = request.top_k or settings.top_k
    # A repeated question is answered on the event loop; a new one reads there up to the
    # model's start, its lexical work goes to a thread, and the rest comes back to the loop.
    answer = engine.cached(question, history, top_k) or await run_steps(
        engine.ask_steps(question, history, top_k=top_k), runtime.threads
    )
    result = office.finish(AskResponse.of(answer), request.channel)  # its id; logged off the path
    # built and checked once by AskResponse.of: sent as it is, not validated a second time
    return Response(result.model_dump_json(), media_type="application/json")
