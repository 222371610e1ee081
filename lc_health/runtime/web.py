"""HTTP routes served next to the Streamlit app (see app.py): the sign-in cookie.

Streamlit cannot set an HttpOnly cookie itself. After a successful sign-in the page sends the
browser to /auth/session with a one-time code; this route swaps it for a session token in an
HttpOnly, SameSite=Lax cookie and sends the browser back. /auth/signout ends the session.

The code only works in the browser that signed in: every browser gets a random browser id in an
HttpOnly cookie on its first request (BrowserIdMiddleware); the page binds the code to that id
and the route redeems it only when the same id comes with it. An intercepted code used in
another browser signs nobody in (no login CSRF).
"""

from __future__ import annotations

import logging
from datetime import datetime

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lc_health.domain.credentials import new_token
from lc_health.runtime.bootstrap import AppContext, StartupError, shared_app
from lc_health.services.auth import end_session, redeem_handoff
from lc_health.store.db import write_session
from lc_health.store.models import utcnow

SESSION_COOKIE = "lc_health_session"
BROWSER_COOKIE = "lc_health_browser"
BROWSER_COOKIE_DAYS = 400
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
            redeemed = redeem_handoff(
                session=session, code=code, browser=request.cookies.get(BROWSER_COOKIE, "")
            )
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


class BrowserIdMiddleware:
    """Give every browser that has none a random id in an HttpOnly cookie (see above)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or BROWSER_COOKIE in Request(scope).cookies:
            await self.app(scope, receive, send)
            return
        secure = _secure(Request(scope))

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = Response()
                cookie.set_cookie(
                    BROWSER_COOKIE,
                    new_token(),
                    max_age=BROWSER_COOKIE_DAYS * 24 * 3600,
                    path="/",
                    httponly=True,
                    samesite="lax",
                    secure=secure,
                )
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def middleware() -> list[Middleware]:
    return [Middleware(BrowserIdMiddleware)]


def routes() -> list[BaseRoute]:
    global ROUTES_MOUNTED
    ROUTES_MOUNTED = True
    return [
        Route("/auth/session", start_session_route, methods=["GET"]),
        Route("/auth/signout", sign_out_route, methods=["GET"]),
    ]
