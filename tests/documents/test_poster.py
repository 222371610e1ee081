"""The printable A3 poster and A4 scoring sheets: complete, escaped, self-contained, and set up
for the right paper, in Dutch and English."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from lc_health.documents.poster import MAX_COPIES, item_code, poster_html, scoring_sheet_html
from lc_health.domain.i18n import translate
from lc_health.domain.instrument import Instrument

NASTY = '<b>&"x"</b>'
LANGS = ("nl", "en")


class _Tags(HTMLParser):
    """Every start tag with its class, to count boxes and check the structure parses."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.classes.append(dict(attrs).get("class") or "")


def _parse(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser


def _self_contained(text: str) -> None:
    lowered = text.lower()
    for forbidden in ("<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "href="):
        assert forbidden not in lowered, forbidden
    assert "http://" not in lowered and "https://" not in lowered


def _statements(text: str) -> list[str]:
    """The poster's statement blocks, each from its start to the next one (or the card's end)."""
    return re.findall(r'<div class="stmt">(.*?)</div></div>', text)


@pytest.mark.parametrize("lang", LANGS)
def test_poster_shows_every_factor_and_statement(instrument: Instrument, lang: str) -> None:
    text = poster_html(instrument, lang, community="Robotica Fieldlab Westland", period="Q3 2026")
    assert text.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in text
    assert len(instrument.factors) == 12
    for factor in instrument.factors:
        assert f"<h3>{html.escape(factor.name.get(lang))}</h3>" in text
        assert html.escape(factor.explanation.get(lang)) in text
        assert f'<span class="num">{factor.id}</span>' in text
    for item in instrument.items:
        assert text.count(html.escape(item.text.get(lang))) == 1
    for group in instrument.groups:
        assert html.escape(group.name.get(lang)) in text
    for theme in instrument.themes:
        assert f'<p class="theme">{html.escape(theme.name.get(lang))}</p>' in text
    for layer in instrument.layers:
        assert f'<span class="layer">{html.escape(layer.name.get(lang))}</span>' in text
    assert html.escape(translate(lang, "paper.poster.title")) in text
    assert "Robotica Fieldlab Westland · Q3 2026" in text
    assert "De kracht van verbinding!" in html.unescape(text) and "CC BY-SA 4.0" in text


@pytest.mark.parametrize("lang", LANGS)
def test_poster_has_six_boxes_per_statement_and_a_legend(instrument: Instrument, lang: str) -> None:
    text = poster_html(instrument, lang)
    blocks = _statements(text)
    assert len(blocks) == len(instrument.items) == 21
    for block in blocks:
        boxes = re.findall(r'<span class="box (s[1-5]|dk)"', block)
        assert boxes == ["s1", "s2", "s3", "s4", "s5", "dk"]
    classes = _parse(text).classes
    assert classes.count("card g-development") == 8 and classes.count("card g-sustaining") == 4
    assert sum(c.startswith("box ") for c in classes) == 6 * len(instrument.items)
    # The legend names every scale point and the separate don't-know answer.
    legend = text[text.index('<div class="legend">') : text.index("</header>")]
    for point in instrument.scale.points:
        assert html.escape(point.label.get(lang)) in legend
    assert html.escape(instrument.scale.dont_know.get(lang)) in legend
    assert html.escape(translate(lang, "paper.poster.how")) in legend


def test_poster_is_a3_landscape_and_self_contained(instrument: Instrument) -> None:
    text = poster_html(instrument, "nl")
    assert "@page { size: A3 landscape; margin: 0; }" in text
    assert ".poster { width: 420mm; height: 297mm;" in text
    assert "print-color-adjust: exact" in text  # the colour bars survive printing
    _self_contained(text)
    assert _parse(text).tags.count("section") == 2  # the two groups


@pytest.mark.parametrize("lang", LANGS)
def test_poster_and_sheet_escape_what_people_typed(instrument: Instrument, lang: str) -> None:
    escaped = "&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;"
    for text in (
        poster_html(instrument, lang, community=NASTY, period=NASTY),
        scoring_sheet_html(instrument, lang, community=NASTY, period=NASTY, copies=2),
    ):
        assert NASTY not in text and "<b>&" not in text
        assert text.count(escaped) >= 2
        assert f"<title>{html.escape(translate(lang, 'paper.poster.title'))}" in text or (
            f"<title>{html.escape(translate(lang, 'paper.sheet.title'))}" in text
        )
    # Without a community or period there is no empty subtitle.
    assert '<p class="sub">' not in poster_html(instrument, lang)
    assert '<p class="sub">' not in scoring_sheet_html(instrument, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_scoring_sheet_lists_every_statement_by_layer(instrument: Instrument, lang: str) -> None:
    text = scoring_sheet_html(instrument, lang, community="Energiehub Zwolle", period="Q1 2027")
    assert text.count('<section class="sheet">') == 1
    positions = []
    for layer in instrument.layers:
        head = f'<tr class="layer"><th colspan="8">{html.escape(layer.name.get(lang))}</th></tr>'
        assert text.count(head) == 1
        positions.append(text.index(head))
        for item in instrument.items_in_layer(layer.id):
            row = (
                f'<td class="code">{html.escape(item_code(item))}</td>'
                f'<td class="text">{html.escape(item.text.get(lang))}</td>'
            )
            assert text.count(row) == 1
            # Each statement sits under its own layer's heading.
            assert max(p for p in positions if p < text.index(row)) == positions[-1]
    assert positions == sorted(positions)
    rows = re.findall(r'<tr class="item">(.*?)</tr>', text)
    assert len(rows) == len(instrument.items) == 21
    for row in rows:
        assert row.count('<span class="tick"></span>') == 6
        assert row.count('<td class="sc dk">') == 1
    for option in (*instrument.profile.roles, *instrument.profile.organisation_types):
        assert f'<span class="tick"></span>{html.escape(option.label.get(lang))}</span>' in text
    for point in instrument.scale.points:
        assert f"<b>{point.value}</b><small>{html.escape(point.label.get(lang))}</small>" in text
    assert html.escape(translate(lang, "paper.sheet.number")) in text
    assert html.escape(translate(lang, "paper.sheet.how")) in text
    assert "Energiehub Zwolle · Q1 2027" in text
    assert "CC BY-SA 4.0" in text


def test_scoring_sheets_are_a4_one_per_page_and_numbered(instrument: Instrument) -> None:
    text = scoring_sheet_html(instrument, "en", copies=3, first_number=7)
    assert "@page { size: A4 portrait; margin: 0; }" in text
    assert ".sheet { width: 210mm; height: 297mm;" in text
    assert "break-after: page; page-break-after: always;" in text
    assert ".sheet:last-child { break-after: auto; page-break-after: auto; }" in text
    assert text.count('<section class="sheet">') == 3
    assert re.findall(r'<span class="nobox">(\d*)</span>', text) == ["7", "8", "9"]
    _self_contained(text)
    blank = scoring_sheet_html(instrument, "nl", copies=2)
    assert re.findall(r'<span class="nobox">(\d*)</span>', blank) == ["", ""]
    assert scoring_sheet_html(instrument, "nl", copies=0).count('class="sheet"') == 1
    many = scoring_sheet_html(instrument, "nl", copies=MAX_COPIES + 50)
    assert many.count('<section class="sheet">') == MAX_COPIES


def test_item_codes_are_short_and_unique(instrument: Instrument) -> None:
    codes = [item_code(i) for i in instrument.items]
    assert codes[:3] == ["ind 1", "ind 2", "ind 6"]
    assert len(set(codes)) == len(codes)
