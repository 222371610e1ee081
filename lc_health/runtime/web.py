"""HTTP routes served next to the Streamlit app (see app.py): the sign-in cookie.

Streamlit cannot set an HttpOnly cookie itself. After a successful sign-in the page sends the
browser to /auth/session with a one-time code; this route swaps it for a session token in an
HttpOnly, SameSite=Lax cookie and sends the browser back. /auth/signout ends the session.
"""

from __future__ import annotations

import logging
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lc_health.runtime.bootstrap import AppContext, StartupError, shared_app
from lc_health.services.auth import end_session, redeem_handoff
from lc_health.store.db import write_session
from lc_health.store.models import utcnow

SESSION_COOKIE = "lc_health_session"
log = logging.getLogger(__name__)
# Set once app.py has mounted these routes, so pages know the cookie hand-over is available.
ROUTES_MOUNTED = False


def _app() -> AppContext:
    return shared_app()


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


async def start_session_route(request: Request) -> Response:
    code = request.query_params.get("code", "")
    target = safe_next(request.query_params.get("next"))
    try:
        ctx = _app()
    except StartupError:
        return RedirectResponse("/", status_code=303)
    redeemed: tuple[str, datetime] | None = None
    if code:
        with write_session(ctx.engine) as session:
            redeemed = redeem_handoff(session=session, code=code)
    response = RedirectResponse(target, status_code=303)
    if redeemed is None:
        return response
    token, expires_at = redeemed
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max(0, int((expires_at - utcnow()).total_seconds())),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return response


async def sign_out_route(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        try:
            with write_session(_app().engine) as session:
                end_session(session=session, token=token)
        except StartupError:
            pass
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def routes() -> list[BaseRoute]:
    global ROUTES_MOUNTED
    ROUTES_MOUNTED = True
    return [
        Route("/auth/session", start_session_route, methods=["GET"]),
        Route("/auth/signout", sign_out_route, methods=["GET"]),
    ]
