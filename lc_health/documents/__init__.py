"""Every file the app produces: round exports (JSON, CSV, Excel, HTML), the A3 poster and A4
scoring sheets, invitation-link CSVs and QR sheets, the import template, and the rule that text
bound for a spreadsheet never becomes a formula. Builders take data and return bytes or text;
they read the database only through services and store functions.
"""
