"""Pages for everyone: signing in, one's own account, about lc-health and the privacy statement."""
