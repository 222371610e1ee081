"""The community lead's pages: the communities overview, the round review with its sections,
participation while a round is open, exports, the conversation and paper sessions."""
