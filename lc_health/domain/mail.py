"""E-mail as values: the addresses in a pasted list or uploaded file, the texts of every message
in the recipient's language, and the message itself. Pure: the sender (services.mail_sender)
puts these together at send time, so no address, token or body is ever stored with a message.
"""

from __future__ import annotations

import csv
import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from enum import StrEnum
from urllib.parse import urlencode

from lc_health.domain.credentials import email_is_valid, normalise_email
from lc_health.domain.i18n import LANGUAGES, translate

MAX_ADDRESSES_AT_ONCE = 2000
# The query parameter of the opt-out page (see ui/navigation.py).
OPTOUT_PARAM = "optout"
_HEADER_WORDS = frozenset({"email", "e-mail", "mail", "address", "adres", "e-mailadres"})
_LANGUAGE_WORDS = frozenset({"language", "lang", "taal"})
_SEPARATORS = re.compile(r"[,;\t]")


class Kind(StrEnum):
    invitation = "invitation"
    reminder = "reminder"
    lead_notice = "lead_notice"
    you_said = "you_said"


class Notice(StrEnum):
    round_opened = "round_opened"
    round_closing = "round_closing"
    round_published = "round_published"


class Status(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    skipped = "skipped"


@dataclass(frozen=True)
class Entry:
    address: str
    language: str | None  # None: the default chosen on the page


@dataclass(frozen=True)
class BadLine:
    line: int
    text: str
    code: str  # error.mail_invalid_address or error.mail_invalid_language


@dataclass(frozen=True)
class AddressList:
    entries: tuple[Entry, ...]
    bad: tuple[BadLine, ...]


def _delimiter(text: str) -> str | None:
    """The CSV delimiter of the first non-empty line (, ; or tab), if it has one."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _cells(line: str, delimiter: str | None) -> list[str]:
    cells: list[str] = []
    if delimiter and delimiter in line:
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:  # a stray carriage return or the like: read it as plain cells
            cells = []
    if not cells:
        cells = _SEPARATORS.split(line)
    return [cell.strip().strip('"').strip() for cell in cells] or [""]


def _header_columns(cells: list[str]) -> tuple[int, int | None] | None:
    """(address column, language column) when this row is a header naming them."""
    lowered = [c.lower() for c in cells]
    address = next((i for i, c in enumerate(lowered) if c in _HEADER_WORDS), None)
    if address is None or any("@" in c for c in cells):
        return None
    language = next((i for i, c in enumerate(lowered) if c in _LANGUAGE_WORDS), None)
    return address, language


def _entry(cells: list[str], columns: tuple[int, int | None] | None) -> tuple[str, str]:
    """(address text, language text) of one row: the header's columns where they fit, else the
    cell with an @ and a short other cell as the language."""
    if columns is not None:
        address_col, language_col = columns
        if address_col < len(cells) and "@" in cells[address_col]:
            language = ""
            if language_col is not None and language_col < len(cells):
                language = cells[language_col]
            return cells[address_col], language
    found = [c for c in cells if "@" in c] or [" ".join(cells)]
    rest = [c for c in cells if c and c not in found]
    return found[0], rest[0] if len(rest) == 1 and len(rest[0]) <= 5 else ""


def parse_addresses(text: str) -> AddressList:
    """The addresses in pasted text or a file's text: one per line, or a column of a CSV whose
    header names it (email, e-mail, address, adres), with an optional language column or
    value (nl, en). Repeats count once; every bad line is named with its number."""
    entries: dict[str, Entry] = {}
    bad: list[BadLine] = []
    columns: tuple[int, int | None] | None = None
    delimiter = _delimiter(text)
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        cells = _cells(raw, delimiter)
        if not entries and not bad and columns is None:
            columns = _header_columns(cells)
            if columns is not None:
                continue
        address_text, language_text = _entry(cells, columns)
        address = normalise_email(address_text)
        if not email_is_valid(address):
            bad.append(BadLine(number, raw.strip()[:80], "error.mail_invalid_address"))
            continue
        language = language_text.strip().lower() or None
        if language is not None and language not in LANGUAGES:
            bad.append(BadLine(number, language_text[:20], "error.mail_invalid_language"))
            continue
        entries.setdefault(address, Entry(address, language))
    return AddressList(tuple(entries.values()), tuple(bad))


def decode_upload(data: bytes) -> str | None:
    """An uploaded file's text (UTF-8 with or without BOM, UTF-16, or Windows-1252); None for
    anything that is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    elif b"\x00" in data:
        return None
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def survey_url(public_url: str, token: str, lang: str) -> str:
    """A personal survey link (as store.invitations.link_url makes it)."""
    return f"{public_url.rstrip('/')}/?{urlencode({'t': token, 'lang': lang})}"


def optout_url(public_url: str, token: str, lang: str) -> str:
    return f"{public_url.rstrip('/')}/?{urlencode({OPTOUT_PARAM: token, 'lang': lang})}"


def privacy_url(public_url: str, lang: str) -> str:
    return f"{public_url.rstrip('/')}/privacy?{urlencode({'lang': lang})}"


def review_url(public_url: str, community_id: int, round_id: int) -> str:
    query = urlencode({"community": community_id, "round": round_id})
    return f"{public_url.rstrip('/')}/lead_review?{query}"


def format_day(day: date, lang: str) -> str:
    return day.strftime("%d-%m-%Y") if lang == "nl" else day.isoformat()


_URL_KEYS = ("link", "privacy_url", "optout_url", "review_url")


def _html(paragraphs: list[str], lang: str, urls: list[str]) -> str:
    """Every text escaped; only our own links (the values under _URL_KEYS) become links."""

    def line_html(line: str) -> str:
        escaped = html.escape(line)
        for url in urls:
            target = html.escape(url)
            escaped = escaped.replace(target, f'<a href="{target}">{target}</a>')
        return escaped

    body = "".join(
        "<p>" + "<br>".join(line_html(line) for line in part.splitlines()) + "</p>"
        for part in paragraphs
    )
    return f'<!DOCTYPE html><html lang="{html.escape(lang)}"><body>{body}</body></html>'


def render(kind: Kind, lang: str, values: Mapping[str, str], *, notice: str = "") -> Rendered:
    """Subject, plain text and an HTML copy (every value escaped) of one message.

    values: community, period, closes_on, and for participants link, privacy_url, optout_url;
    for leads review_url."""
    if kind == Kind.lead_notice:
        base = f"mail.lead.{Notice(notice).value}"
        parts = [
            translate(lang, f"{base}.body", **values),
            translate(lang, "mail.lead.footer", **values),
        ]
    else:
        base = f"mail.{kind.value}"
        parts = [
            translate(lang, f"{base}.body", **values),
            translate(lang, "mail.privacy", **values),
            translate(lang, "mail.optout", **values),
        ]
    subject = translate(lang, f"{base}.subject", **values)
    paragraphs = [p for part in parts for p in part.split("\n\n")]
    urls = sorted((values[k] for k in _URL_KEYS if values.get(k)), key=len, reverse=True)
    return Rendered(
        subject=subject, text="\n\n".join(parts) + "\n", html=_html(paragraphs, lang, urls)
    )


def message_id(key: str, sender: str) -> str:
    """The Message-ID of the outbox message with this key, from the sender's domain."""
    domain = sender.rpartition("@")[2] or "lc-health.invalid"
    return f"<{key}@{domain}>"


def _one_line(text: str) -> str:
    """A header value: control characters and line or paragraph separators (which e-mail
    headers refuse) made spaces, runs of spaces made one."""
    kept = (" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return " ".join("".join(kept).split())


def build_message(
    rendered: Rendered, *, to: str, sender: str, msg_id: str, unsubscribe: str | None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = _one_line(rendered.subject)
    message["Message-ID"] = msg_id
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
