"""Moved to lc_health.store.backup (backups work on the database, so they live in the store).
This name stays only until `lc-health backup`/`restore` in cli.py import from the store."""

from lc_health.store.backup import BackupError as BackupError
from lc_health.store.backup import backup as backup
from lc_health.store.backup import restore as restore
