"""Invitation links as files: a CSV for mail merges and a printable sheet with QR codes."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import segno

from lc_health.documents.spreadsheet import table_csv

QR_SCALE = 4
CARDS_PER_PAGE = 8  # 2 x 4 on A4


@dataclass(frozen=True)
class LinkCard:
    url: str
    label: str = ""
    # The link's number, as the administration page shows it (#12); None when not known.
    number: int | None = None


def links_frame(links: Sequence[LinkCard], *, community: str, period: str = "") -> pd.DataFrame:
    """One row per link: link (its number on the administration page), community, round (open
    links), label, url."""
    return pd.DataFrame(
        {
            "link": pd.array([link.number for link in links], dtype="Int64"),
            "community": [community] * len(links),
            "round": [period] * len(links),
            "label": [link.label for link in links],
            "url": [link.url for link in links],
        }
    )


def links_csv(links: Sequence[LinkCard], *, community: str, period: str = "") -> bytes:
    """links_frame as CSV (UTF-8 with BOM for Excel; text made inert by documents.spreadsheet)."""
    return table_csv(links_frame(links, community=community, period=period))


def qr_sheet_html(links: Sequence[LinkCard], *, title: str, instruction: str, lang: str) -> str:
    """A self-contained, print-ready HTML page: one card per link with its QR code."""
    cards = []
    for link in links:
        svg = segno.make(link.url, error="m").svg_inline(scale=QR_SCALE, dark="#1D2B2A")
        cards.append(
            '<div class="card">'
            f'<div class="qr">{svg}</div>'
            f'<p class="instruction">{html.escape(instruction)}</p>'
            f'<p class="url">{html.escape(link.url)}</p>'
            + (f'<p class="number">#{link.number}</p>' if link.number is not None else "")
            + (f'<p class="label">{html.escape(link.label)}</p>' if link.label else "")
            + "</div>"
        )
    return f"""<!DOCTYPE html>
<html lang="{html.escape(lang)}"><head><meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
@page {{ size: A4; margin: 12mm; }}
body {{ font-family: "Source Sans Pro", Arial, sans-serif; color: #1D2B2A; margin: 0; }}
h1 {{ font-size: 16pt; margin: 0 0 6mm; }}
.grid {{ display: grid; grid-template-columns: 1fr 1fr; gap: 6mm; }}
.card {{ border: 1px dashed #8A9896; border-radius: 3mm; padding: 5mm; text-align: center;
         break-inside: avoid; page-break-inside: avoid; }}
.card:nth-child({CARDS_PER_PAGE}n) {{ break-after: page; }}
.qr svg {{ width: 38mm; height: 38mm; }}
.instruction {{ font-size: 11pt; margin: 2mm 0; }}
.url {{ font-size: 7pt; word-break: break-all; color: #3E4C4A; margin: 0; }}
.label {{ font-size: 9pt; color: #3E4C4A; margin: 1mm 0 0; }}
.number {{ font-size: 7pt; color: #3E4C4A; margin: 1mm 0 0; }}
</style></head>
<body><h1>{html.escape(title)}</h1><div class="grid">{"".join(cards)}</div></body></html>
"""
