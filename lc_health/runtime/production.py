"""Production checks: outside demo mode the app refuses to start with settings that are unsafe
for real participants. Pure: settings (and, optionally, Streamlit's options) in, problems out.

Streamlit signs its cookies (the XSRF cookie among them) with `server.cookieSecret`, so every
replica needs the same one. Hand LC_HEALTH_COOKIE_SECRET to Streamlit as the environment variable
STREAMLIT_SERVER_COOKIE_SECRET (not as a command-line flag, which `ps` shows to everyone), and
pass `{name: st.get_option(name) for name in STREAMLIT_OPTIONS}` here to check that it arrived.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from lc_health.runtime.config import Settings

# 32 characters: e.g. `python -c "import secrets; print(secrets.token_urlsafe(32))"` gives 43.
MIN_COOKIE_SECRET_CHARS = 32
STREAMLIT_OPTIONS = (
    "server.cookieSecret",
    "server.enableXsrfProtection",
    "client.showErrorDetails",
)
# Error details the browser may show: only a generic message, no type, text or traceback.
HIDDEN_ERROR_DETAILS = frozenset({"none"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
GENERATE = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


def production_problems(
    settings: Settings, streamlit_options: Mapping[str, object] | None = None
) -> list[str]:
    """Why these settings are not fit for production, one line each; [] in demo mode.

    streamlit_options, when given, maps the names in STREAMLIT_OPTIONS to Streamlit's values.
    """
    if settings.demo:
        return []
    problems: list[str] = []
    secret = settings.cookie_secret.get_secret_value().strip() if settings.cookie_secret else ""
    if not secret:
        problems.append(
            "LC_HEALTH_COOKIE_SECRET is not set. Outside demo mode the app needs a secret to "
            f"sign its cookies, the same on every replica. Make one with: {GENERATE}"
        )
    elif len(secret) < MIN_COOKIE_SECRET_CHARS:
        problems.append(
            f"LC_HEALTH_COOKIE_SECRET is too short ({len(secret)} characters; at least "
            f"{MIN_COOKIE_SECRET_CHARS}). Make one with: {GENERATE}"
        )
    public = urlsplit(settings.public_url)
    if public.scheme != "https" and (public.hostname or "") not in LOCAL_HOSTS:
        problems.append(
            f"LC_HEALTH_PUBLIC_URL ({settings.public_url}) is not https: invitation links "
            "carry a personal token and must only travel encrypted. Serve the app behind a "
            "reverse proxy with HTTPS (docs/deployment.md) and set the https address."
        )
    if (
        settings.smtp_host
        and settings.smtp_security == "none"
        and settings.smtp_host not in LOCAL_HOSTS
    ):
        problems.append(
            f"LC_HEALTH_SMTP_SECURITY is none for the mail server {settings.smtp_host}: e-mails "
            "carry personal links (and the SMTP password would travel unencrypted). Use "
            "starttls or tls, or a mail server on this machine."
        )
    if streamlit_options is not None:
        problems.extend(_streamlit_problems(streamlit_options, secret))
    return problems


def _streamlit_problems(options: Mapping[str, object], secret: str) -> list[str]:
    problems: list[str] = []
    if options.get("server.enableXsrfProtection") is not True:
        problems.append(
            "Streamlit's XSRF protection is off. Remove server.enableXsrfProtection = false "
            "(or STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION) from the configuration."
        )
    details = str(options.get("client.showErrorDetails", "")).lower()
    if details not in HIDDEN_ERROR_DETAILS:
        problems.append(
            f"Streamlit shows error details to visitors (client.showErrorDetails = {details!r}). "
            'Set client.showErrorDetails = "none" in .streamlit/config.toml.'
        )
    if secret and str(options.get("server.cookieSecret", "")) != secret:
        problems.append(
            "Streamlit does not sign cookies with LC_HEALTH_COOKIE_SECRET, so replicas would "
            "not accept each other's cookies. Start the app with `lc-health serve`, or set "
            "STREAMLIT_SERVER_COOKIE_SECRET to the same value."
        )
    return problems
