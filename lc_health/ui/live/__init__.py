"""The live session: the lead's page with the projector view, and the phone's page."""
