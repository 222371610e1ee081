"""Every write a person or the CLI makes, each with its audit record, in one transaction.

A service function takes the caller's session (from `db.write_session`), the actor (an account's
email on a page, `lc-health <command>` on the command line) and keyword-only arguments. It checks
its input (raising `errors.Invalid` before anything is written), makes the change through the
store and records the audit event in the same session, so the event is kept exactly when the
change is. Pages and the `lc-health` command call these functions; neither writes directly.
"""
