"""The participant's pages: the survey behind an invitation link (form), its steps, the check
before sending, the feedback afterwards and withdrawing a response."""
