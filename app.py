"""The server entry point: `streamlit run app.py` serves dashboard.py plus lc-health's own HTTP
routes (the sign-in cookie). Running `streamlit run dashboard.py` also works, without them."""

import streamlit as st

from lc_health.charts.core import warm_up
from lc_health.runtime.background import start_background
from lc_health.runtime.bootstrap import load_settings
from lc_health.runtime.memory import start_memory_release
from lc_health.runtime.server import check_server_start, start_mail_sender
from lc_health.runtime.web import middleware, routes

# Logging, and outside demo mode the production checks and the demo gate: an unsafe start stops
# here, with the reasons on stderr.
check_server_start()
# The round schedules, every LC_HEALTH_SCHEDULE_MINUTES, in a thread of this process.
start_background(load_settings())
# The e-mail sender: one background thread in this process (never in demo mode).
start_mail_sender()
# Freed page data goes back to the operating system every few seconds (runtime/memory.py).
start_memory_release()
# The first chart page would otherwise import Altair and load its schema for its first visitor.
warm_up()
app = st.App("dashboard.py", routes=routes(), middleware=middleware())
