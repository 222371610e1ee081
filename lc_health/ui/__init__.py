"""The pages, layout only: one folder per kind of user (survey, review, portfolio, admin,
account) and what they share (context, navigation, guard, widgets, forms, downloads, writes).
Pages read through store and services, write through services, draw what metrics and charts
compute and offer what documents build."""
