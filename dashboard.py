"""lc-health: the page router. Builds the navigation for whoever is signed in, runs the page."""

import streamlit as st

from lc_health.ui.navigation import build_navigation

st.set_page_config(page_title="lc-health", page_icon="🌱", layout="wide")
build_navigation().run()
