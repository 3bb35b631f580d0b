"""Spreadsheet cells that a spreadsheet program would run as a formula are written as text."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a formula-like string with an apostrophe, as OWASP advises for CSV and XLSX."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
