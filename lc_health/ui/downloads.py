"""Download buttons for entries of the export registry (documents.registry): the page gives the
source and the audience, the registry says the formats, file names and labels and builds the
file when the button is pressed, through services.exports, which puts it in the audit log. The
file's link expires within seconds (runtime.media)."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal, TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lc_health.documents.registry import FORMATS, Export
from lc_health.domain.disclosure import Audience
from lc_health.runtime.media import expire_downloads
from lc_health.services.exports import hand_out
from lc_health.ui.context import app, t
from lc_health.ui.session import current_viewer

S = TypeVar("S")


def _actor() -> str:
    viewer = current_viewer()
    return viewer.email if viewer else "anonymous"


def download_button(
    where: DeltaGenerator,
    export: Export[S],
    source: S,
    audience: Audience,
    fmt: str,
    *,
    primary: bool = False,
    width: Literal["content", "stretch"] = "content",
    icon: str | None = None,
    actor: str | None = None,
) -> None:
    """One format of one export, built (and audited as `actor`, by default the signed-in
    viewer) only when pressed."""
    options: dict[str, Any] = {"type": "primary"} if primary else {}
    expire_downloads()
    make = partial(
        hand_out,
        engine=app().engine,
        make=partial(export.make, source, audience, fmt),
        actor=actor or _actor(),
        export=export.name,
        fmt=fmt,
        scope=export.scope(source),
        audience=audience.value,
    )
    where.download_button(
        t(export.label(fmt)),
        data=make,
        file_name=export.file_name(source, fmt),
        mime=FORMATS[fmt].mime,
        icon=icon or FORMATS[fmt].icon,
        on_click="ignore",
        width=width,
        **options,
    )


def download_buttons(
    export: Export[S], source: S, audience: Audience, *, primary: str | None = None
) -> None:
    """Every format of an export side by side (`primary`: the format to stress), and the
    export's help line under them."""
    if not export.allows(audience):
        return
    columns = st.columns(len(export.formats))
    actor = _actor()
    for where, fmt in zip(columns, export.formats, strict=True):
        download_button(where, export, source, audience, fmt, primary=fmt == primary, actor=actor)
    if export.help:
        st.caption(t(export.help))
