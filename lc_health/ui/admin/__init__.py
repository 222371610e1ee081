"""The administrator's pages: communities, organisations, rounds, invitations, accounts,
imports, the audit log and privacy requests."""
