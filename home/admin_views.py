"""The audit trail in the admin, for administrators: Wagtail's site history of every log model,
with the address each entry was made from, its filters (action, user, date, name, object type
and address) and its CSV and XLSX export. It has no add, edit or delete view, and nor has
anything else in the project for log entries.
"""

import datetime

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
    get_users_for_filter,
)
from wagtail.coreutils import get_content_type_label

from . import audit
from .models import AuditEntry
from .permissions import can_view_audit_trail
from .spreadsheets import neutralise


class AuditTrailFilterSet(SiteHistoryReportFilterSet):
    address = django_filters.CharFilter(label=_("Address"), method="filter_address")

    def get_users_queryset(self):
        # Wagtail's report offers the users of page log entries only; here those of every
        # log model the reader may see.
        return get_users_for_filter(self.request.user)

    def filter_address(self, queryset, name, value):
        # Only audit entries carry an address; Wagtail's other log entries have none.
        if queryset.model is not AuditEntry:
            return queryset.none()
        return queryset.filter(address__startswith=value.strip())


class AuditTrailView(LogEntriesView):
    page_title = _("Audit trail")
    header_icon = "history"
    results_template_name = "home/admin/audit_trail_results.html"
    filterset_class = AuditTrailFilterSet
    index_url_name = "audit_trail"
    index_results_url_name = "audit_trail_results"
    export_headings = {
        "timestamp": _("Date/Time"),
        "user_display_name": _("User"),
        "address": _("Address"),
        "action": _("Action type"),
        "message": _("What"),
        "content_type": _("Type"),
        "object_id": _("ID"),
        "label": _("Name"),
    }
    list_export = list(export_headings)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # "Unknown content type" for an entry about no object is a lazy string, which a
        # spreadsheet cell does not take.
        label = {fmt: lambda ct: force_str(get_content_type_label(ct)) for fmt in self.FORMATS}
        self.custom_field_preprocess["content_type"] = label

    def dispatch(self, request, *args, **kwargs):
        if not can_view_audit_trail(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"audit-trail-{datetime.date.today().isoformat()}"

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """An export of the trail is itself in the trail."""
        filters = {k: v for k, v in self.request.GET.lists() if k != "export"}
        audit.record(
            action=audit.EXPORTED,
            request=self.request,
            label=str(self.page_title),
            data={"table": "audit", "format": spreadsheet_format, "filters": filters},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def decorate_paginated_queryset(self, queryset):
        entries = super().decorate_paginated_queryset(queryset)
        for entry in entries:
            if not isinstance(entry, AuditEntry):
                entry.address = None
        return entries

    def preprocess_field_value(self, field, value, export_format):
        # Names and attempted logins are typed by people: none may run as a formula.
        return neutralise(super().preprocess_field_value(field, value, export_format))
