"""The shell around the app: settings (config), start-up and the one application context per
process (bootstrap), production checks, the HTTP routes next to Streamlit (web) and the
`lc-health` command (cli). Nothing below imports from here (tests/test_layers.py).
"""
