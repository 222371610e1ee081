"""All settings, from the environment (prefix `LC_HEALTH_`) or the `.env` file in the home
folder. Read nowhere else.

The home folder holds `.env`, the default SQLite database and Streamlit's `secrets.toml`, the
same for every command whatever folder it runs in: `LC_HEALTH_HOME` when set (only from the
environment: it says where `.env` is); otherwise `data/` of the source checkout when lc-health
runs from one; otherwise the user data folder of the account that runs it (Linux:
`$XDG_DATA_HOME/lc-health` or `~/.local/share/lc-health`; macOS: `~/Library/Application
Support/lc-health`; Windows: `%LOCALAPPDATA%\\lc-health`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from lc_health.domain.instrument import SURVEYS_DIR

# Below three respondents an aggregate comes close to an individual answer; the setting can be
# raised, never lowered past this.
MIN_ANONYMITY_THRESHOLD = 3
HOME_VARIABLE = "LC_HEALTH_HOME"
_CHECKOUT = Path(__file__).resolve().parents[2]


def home() -> Path:
    """The folder for `.env`, the default SQLite database and `secrets.toml` (module docstring);
    not created here."""
    explicit = os.environ.get(HOME_VARIABLE, "").strip()
    if explicit:
        return Path(explicit).expanduser().resolve()
    if (_CHECKOUT / "pyproject.toml").is_file():
        return _CHECKOUT / "data"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = Path(os.environ.get("XDG_DATA_HOME") or "~/.local/share").expanduser()
        base = xdg if xdg.is_absolute() else Path.home() / ".local" / "share"
    return base / "lc-health"


def default_database_url() -> str:
    return f"sqlite:///{home() / 'lc-health.db'}"


class Settings(BaseSettings):
    """lc-health's settings. Every field is documented in the README (a test checks it)."""

    model_config = SettingsConfigDict(env_prefix="LC_HEALTH_", extra="ignore", frozen=True)

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL of the database. The default is the SQLite file "
        "lc-health.db in the home folder (LC_HEALTH_HOME); use "
        "postgresql+psycopg://user:pass@host/db for PostgreSQL.",
    )
    read_database_url: str | None = Field(
        None,
        description="Optional SQLAlchemy URL of a PostgreSQL streaming replica of the database: "
        "dashboard and portfolio reads go there, every write and a person's own recent reads "
        "stay on LC_HEALTH_DATABASE_URL (docs/deployment.md, Read replica). Unset: all on one.",
    )
    surveys_dir: Path = Field(SURVEYS_DIR, description="Folder with the instrument files (*.toml).")
    anonymity_threshold: Annotated[int, Field(ge=MIN_ANONYMITY_THRESHOLD, le=50)] = Field(
        5,
        description="Fewest respondents behind any aggregate that is shown (never below 3).",
    )
    comment_threshold: Annotated[int, Field(ge=MIN_ANONYMITY_THRESHOLD, le=50)] = Field(
        5,
        description="Fewest responses a round needs before its comments are shown to its lead "
        "(at least the anonymity threshold).",
    )
    open_link_lifts_threshold: bool = Field(
        False,
        description="Let responses through a round's open link count towards the anonymity "
        "threshold in rounds that also have personal links. Off: such responses are shown in "
        "the figures but cannot lift a group over the threshold on their own (against padding).",
    )
    health_min_factors: Annotated[int, Field(ge=6, le=12)] = Field(
        9,
        description="Fewest of the twelve factors a respondent must have scored to count in the "
        "health index (never below 6).",
    )
    min_change: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.3,
        description="Smallest change in a mean (in scale points) that is called improved or "
        "declined, besides being statistically clear.",
    )
    default_language: Literal["nl", "en"] = Field(
        "nl", description="Language when the browser's locale is neither Dutch nor English."
    )
    demo: bool = Field(
        False,
        description="Demo mode: fills an empty database with fictional demo data and shows the "
        "demo accounts' passwords on the sign-in page. Never use in production.",
    )
    seed_demo_on_empty: bool = Field(
        True,
        description="In demo mode, load the demo data when the app starts on an empty database.",
    )
    session_hours: Annotated[float, Field(gt=0, le=24 * 30)] = Field(
        8, description="How long a sign-in lasts, in hours, across page reloads."
    )
    max_failed_signins: Annotated[int, Field(ge=1, le=100)] = Field(
        5,
        description="Failed password checks in a row for one address before it must wait "
        "(30 s, doubling with each further failure up to LC_HEALTH_LOCKOUT_MINUTES).",
    )
    lockout_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = Field(
        15, description="The longest wait after failed password checks; nothing locks for good."
    )
    cookie_secret: SecretStr | None = Field(
        None,
        description="Secret that signs Streamlit's cookies; required outside demo mode and the "
        "same on every replica.",
    )
    public_url: str = Field(
        "http://localhost:8501",
        description="Address participants use to reach the app; invitation links start with it.",
    )
    contact_email: str = Field(
        "",
        description="Address shown to participants who need help (for instance with a link "
        "that no longer works).",
    )
    retention_years: Annotated[int, Field(ge=0, le=100)] = Field(
        0,
        description="Delete raw answers and comments older than this many years (keeping the "
        "aggregates); 0 keeps them.",
    )
    schedule_minutes: Annotated[int, Field(ge=0, le=1440)] = Field(
        5,
        description="How often, in minutes, each app process runs the round schedules "
        "(`lc-health schedule tick` does the same once, for cron); 0: never in the app.",
    )
    smtp_host: str = Field(
        "",
        description="SMTP server for invitation and reminder e-mails; empty: nothing is sent "
        "(messages wait in the outbox).",
    )
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = Field(587, description="Its port.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls",
        description="starttls (upgrade a plain connection, port 587), tls (TLS from the start, "
        "port 465) or none (only for a server on the same machine).",
    )
    smtp_user: str = Field("", description="SMTP user name; empty: no sign-in.")
    smtp_password: SecretStr | None = Field(
        None, description="SMTP password (never logged or shown)."
    )
    mail_from: str = Field(
        "", description="The From address of every e-mail, e.g. lc-health@example.org."
    )
    mail_rate_per_minute: Annotated[int, Field(ge=1, le=10_000)] = Field(
        60, description="At most this many e-mails a minute."
    )
    mail_secret: SecretStr | None = Field(
        None,
        description="Secret the personal links in e-mails are derived from (the links are "
        "never stored). Unset: LC_HEALTH_COOKIE_SECRET. Changing it breaks links not yet mailed.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO",
        description="Level of lc-health's own log messages, written to stderr (DEBUG also "
        "logs the tracebacks behind errors that users see as one line).",
    )
    log_format: Literal["plain", "json"] = Field(
        "plain",
        description="Format of those log lines: plain (time, level, logger, message) or json "
        "(one JSON object per line, for a log collector).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """`.env` is read from the home folder, looked up anew for every Settings()."""
        del dotenv_settings  # the default one reads `.env` in the working folder
        env_file = DotEnvSettingsSource(settings_cls, env_file=home() / ".env")
        return init_settings, env_settings, env_file, file_secret_settings

    @model_validator(mode="after")
    def _comments_not_looser(self) -> Settings:
        if self.comment_threshold < self.anonymity_threshold:
            raise ValueError("comment_threshold must be at least anonymity_threshold")
        return self
