"""FastAPI dependencies of the office loop: the Office object and the staff token check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.office.office import Office


async def get_office(request: Request) -> Office:
    return request.app.state.office


OfficeDep = Annotated[Office, Depends(get_office)]
