"""Pure domain code: the instrument and its versions, scoring, periods, the disclosure policy,
what comes in from outside (schemas), problems with input (errors), texts in two languages
(i18n, messages/), the survey's steps, the demo portfolio as data and the enums tables share.

Nothing here touches the database, Streamlit or the file system beyond reading its own data
files; everything else in lc_health may import it.
"""
