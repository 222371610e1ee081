"""The survey tests' world (a community with an open round and links of every kind) for every
test module in this folder."""

from tests.ui.survey.test_survey import world  # noqa: F401  (a fixture)
