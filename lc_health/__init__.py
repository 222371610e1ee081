"""lc-health: a learning-community health dashboard.

Rooms, from the bottom up (a module imports only from rooms below its own; tests/test_layers.py
checks it): `domain` (pure rules and data), `metrics` and `charts` (pure), `store` (the only
door to the database), `services` (every write with its audit record), `documents` (every file
the app produces), and on top `runtime` (settings, start-up, HTTP routes, the command) and `ui`
(pages, one folder per kind of user). The README's Development section draws the layout.
"""
