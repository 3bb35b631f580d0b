"""Content-Security-Policy violation reports, as browsers send them.

Two shapes arrive at the one endpoint: the ``report-uri`` form (``application/csp-report``,
one ``{"csp-report": {...}}`` with hyphenated keys) and the Reporting API's ``report-to`` form
(``application/reports+json``, a list of ``{"type": "csp-violation", "body": {...}}`` with
camel-case keys, possibly beside reports of other types, which are ignored). Both become the
same ``Violation``; anything else is ``ValueError``. Every value is cut to a length fit for a
log line, since the sender is whoever cares to post.
"""

import json
from dataclasses import asdict, dataclass

CONTENT_TYPES = ("application/csp-report", "application/reports+json", "application/json")
MAX_REPORTS = 20
MAX_VALUE = 300


@dataclass(frozen=True)
class Violation:
    document: str
    directive: str
    blocked: str
    source: str
    line: str
    column: str
    disposition: str
    sample: str

    def as_log(self) -> dict[str, str]:
        return asdict(self)


# Violation field: (report-uri key, report-to key)
FIELDS = {
    "document": ("document-uri", "documentURL"),
    "directive": ("effective-directive", "effectiveDirective"),
    "blocked": ("blocked-uri", "blockedURL"),
    "source": ("source-file", "sourceFile"),
    "line": ("line-number", "lineNumber"),
    "column": ("column-number", "columnNumber"),
    "disposition": ("disposition", "disposition"),
    "sample": ("script-sample", "sample"),
}


def _text(value: object) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)[:MAX_VALUE]


def _violation(report: dict, style: int) -> Violation:
    values = {field: _text(report.get(keys[style])) for field, keys in FIELDS.items()}
    if not values["directive"]:
        # Older browsers name only the violated directive, with its sources.
        legacy = _text(report.get("violated-directive")).split(" ")[0]
        values["directive"] = legacy
    if not values["document"] or not values["directive"]:
        raise ValueError("a report names no document or no directive")
    return Violation(**values)


def parse_reports(body: bytes) -> list[Violation]:
    """The violations in a report body of either shape; ``ValueError`` when it is neither."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError("not JSON") from error
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [_violation(data["csp-report"], 0)]
    if isinstance(data, list) and data:
        violations = [
            _violation(item["body"], 1)
            for item in data[:MAX_REPORTS]
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
        if violations or all(isinstance(item, dict) and "type" in item for item in data):
            return violations
    raise ValueError("neither a csp-report nor a list of reports")
