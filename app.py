"""The server entry point: `streamlit run app.py` serves dashboard.py plus lc-health's own HTTP
routes (the sign-in cookie). Running `streamlit run dashboard.py` also works, without them."""

import streamlit as st

from lc_health.web import routes

app = st.App("dashboard.py", routes=routes())
