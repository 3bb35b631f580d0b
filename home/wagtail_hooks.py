"""The site shell's admin.

The outbox, for administrators: what is waiting, what failed and why, and a way to send failed
e-mails again. Nobody edits or deletes a message here, and bodies are not shown.

The texts of the automatic e-mails, for coordinators: one per e-mail and language, with the
e-mail's placeholders listed and a preview with sample values.
"""

import django_filters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, Panel
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import audit, email_texts, page_cache
from .admin_views import AuditTrailView
from .models import EmailText, OutboxMessage, OutboxStatus
from .outbox import retry
from .permissions import COORDINATORS_GROUP, can_edit_email_texts, can_view_audit_trail


def is_administrator(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_superuser


class AdministratorsReadPolicy(ModelPermissionPolicy):
    """Administrators read the outbox; nobody adds, changes or deletes a message here."""

    def user_has_permission(self, user, action):
        return action == "view" and is_administrator(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class OutboxFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=OutboxStatus.choices)

    class Meta:
        model = OutboxMessage
        fields = []


class OutboxIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Send failed e-mails again"),
                url=reverse("outbox:retry"),
                icon_name="mail",
            )
        ]


class OutboxViewSet(ModelViewSet):
    model = OutboxMessage
    icon = "mail"
    menu_label = gettext_lazy("Outbox")
    add_to_settings_menu = True
    index_view_class = OutboxIndexView
    list_display = [
        "subject",
        "recipients",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    filterset_class = OutboxFilterSet
    inspect_view_enabled = True
    inspect_view_fields = [
        "subject",
        "recipients",
        "from_email",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "give_up_at",
        "sent_at",
    ]
    copy_view_enabled = False
    # No add or edit form is offered (the policy allows only "view"); Wagtail asks for one.
    form_fields = ["status"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("retry/", self.retry_view, name="retry")]

    def retry_view(self, request):
        """GET asks for confirmation, naming how many; POST sends them again."""
        if not is_administrator(request.user):
            raise PermissionDenied
        failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED)
        if request.method == "POST":
            count = retry(messages=failed)
            messages.success(
                request, _("%(count)d e-mail(s) will be sent again.") % {"count": count}
            )
            return redirect("outbox:index")
        context = {"count": failed.count(), "hours": settings.IDEATORI_OUTBOX_RETRY_HOURS}
        return TemplateResponse(request, "home/admin/outbox_retry.html", context)


register_permission_policy(OutboxMessage, AdministratorsReadPolicy(OutboxMessage))


@hooks.register("register_admin_viewset")
def register_outbox():
    return OutboxViewSet("outbox")


# --- the texts of the automatic e-mails, for coordinators (``home.email_texts``) -------------


class CoordinatorsPolicy(ModelPermissionPolicy):
    """Coordinators and superusers add, change and delete e-mail texts; nobody else sees them."""

    ACTIONS = frozenset({"add", "change", "delete", "view"})

    def user_has_permission(self, user, action):
        return action in self.ACTIONS and can_edit_email_texts(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if not self.ACTIONS.intersection(actions):
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(groups__name=COORDINATORS_GROUP))
            .filter(is_active=True)
            .distinct()
        )

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


class EmailPlaceholdersPanel(Panel):
    """The placeholders the chosen e-mail offers (all e-mails' before one is chosen), what
    each holds and an example."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "home/admin/email_placeholders_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            chosen = self.instance.email_kind
            every = email_texts.kinds().values()
            context["kinds"] = [
                {"label": kind.label, "placeholders": email_texts.placeholder_list(kind)}
                for kind in ([chosen] if chosen else every)
            ]
            context["chosen"] = chosen is not None
            return context


class EmailTextViewSet(SnippetViewSet):
    model = EmailText
    icon = "mail"
    menu_label = gettext_lazy("E-mail texts")
    add_to_settings_menu = True
    list_display = ["kind", "language", "subject", "updated_at"]
    list_filter = ["kind", "language"]
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("language")]),
        FieldPanel("subject"),
        FieldPanel("body"),
        EmailPlaceholdersPanel(heading=gettext_lazy("Placeholders")),
    ]


register_permission_policy(EmailText, CoordinatorsPolicy(EmailText))
register_snippet(EmailTextViewSet)


# --- the audit trail, for administrators (``home.audit``) ------------------------------------


@hooks.register("register_log_actions")
def register_audit_actions(actions) -> None:
    audit.register_actions(actions)


@hooks.register("register_admin_urls")
def register_audit_trail_urls():
    return [
        path("reports/audit-trail/", AuditTrailView.as_view(), name="audit_trail"),
        path(
            "reports/audit-trail/results/",
            AuditTrailView.as_view(results_only=True),
            name="audit_trail_results",
        ),
    ]


class AuditTrailMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_audit_trail(request.user)


@hooks.register("register_reports_menu_item")
def register_audit_trail_menu_item():
    return AuditTrailMenuItem(
        gettext_lazy("Audit trail"),
        reverse("audit_trail"),
        name="audit-trail",
        icon_name="history",
        order=1010,
    )


@hooks.register("before_serve_page")
def allow_public_page_in_cache(page, request, serve_args, serve_kwargs):
    """A page with no view restriction, served at its own address (not a sub-route such as
    a round's submit/), may be stored for anonymous visitors (``home.page_cache``). Asked only
    of a request whose answer could be stored at all."""
    if not page_cache.may_use_cache(request):
        return
    if request.path == page.get_url(request=request) and not page.get_view_restrictions().exists():
        page_cache.allow_page_cache(request)
