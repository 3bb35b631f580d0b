"""Spreadsheet cells are neutralised by the site shell's rule (``home.spreadsheets``), which the
audit trail's export shares."""

from home.spreadsheets import FORMULA_STARTS, neutralise

__all__ = ["FORMULA_STARTS", "neutralise"]
