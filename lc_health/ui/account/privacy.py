"""The privacy statement (GDPR / AVG), readable by anyone, signed in or not: what is stored, who
sees what, the pseudonymous key, retention, withdrawal and erasure, purpose and contact. The
figures in it (thresholds, retention) come from the settings, so the statement stays true."""

from __future__ import annotations

import streamlit as st

from lc_health.ui.context import app, t
from lc_health.ui.widgets import md_escape

SECTIONS = ("purpose", "stored", "mail", "key", "who", "retention", "rights", "cookies", "contact")


def _body(section: str) -> str:
    settings = app().settings
    if section == "who":
        return t(
            "privacy.who_body",
            threshold=settings.anonymity_threshold,
            comment_threshold=settings.comment_threshold,
        )
    if section == "retention":
        if settings.retention_years == 0:
            return t("privacy.retention_off")
        return t("privacy.retention_years", count=settings.retention_years)
    if section == "contact":
        if settings.contact_email:
            return t("privacy.contact_email", email=md_escape(settings.contact_email))
        return t("privacy.contact_lead")
    return t(f"privacy.{section}_body")


def render() -> None:
    st.title(t("privacy.title"))
    st.markdown(t("privacy.intro"))
    for section in SECTIONS:
        st.subheader(t(f"privacy.{section}_heading"))
        st.markdown(_body(section))
