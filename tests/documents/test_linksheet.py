"""Invitation links as files: the CSV has its five columns (the link's number first, as the
administration page shows it), CRLF rows and inert cells; the QR
sheet has one card per link, each with a QR code that encodes the link and the link written
out, and escapes what people typed."""

from __future__ import annotations

import csv
import io
import re

import segno

from lc_health.documents.linksheet import CARDS_PER_PAGE, LinkCard, links_csv, qr_sheet_html

LINKS = [
    LinkCard("https://lc.example/?t=tok-one", "Anna", 7),
    LinkCard("https://lc.example/?t=tok-two", "", 8),
    LinkCard("https://lc.example/?t=tok-three&lang=en", "<Bert & co>", 12),
]


def test_links_csv_has_one_row_per_link_with_community_round_label_url() -> None:
    data = links_csv(LINKS, community="Lab Noord", period="2026-Q3")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\r\n") == 4
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["link", "community", "round", "label", "url"]
    assert rows[1] == ["7", "Lab Noord", "2026-Q3", "Anna", "https://lc.example/?t=tok-one"]
    assert [row[4] for row in rows[1:]] == [link.url for link in LINKS]
    assert [row[0] for row in rows[1:]] == ["7", "8", "12"]
    assert rows[2][3] == ""


def test_links_csv_without_links_is_just_the_header() -> None:
    text = links_csv([], community="Lab").decode("utf-8-sig")
    assert text == "link,community,round,label,url\r\n"


def test_links_csv_quotes_a_line_break_in_a_label() -> None:
    data = links_csv([LinkCard("https://x/?t=a", "two\r\nlines")], community="-Lab")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1] == ["", "'-Lab", "", "two\r\nlines", "https://x/?t=a"]


def test_qr_sheet_has_one_card_and_one_qr_code_per_link() -> None:
    page = qr_sheet_html(LINKS, title="Links: Lab <Noord>", instruction="Scan me", lang="nl")
    assert page.count('<div class="card">') == len(LINKS)
    assert page.count("<svg") == len(LINKS)
    assert page.count('<p class="instruction">Scan me</p>') == len(LINKS)
    for link in LINKS:
        assert f'<p class="url">{link.url.replace("&", "&amp;")}</p>' in page
    assert page.count('<p class="label">') == 2  # a link without a label gets no label line
    assert '<p class="label">&lt;Bert &amp; co&gt;</p>' in page
    assert [f'<p class="number">#{n}</p>' in page for n in (7, 8, 12)] == [True] * 3
    assert "<title>Links: Lab &lt;Noord&gt;</title>" in page and '<html lang="nl">' in page
    assert f".card:nth-child({CARDS_PER_PAGE}n) {{ break-after: page; }}" in page


def test_each_qr_code_is_the_code_of_its_own_link() -> None:
    page = qr_sheet_html(LINKS, title="t", instruction="i", lang="en")
    svgs = re.findall(r'<div class="qr">(.*?)</div>', page, flags=re.S)
    assert len(svgs) == len(LINKS)
    for link, found in zip(LINKS, svgs, strict=True):
        assert found == segno.make(link.url, error="m").svg_inline(scale=4, dark="#1D2B2A")
    assert svgs[0] != svgs[1]
