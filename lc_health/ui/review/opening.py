"""The opening every round-review page shares (the lead's review, the policy maker's
drill-down, the conversation): the community's data, the round choice, the round's view and
factor frames as one `ReviewContext`, and the round's headline cards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from lc_health.documents.round_export import RoundSource
from lc_health.domain.disclosure import Audience, Part, Policy, sees
from lc_health.domain.i18n import format_number
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label
from lc_health.domain.scoring import HEALTH
from lc_health.metrics import review
from lc_health.services.open_link_audit import padding_flags
from lc_health.services.round_record import round_record
from lc_health.store import open_links
from lc_health.store.dashboard import CommunityData
from lc_health.store.db import read_session
from lc_health.store.models import Community
from lc_health.ui.context import app, read_url, t
from lc_health.ui.review import data as review_data
from lc_health.ui.review.data import RoundView
from lc_health.ui.widgets import band_text, interval_text


@dataclass(frozen=True)
class ReviewContext:
    """One published round of one community as a page shows it to `audience`."""

    community: Community
    audience: Audience
    data: CommunityData
    view: RoundView
    instrument: Instrument
    factors: pd.DataFrame
    changes: pd.DataFrame
    lang: str
    threshold: int
    sees_comments: bool = False

    @property
    def round_id(self) -> int:
        return self.view.round_id

    def source(self) -> RoundSource:
        """The round as the input of its documents (documents.registry)."""
        c = self.community
        info: dict[str, Any] = {
            "id": c.id,
            "name": c.name,
            "sector": c.sector,
            "region": c.region,
            "phase": c.phase,
        }
        return RoundSource(
            community=info,
            data=self.data,
            view=self.view,
            instrument=self.instrument,
            policy=Policy.from_settings(app().settings),
            lang=self.lang,
            comments=partial(review_data.comments, app().settings.database_url, self.round_id),
            # The conversation's record goes with the actions: not into a policy maker's files.
            record=round_record(app().engine, round_id=self.round_id)
            if sees(self.audience, Part.actions)
            else None,
        )


def open_round(
    community: Community,
    audience: Audience,
    lang: str,
    *,
    sees_comments: bool = False,
    before_rounds: Callable[[], None] | None = None,
) -> ReviewContext | None:
    """The community's round chosen on the page (the latest by default), or None (with a
    notice) when no round has published answers yet. An audience that does not see actions
    (a policy maker) gets none in the data. `before_rounds` draws above the round choice."""
    assert community.id is not None
    ctx = app()
    threshold = ctx.settings.anonymity_threshold
    with st.spinner(t("common.loading")):  # shown only when loading takes over half a second
        data = review_data.community(read_url(), community.id)
    if not sees(audience, Part.actions):
        # Actions are the lead's working notes (names, plans): not part of the portfolio view.
        data = replace(data, actions=data.actions.iloc[0:0])
    if before_rounds is not None:
        before_rounds()
    rounds = review_data.answered_rounds(data)
    if rounds.empty:
        st.info(t("review.no_rounds"))
        return None
    round_id = review_data.pick_round(rounds)
    view = review_data.round_view(data, round_id)
    row = data.rounds[data.rounds["round_id"] == round_id].iloc[0]
    instrument = ctx.registry.get(row["instrument_id"], int(row["instrument_version"]))
    factors, changes = review_data.factor_frames(view, instrument, threshold)
    return ReviewContext(
        community=community,
        audience=audience,
        data=data,
        view=view,
        instrument=instrument,
        factors=factors,
        changes=changes,
        lang=lang,
        threshold=threshold,
        sees_comments=sees_comments and sees(audience, Part.comments),
    )


def padding_suspected(round_id: int, threshold: int) -> bool:
    """Whether the round's open-link submissions look like padding (open_link_audit)."""
    with read_session(app().engine) as session:
        trail = open_links.open_link_trail(session=session, round_id=round_id)
    if trail.empty:
        return False
    return bool(padding_flags(trail, threshold=threshold)["flagged"].any())


def channels_text(pub: pd.Series, threshold: int) -> str:
    """What a round's figures rest on, by channel (so responses a lead typed in are visible)."""
    text = t(
        "review.channels",
        responses=int(pub["responses"]),
        personal=int(pub["personal"]),
        open_link=int(pub["open_link"]),
        paper=int(pub["paper"]),
        imported=int(pub["imported"]),
    )
    if int(pub["open_link"]) and int(pub["counted"]) < int(pub["responses"]):
        text += " " + t("review.open_not_counted", threshold=threshold)
    return text


def _participation_cards(view: RoundView, threshold: int) -> list[Any]:
    """Responses and response rate; what they rest on. Returns the two free columns."""
    rate = review_data.response_rate(view)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("review.responses"), view.responses, border=True)
    c2.metric(
        t("review.response_rate"),
        "—" if rate is None else f"{rate:.0%}",
        help=t("review.response_rate_help"),
        border=True,
    )
    st.caption(channels_text(view.publication, threshold))
    if padding_suspected(view.round_id, threshold):
        st.warning(t("review.padding_flag"), icon=":material/flag:")
    return [c3, c4]


def headline(view: RoundView, lang: str, threshold: int) -> None:
    """The round at a glance: what the figures rest on, the response rate, the health index
    with its reading band, and its change only when the change is clear."""
    settings = app().settings
    c3, c4 = _participation_cards(view, threshold)
    now = review.health(view.scores, threshold)
    if now is None or now["suppressed"]:
        c3.metric(t("communities.col_health"), "—", border=True)
        st.info(
            t("review.health_hidden", threshold=threshold, factors=settings.health_min_factors),
            icon=":material/visibility_off:",
        )
        return
    health = review_data.changes_of(view, HEALTH)
    status = str(health["status"].iloc[0]) if len(health) else None
    clear = status in (review.IMPROVED, review.DECLINED)
    c3.metric(
        t("communities.col_health"),
        format_number(now["mean"], lang),
        # Colour and arrow only for a clear change (otherwise nothing moves on screen).
        delta=format_number(health["difference"].iloc[0], lang, signed=True) if clear else None,
        help=t("review.health_help"),
        border=True,
    )
    c4.metric(
        t("communities.col_reading"),
        t(f"band_short.{now['band']}"),  # the card stays short; the caption says if uncertain
        help=t("communities.bands_legend") + " " + t("band.uncertain_legend"),
        border=True,
    )
    _health_captions(view, now, status, lang)


def _health_captions(view: RoundView, now: pd.Series, status: str | None, lang: str) -> None:
    settings = app().settings
    st.caption(
        t("review.health_rests_on", count=int(now["n"]), factors=settings.health_min_factors)
        + " "
        + t("review.health_interval", interval=interval_text(now["ci_low"], now["ci_high"], lang))
        + (" " + band_text(now["band"], now["uncertain"]) + "." if now["uncertain"] else "")
    )
    if status is not None and view.previous_period:
        st.caption(
            t(f"review.health_{status}", period=period_label(view.previous_period))
            + " "
            + t("review.change_rule", min_change=format_number(settings.min_change, lang))
        )
