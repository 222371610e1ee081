"""Paper sessions on print: an A3 poster of the twelve factors to score together, and A4
scoring sheets that each participant fills in and the lead types in afterwards.

Both are self-contained HTML (inline CSS, no scripts, fonts or images from elsewhere) that print
cleanly from any browser. Every text, from the instrument or typed by a person, is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from lc_health.domain.i18n import translate
from lc_health.domain.instrument import Factor, Instrument, Item, Option

MAX_COPIES = 200
# The 1-5 answer colours of the review charts (diverging, colour-blind safe), as a thin bar on
# each score box, so the poster and the review read the same way.
SCORE_COLOURS = ("#A7351F", "#E0876F", "#A9B3B1", "#7FA9D3", "#1F6FB2")
GROUP_COLOURS = {"development": "#0B6E69", "sustaining": "#2F5F8A"}
DEFAULT_GROUP_COLOUR = "#3E4C4A"
FONTS = '"Source Sans Pro", "Source Sans 3", Arial, "Liberation Sans", Helvetica, sans-serif'

_e = html.escape


def item_code(item: Item) -> str:
    """A short label for a statement, the same on the sheet and in the entry grid: 'ind 1'
    for the individual layer's statement on factor 1."""
    return f"{item.id.split('_')[0]} {item.factor}"


def _subtitle(community: str, period: str) -> str:
    return " · ".join(part for part in (community.strip(), period.strip()) if part)


def _credit(lang: str) -> str:
    return _e(translate(lang, "paper.credit"))


def _score_boxes(instrument: Instrument, lang: str) -> str:
    """Five score boxes and the separate don't-know box, each with its label in a corner."""
    boxes = [
        f'<span class="box s{p.value}" title="{_e(p.label.get(lang))}"><i>{p.value}</i></span>'
        for p in instrument.scale.points
    ]
    dk = _e(instrument.scale.dont_know.get(lang))
    boxes.append(f'<span class="box dk" title="{dk}"><i>?</i></span>')
    return f'<div class="boxes">{"".join(boxes)}</div>'


def _poster_legend(instrument: Instrument, lang: str) -> str:
    points = "".join(
        f'<li><span class="key s{p.value}">{p.value}</span>{_e(p.label.get(lang))}</li>'
        for p in instrument.scale.points
    )
    dk = _e(instrument.scale.dont_know.get(lang))
    return (
        '<div class="legend">'
        f'<p class="how">{_e(translate(lang, "paper.poster.how"))}</p>'
        f'<p class="legend-title">{_e(translate(lang, "paper.poster.scale_title"))}</p>'
        f'<ol>{points}<li class="dk"><span class="key dk">?</span>{dk}</li></ol>'
        "</div>"
    )


def _card(factor: Factor, instrument: Instrument, lang: str, boxes: str) -> str:
    theme = ""
    if factor.theme is not None:
        names = {th.id: th.name.get(lang) for th in instrument.themes}
        theme = f'<p class="theme">{_e(names.get(factor.theme, ""))}</p>'
    statements = []
    for item in instrument.items:
        if item.factor != factor.id:
            continue
        layer = instrument.layer_by_id[item.layer].name.get(lang)
        statements.append(
            '<div class="stmt">'
            f'<p class="text"><span class="layer">{_e(layer)}</span>{_e(item.text.get(lang))}</p>'
            f"{boxes}</div>"
        )
    return (
        f'<article class="card g-{_e(factor.group)}">'
        f'<div class="head"><span class="num">{factor.id}</span>'
        f'<div class="name">{theme}<h3>{_e(factor.name.get(lang))}</h3></div></div>'
        f'<p class="expl">{_e(factor.explanation.get(lang))}</p>'
        f"{''.join(statements)}</article>"
    )


def _poster_css(rows: Sequence[int]) -> str:
    colours = "\n".join(
        f".s{i} {{ border-top-color: {c}; }} .key.s{i} {{ background: {c}; }}"
        for i, c in enumerate(SCORE_COLOURS, start=1)
    )
    groups = "\n".join(
        f".g-{_e(g)} .num, .group-{_e(g)} .group-label {{ background: {c}; }}\n"
        f".g-{_e(g)} {{ border-top-color: {c}; }}"
        for g, c in GROUP_COLOURS.items()
    )
    # Each group gets height in proportion to its rows of cards.
    row_template = " ".join(f"{n}fr" for n in rows) or "1fr"
    return f"""
@page {{ size: A3 landscape; margin: 0; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: {FONTS}; color: #0A1211; background: #E3E8E7;
        -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
.poster {{ width: 420mm; height: 297mm; padding: 9mm 11mm 6mm; background: #FFFFFF;
           display: grid; grid-template-rows: auto 1fr auto; gap: 3.5mm; overflow: hidden;
           break-inside: avoid; page-break-inside: avoid; }}
header {{ display: flex; justify-content: space-between; align-items: flex-end; gap: 12mm;
          border-bottom: 0.6mm solid #0B6E69; padding-bottom: 2.5mm; }}
.intro {{ flex: none; max-width: 175mm; }}
.kicker {{ margin: 0; font-size: 11pt; letter-spacing: 0.04em; text-transform: uppercase;
           color: #0B6E69; font-weight: 700; }}
h1 {{ margin: 0.3mm 0 0; font-size: 25pt; line-height: 1.1; }}
.sub {{ margin: 0.8mm 0 0; font-size: 13pt; color: #3E4C4A; }}
.how {{ margin: 0 0 2mm; font-size: 10.5pt; line-height: 1.25; }}
.legend {{ flex: 1; min-width: 0; }}
.legend-title {{ margin: 0 0 1.5mm; font-size: 10pt; font-weight: 700; }}
.legend ol {{ list-style: none; margin: 0; padding: 0; display: flex; gap: 3mm;
              font-size: 9.5pt; align-items: center; justify-content: space-between; }}
.legend li {{ display: flex; align-items: center; gap: 1.2mm; max-width: 34mm;
              line-height: 1.1; }}
.legend li.dk {{ margin-left: 3mm; max-width: 40mm; }}
.key {{ flex: none; display: inline-flex; width: 7mm; height: 7mm; border-radius: 1.2mm;
        align-items: center; justify-content: center; font-weight: 700; color: #FFFFFF; }}
.key.s3 {{ color: #0A1211; }}
.key.dk {{ background: #F2F5F4; color: #0A1211; border: 0.4mm dashed #5B6B69; }}
main {{ display: grid; grid-template-rows: {row_template}; gap: 4mm; min-height: 0; }}
.group {{ display: grid; grid-template-columns: 8mm 1fr; gap: 2.5mm; min-height: 0; }}
.group-label {{ margin: 0; border-radius: 2mm; color: #FFFFFF; font-size: 11pt;
                display: flex; align-items: center; justify-content: center; }}
.group-label span {{ writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
                     letter-spacing: 0.03em; font-weight: 700; }}
.cards {{ display: grid; grid-template-columns: repeat(4, 1fr); grid-auto-rows: 1fr; gap: 3.5mm;
          min-height: 0; }}
.card {{ display: flex; flex-direction: column; min-height: 0; overflow: hidden;
         border: 0.35mm solid #C9D1D0; border-top: 1.6mm solid #3E4C4A; border-radius: 2.5mm;
         padding: 2.5mm 3mm 3mm; break-inside: avoid; }}
.head {{ display: flex; gap: 2.5mm; align-items: flex-start; }}
.num {{ flex: none; width: 9mm; height: 9mm; border-radius: 50%; color: #FFFFFF;
        background: #3E4C4A; font-weight: 700; font-size: 14pt; display: flex;
        align-items: center; justify-content: center; }}
.name {{ min-width: 0; }}
.theme {{ margin: 0; font-size: 7.5pt; text-transform: uppercase; letter-spacing: 0.06em;
          color: #5B6B69; font-weight: 700; }}
h3 {{ margin: 0; font-size: 11.5pt; line-height: 1.15; }}
.expl {{ margin: 1.2mm 0 0; font-size: 8.3pt; line-height: 1.22; color: #3E4C4A; }}
.stmt {{ flex: 1 0 auto; display: flex; flex-direction: column; margin-top: 1.8mm; }}
.text {{ margin: 0 0 1mm; font-size: 9.5pt; line-height: 1.18; }}
.layer {{ display: inline-block; margin-right: 1.5mm; padding: 0.2mm 1.5mm; border-radius: 1mm;
          background: #E3E8E7; font-size: 7.5pt; font-weight: 700; color: #3E4C4A;
          vertical-align: 0.2mm; }}
.boxes {{ flex: 1 0 auto; display: flex; gap: 1.5mm; min-height: 10.5mm; }}
.box {{ flex: 1; position: relative; border: 0.35mm solid #5B6B69; border-top: 1.6mm solid;
        border-radius: 1.2mm; background: #FFFFFF; }}
.box i {{ position: absolute; top: 0.5mm; left: 1mm; font-style: normal; font-size: 7.5pt;
          font-weight: 700; color: #5B6B69; }}
.box.dk {{ margin-left: 2.5mm; border: 0.35mm dashed #5B6B69; background: #F2F5F4; }}
{colours}
{groups}
footer {{ font-size: 8pt; color: #5B6B69; display: flex; justify-content: space-between;
          gap: 6mm; }}
@media print {{ body {{ background: none; }} }}
"""


def poster_html(instrument: Instrument, lang: str, *, community: str = "", period: str = "") -> str:
    """A printable A3 landscape poster of the twelve factors: per factor its number, name,
    explanation and statements, each with score boxes 1-5 and a separate '?' box, big enough for
    sticker dots or pen strokes from the whole group."""
    boxes = _score_boxes(instrument, lang)
    sections = []
    rows = []
    for group in instrument.groups:
        factors = [f for f in instrument.factors if f.group == group.id]
        if not factors:
            continue
        rows.append((len(factors) + 3) // 4)
        cards = "".join(_card(f, instrument, lang, boxes) for f in factors)
        sections.append(
            f'<section class="group group-{_e(group.id)}">'
            f'<h2 class="group-label"><span>{_e(group.name.get(lang))}</span></h2>'
            f'<div class="cards">{cards}</div></section>'
        )
    title = translate(lang, "paper.poster.title")
    subtitle = _subtitle(community, period)
    return f"""<!DOCTYPE html>
<html lang="{_e(lang)}"><head><meta charset="utf-8">
<title>{_e(" · ".join(p for p in (title, subtitle) if p))}</title>
<style>{_poster_css(rows)}</style></head>
<body><div class="poster">
<header><div class="intro">
<p class="kicker">{_e(instrument.title.get(lang))}</p>
<h1>{_e(title)}</h1>
{f'<p class="sub">{_e(subtitle)}</p>' if subtitle else ""}
</div>{_poster_legend(instrument, lang)}</header>
<main>{"".join(sections)}</main>
<footer><span>{_credit(lang)}</span><span>lc-health</span></footer>
</div></body></html>
"""


# -- the A4 scoring sheet -----------------------------------------------------------------


def _ticks(options: Sequence[Option], lang: str) -> str:
    return "".join(
        f'<span class="opt"><span class="tick"></span>{_e(o.label.get(lang))}</span>'
        for o in options
    )


def _sheet_table(instrument: Instrument, lang: str) -> str:
    head = "".join(
        f'<th class="sc s{p.value}"><b>{p.value}</b><small>{_e(p.label.get(lang))}</small></th>'
        for p in instrument.scale.points
    )
    dk = _e(instrument.scale.dont_know.get(lang))
    head += f'<th class="sc dk"><b>?</b><small>{dk}</small></th>'
    cells = '<td class="sc"><span class="tick"></span></td>' * 5
    cells += '<td class="sc dk"><span class="tick"></span></td>'
    body = []
    for layer in instrument.layers:
        items = instrument.items_in_layer(layer.id)
        if not items:
            continue
        body.append(f'<tr class="layer"><th colspan="8">{_e(layer.name.get(lang))}</th></tr>')
        body.extend(
            f'<tr class="item"><td class="code">{_e(item_code(item))}</td>'
            f'<td class="text">{_e(item.text.get(lang))}</td>{cells}</tr>'
            for item in items
        )
    return (
        '<table class="items"><thead><tr><th class="code"></th><th class="text"></th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


SHEET_CSS = f"""
@page {{ size: A4 portrait; margin: 0; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: {FONTS}; color: #0A1211; background: #E3E8E7;
        -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
.sheet {{ width: 210mm; height: 297mm; padding: 10mm 12mm 8mm; background: #FFFFFF;
          display: flex; flex-direction: column; overflow: hidden;
          break-after: page; page-break-after: always; break-inside: avoid; }}
.sheet:last-child {{ break-after: auto; page-break-after: auto; }}
header {{ display: flex; justify-content: space-between; align-items: flex-start; gap: 6mm;
          border-bottom: 0.5mm solid #0B6E69; padding-bottom: 2.5mm; }}
.kicker {{ margin: 0; font-size: 8.5pt; letter-spacing: 0.04em; text-transform: uppercase;
           color: #0B6E69; font-weight: 700; }}
h1 {{ margin: 0.5mm 0 0; font-size: 18pt; line-height: 1.1; }}
.sub {{ margin: 0.8mm 0 0; font-size: 10.5pt; color: #3E4C4A; }}
.number {{ flex: none; text-align: center; font-size: 8pt; color: #3E4C4A; }}
.number b {{ display: block; font-size: 8.5pt; color: #0A1211; margin-bottom: 0.8mm; }}
.nobox {{ display: flex; align-items: center; justify-content: center; width: 30mm;
          height: 11mm; border: 0.45mm solid #0A1211; border-radius: 1.5mm; font-size: 16pt;
          font-weight: 700; color: #0A1211; margin: 0 auto 0.8mm; }}
.how {{ margin: 2mm 0 0; font-size: 9.5pt; line-height: 1.25; }}
.profile {{ margin-top: 2mm; border: 0.3mm solid #C9D1D0; border-radius: 1.5mm;
            padding: 1mm 2.5mm; font-size: 9pt; }}
.prow {{ display: flex; flex-wrap: wrap; align-items: center; gap: 0.8mm 4mm;
         padding: 0.8mm 0; }}
.prow + .prow {{ border-top: 0.3mm solid #E3E8E7; }}
.prow .what {{ font-weight: 700; width: 100%; }}
.prow .what small {{ font-weight: 400; color: #5B6B69; }}
.opt {{ display: inline-flex; align-items: center; gap: 1.2mm; white-space: nowrap; }}
.tick {{ display: inline-block; width: 4.2mm; height: 4.2mm; border: 0.35mm solid #3E4C4A;
         border-radius: 0.6mm; background: #FFFFFF; }}
table.items {{ width: 100%; border-collapse: collapse; margin-top: 2.5mm; font-size: 9pt; }}
.items thead th {{ vertical-align: bottom; font-weight: 400; padding: 0 0 1mm; }}
.items th.sc {{ width: 12.5mm; text-align: center; border-bottom: 0.9mm solid #C9D1D0; }}
.items th.sc b {{ display: block; font-size: 10pt; }}
.items th.sc small {{ display: block; font-size: 6.3pt; line-height: 1.1; color: #3E4C4A;
                      padding: 0 0.5mm; }}
{"".join(f".items th.s{i} {{ border-bottom-color: {c}; }}" for i, c in enumerate(SCORE_COLOURS, 1))}
.items th.dk, .items td.dk {{ background: #F2F5F4; border-left: 0.6mm solid #FFFFFF; }}
.items th.code {{ width: 10mm; }}
.items tr.layer th {{ text-align: left; font-size: 8.5pt; padding: 1.6mm 1.5mm 0.6mm;
                      color: #0B6E69; text-transform: uppercase; letter-spacing: 0.04em;
                      border-bottom: 0.4mm solid #0B6E69; }}
.items tr.item td {{ border-bottom: 0.3mm solid #E3E8E7; padding: 0.6mm 1.5mm;
                     vertical-align: middle; line-height: 1.14; height: 7.6mm; }}
.items td.code {{ font-size: 7.5pt; color: #5B6B69; white-space: nowrap; padding-left: 0; }}
.items td.sc {{ text-align: center; padding: 0.6mm 0; }}
.items td.sc .tick {{ width: 5.2mm; height: 5.2mm; vertical-align: middle; }}
footer {{ margin-top: auto; padding-top: 2mm; display: flex; justify-content: space-between;
          gap: 6mm; font-size: 7.5pt; color: #5B6B69; border-top: 0.3mm solid #E3E8E7; }}
footer .thanks {{ font-size: 9.5pt; color: #0A1211; font-weight: 700; }}
@media screen {{ .sheet {{ margin: 0 auto 6mm; box-shadow: 0 0 2mm rgba(0, 0, 0, 0.15); }} }}
@media print {{ body {{ background: none; }} }}
"""


def scoring_sheet_html(
    instrument: Instrument,
    lang: str,
    *,
    community: str = "",
    period: str = "",
    copies: int = 1,
    first_number: int | None = None,
) -> str:
    """`copies` A4 scoring sheets, one page each: all statements grouped by layer with boxes 1-5
    and '?', role and organisation-type tick boxes, and a sheet-number box. With first_number
    the sheets are numbered first_number, first_number + 1, ...; otherwise the box is left for
    the lead to fill in."""
    copies = max(1, min(int(copies), MAX_COPIES))
    subtitle = _subtitle(community, period)

    def tr(key: str) -> str:
        return _e(translate(lang, key))

    optional = f"<small>{tr('paper.sheet.optional')}</small>"
    body = (
        f'<p class="how">{tr("paper.sheet.how")}</p>'
        '<div class="profile">'
        f'<div class="prow"><span class="what">{tr("paper.sheet.role")} {optional}</span>'
        f"{_ticks(instrument.profile.roles, lang)}</div>"
        f'<div class="prow"><span class="what">{tr("paper.sheet.organisation_type")} '
        f"{optional}</span>{_ticks(instrument.profile.organisation_types, lang)}</div>"
        "</div>"
        f"{_sheet_table(instrument, lang)}"
        f'<footer><span class="thanks">{tr("paper.sheet.thanks")}</span>'
        f"<span>{_credit(lang)}</span></footer>"
    )
    pages = []
    for n in range(copies):
        number = "" if first_number is None else str(first_number + n)
        pages.append(
            '<section class="sheet"><header><div>'
            f'<p class="kicker">{_e(instrument.title.get(lang))}</p>'
            f"<h1>{tr('paper.sheet.title')}</h1>"
            + (f'<p class="sub">{_e(subtitle)}</p>' if subtitle else "")
            + '</div><div class="number">'
            f"<b>{tr('paper.sheet.number')}</b>"
            f'<span class="nobox">{_e(number)}</span>{tr("paper.sheet.number_help")}'
            f"</div></header>{body}</section>"
        )
    title = translate(lang, "paper.sheet.title")
    return f"""<!DOCTYPE html>
<html lang="{_e(lang)}"><head><meta charset="utf-8">
<title>{_e(" · ".join(p for p in (title, subtitle) if p))}</title>
<style>{SHEET_CSS}</style></head>
<body>{"".join(pages)}</body></html>
"""
