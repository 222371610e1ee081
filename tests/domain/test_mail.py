"""The pure parts of e-mail: reading addresses from pasted text and files, the derived tokens,
and the messages' texts (every kind, both languages, values escaped in the HTML copy)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lc_health.domain import mail_links
from lc_health.domain.credentials import hash_token
from lc_health.domain.mail import Kind, decode_upload, parse_addresses, render
from lc_health.store.invitations import TOKEN_PATTERN

SECRET = b"secret"


def test_one_address_a_line_with_an_optional_language() -> None:
    parsed = parse_addresses("  Ann@Example.org \n\nbob@example.org;EN\r\ncor@example.org,nl\n")
    assert [(e.address, e.language) for e in parsed.entries] == [
        ("ann@example.org", None),
        ("bob@example.org", "en"),
        ("cor@example.org", "nl"),
    ]
    assert parsed.bad == ()


def test_a_spreadsheet_column_found_by_its_header() -> None:
    text = 'Naam\tE-mailadres\tTaal\n"Jansen, A."\tann@example.org\ten\nBob\tbob@example.org\t\n'
    parsed = parse_addresses(text)
    assert [(e.address, e.language) for e in parsed.entries] == [
        ("ann@example.org", "en"),
        ("bob@example.org", None),
    ]


def test_bad_lines_keep_their_numbers() -> None:
    parsed = parse_addresses("ok@example.org\nnope\n\na@b..nl\nx@example.org;de")
    assert [(b.line, b.code) for b in parsed.bad] == [
        (2, "error.mail_invalid_address"),
        (4, "error.mail_invalid_address"),
        (5, "error.mail_invalid_language"),
    ]


@given(st.text(max_size=300))
@example("\r\t0")  # a carriage return inside a tab-separated line
@example('a@example.org,"x\ry"\nb')
def test_any_text_is_read_without_crashing(text: str) -> None:
    parsed = parse_addresses(text)
    assert all("@" in e.address for e in parsed.entries)


def test_files_in_the_usual_encodings() -> None:
    text = "zoë@example.org\n"
    for data in (text.encode("utf-8-sig"), text.encode("utf-16"), text.encode("cp1252")):
        assert decode_upload(data) == text
    assert decode_upload(b"\x00\x01\x02binary") is None


def test_derived_tokens_look_like_link_tokens_and_depend_on_secret_and_salt() -> None:
    salt = mail_links.new_salt()
    token = mail_links.link_token(SECRET, salt)
    assert TOKEN_PATTERN.match(token)
    assert TOKEN_PATTERN.match(mail_links.optout_token(SECRET, salt))
    assert token == mail_links.link_token(SECRET, salt)
    assert token != mail_links.optout_token(SECRET, salt)
    assert token != mail_links.link_token(b"other", salt)
    assert token != mail_links.link_token(SECRET, mail_links.new_salt())
    assert hash_token(token) != mail_links.address_key(SECRET, "a@example.org")


VALUES = {
    "community": "Lab <b>& co</b>",
    "period": "2026-Q4",
    "closes_on": "31-12-2026",
    "link": "https://x.example/?t=abc&lang=nl",
    "privacy_url": "https://x.example/privacy",
    "optout_url": "https://x.example/?optout=def",
    "review_url": "https://x.example/lead_review?community=1&round=2",
}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(
    ("kind", "notice"),
    [
        (Kind.invitation, ""),
        (Kind.reminder, ""),
        (Kind.you_said, ""),
        (Kind.lead_notice, "round_opened"),
        (Kind.lead_notice, "round_closing"),
        (Kind.lead_notice, "round_published"),
    ],
)
def test_every_message_in_both_languages(kind: Kind, notice: str, lang: str) -> None:
    rendered = render(kind, lang, VALUES, notice=notice)
    assert "{" not in rendered.subject + rendered.text  # every placeholder filled
    assert "Lab <b>& co</b>" in rendered.subject
    if kind == Kind.lead_notice:
        assert VALUES["review_url"] in rendered.text and VALUES["link"] not in rendered.text
    else:
        for key in ("link", "privacy_url", "optout_url"):
            assert VALUES[key] in rendered.text
    assert "<b>" not in rendered.html and "Lab &lt;b&gt;&amp; co&lt;/b&gt;" in rendered.html
    own = "review_url" if kind == Kind.lead_notice else "link"
    target = VALUES[own].replace("&", "&amp;")
    assert f'<a href="{target}">{target}</a>' in rendered.html
    assert rendered.html.count("<a href=") == (1 if kind == Kind.lead_notice else 3)
    other = render(kind, "en" if lang == "nl" else "nl", VALUES, notice=notice)
    assert other.subject != rendered.subject
