from datetime import time, timedelta

import django_filters
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.coreutils import multigetattr
from wagtail.models import Site
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from home import audit, page_cache
from home.email_texts import EMAIL_KINDS_HOOK
from home.schedule import JOBS_HOOK, Job

from . import permissions, questions
from .admin_views import CopyRoundButton, CopyRoundViewSet
from .email_kinds import EMAIL_KINDS
from .export import neutralise
from .models import (
    Attachment,
    CompetitionPage,
    Idea,
    IdeaStatus,
    InnovationIndexPage,
    InnovationPage,
    Phase,
    ServiceUnit,
    Team,
)
from .models.ideas import IDEA_TEXT_FIELDS
from .notifications import (
    outcome_updates_due,
    send_deadline_reminders,
    send_outcome_reminders,
)


class CoordinatorReadOnlyPolicy(ModelPermissionPolicy):
    """Coordinators read teams and ideas in the admin; the text is the team's to write."""

    def user_has_permission(self, user, action):
        return action == "view" and permissions.is_coordinator(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class IdeaFilterSet(WagtailFilterSet):
    competition = django_filters.ModelChoiceFilter(
        label=_("Round"), queryset=CompetitionPage.objects.all()
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IdeaStatus.choices)
    service_unit = django_filters.ModelChoiceFilter(
        label=_("Service unit"),
        queryset=ServiceUnit.objects.all(),
        field_name="team__service_units",
        distinct=True,
    )
    target_group = django_filters.CharFilter(label=_("Target group"), method="filter_target_group")

    class Meta:
        model = Idea
        fields = []

    def filter_target_group(self, queryset, name, value):
        return queryset.filter(
            Q(target_group__icontains=value) | Q(target_group_tags__icontains=value)
        )


class IdeaIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("team", "competition")

    def preprocess_field_value(self, field, value, export_format):
        return neutralise(super().preprocess_field_value(field, value, export_format))

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """Every export of ideas is in the audit trail, with the filters it was made with."""
        filters = {k: v for k, v in self.request.GET.lists() if k != "export"}
        audit.record(
            action=audit.EXPORTED,
            request=self.request,
            label=str(_("Ideas")),
            data={"table": "ideas", "format": spreadsheet_format, "filters": filters},
        )
        self.add_answer_columns(queryset)
        # File questions are answered by the idea's files: their names, read in one query.
        self.file_answers = {}
        rows = Attachment.objects.filter(idea__in=queryset.order_by().values("pk")).exclude(
            question_key=""
        )
        for idea, key, name in rows.order_by("uploaded_at", "pk").values_list(
            "idea_id", "question_key", "original_name"
        ):
            self.file_answers.setdefault(idea, {}).setdefault(key, []).append(name)
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def add_answer_columns(self, queryset) -> None:
        """A column per question of each round among the exported ideas, retired ones too,
        headed in the coordinator's language (with the round's title when there are several)."""
        rounds = CompetitionPage.objects.filter(
            pk__in=queryset.order_by().values("competition").distinct()
        ).order_by("pk")
        self.answer_columns = {}
        headings = {}
        for competition in rounds:
            for question in questions.round_questions(competition, retired=True):
                column = f"answer:{question.key}"
                self.answer_columns[column] = question
                headings[column] = question.label
                if len(rounds) > 1:
                    headings[column] = f"{competition.reader_title}: {question.label}"
        self.list_export = [*self.list_export, *self.answer_columns]
        self.export_headings = {**self.export_headings, **headings}

    def to_row_dict(self, item):
        columns = getattr(self, "answer_columns", {})
        row = {}
        for field in self.list_export:
            if field in columns:
                question = columns[field]
                answers = item.answers | getattr(self, "file_answers", {}).get(item.pk, {})
                row[field] = questions.answer_text(question, answers.get(question.key))
            else:
                row[field] = multigetattr(item, field)
        return row


class IdeaInspectView(InspectView):
    """A coordinator opening an idea in full is in the audit trail; its answers to the
    round's questions follow its fields."""

    def get_fields_context(self):
        answers = questions.idea_answers(self.object, audience="coordinator")
        return super().get_fields_context() + [
            {"label": label, "value": value, "component": None} for label, value in answers
        ]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit.record(
            action=audit.IDEA_OPENED,
            request=request,
            instance=self.object,
            data={"place": "admin", "role": "coordinator", "round": self.object.competition_id},
        )
        return response


class IdeaViewSet(ModelViewSet):
    model = Idea
    icon = "doc-full"
    menu_label = _("Ideas")
    index_view_class = IdeaIndexView
    inspect_view_class = IdeaInspectView
    list_display = ["title", "team", "competition", "status", "updated_at"]
    filterset_class = IdeaFilterSet
    search_fields = ["title", "summary", "target_group", "target_group_tags"]
    search_backend_name = None
    list_export = [
        "competition",
        "team",
        "status",
        "submitted_at",
        *IDEA_TEXT_FIELDS,
        "target_group_tags",
    ]
    export_filename = "ideas"
    inspect_view_enabled = True
    inspect_view_fields = [
        "competition",
        "team",
        "status",
        "version",
        "submitted_at",
        *IDEA_TEXT_FIELDS,
        "target_group_tags",
    ]
    form_fields = IDEA_TEXT_FIELDS


class TeamViewSet(ModelViewSet):
    model = Team
    icon = "group"
    menu_label = _("Teams")
    list_display = ["name", "created_at"]
    list_filter = ["service_units"]
    search_fields = ["name"]
    search_backend_name = None
    inspect_view_enabled = True
    form_fields = ["name"]


class IdeasMenu(ModelViewSetGroup):
    menu_label = _("Competition entries")
    menu_icon = "doc-full-inverse"
    items = [IdeaViewSet, TeamViewSet]


class ServiceUnitViewSet(SnippetViewSet):
    model = ServiceUnit
    icon = "site"
    list_display = ["name", "service_area"]
    list_filter = ["service_area"]
    search_fields = [f"name_{code}" for code, _name in settings.LANGUAGES]
    panels = [
        MultiFieldPanel(
            [FieldPanel(f"name_{code}") for code, _name in settings.LANGUAGES],
            heading=_("Name in each language"),
        ),
        FieldPanel("service_area"),
    ]


register_snippet(ServiceUnitViewSet)
register_permission_policy(Idea, CoordinatorReadOnlyPolicy(Idea))
register_permission_policy(Team, CoordinatorReadOnlyPolicy(Team))


@hooks.register("register_admin_viewset")
def register_ideas_menu():
    return IdeasMenu()


class OutcomeUpdatesPanel(Component):
    """On the admin's dashboard: innovations due an outcome update (6 and 12 months)."""

    name = "outcome_updates"
    order = 150
    template_name = "ideas/admin/outcome_updates_panel.html"

    def get_context_data(self, parent_context=None):
        return {"due": outcome_updates_due()}


class WithheldFilesPanel(Component):
    """On the admin's dashboard, while any: files of blind rounds still to be judged that could
    not be cleaned of metadata, so their jurors will not receive them."""

    name = "withheld_files"
    order = 140
    template_name = "ideas/admin/withheld_files_panel.html"

    def __init__(self):
        rounds = CompetitionPage.objects.in_phase(
            Phase.UPCOMING, Phase.OPEN, Phase.JUDGING, at=timezone.now()
        )
        self.files = list(
            Attachment.objects.withheld_from_jurors()
            .filter(idea__competition__in=rounds)
            .exclude(idea__status=IdeaStatus.WITHDRAWN)
            .select_related("idea__team")
            .order_by("idea__title", "pk")
        )

    def render_html(self, parent_context=None):
        return super().render_html(parent_context) if self.files else ""

    def get_context_data(self, parent_context=None):
        return {"files": self.files}


@hooks.register("construct_homepage_panels")
def add_outcome_updates_panel(request, panels) -> None:
    if permissions.is_coordinator(request.user):
        panels.append(WithheldFilesPanel())
        panels.append(OutcomeUpdatesPanel())


@hooks.register(JOBS_HOOK)
def scheduled_jobs():
    """Reminders go by themselves: teams with a draft two days before the deadline (checked
    every hour), coordinators about outcome updates due (every morning)."""
    return [
        Job(
            "deadline_reminders",
            lambda now: send_deadline_reminders(now=now),
            every=timedelta(hours=1),
        ),
        Job(
            "outcome_reminders",
            lambda now: send_outcome_reminders(now=now),
            daily_at=time(8, 0),
        ),
    ]


# --- next year's round: copying a round ---------------------------------------------------------


@hooks.register("register_log_actions")
def register_round_copied(actions) -> None:
    actions.register_action(
        "ideatori.round_copied",
        _("Copy the round for next year"),
        _("Copied as next year's round"),
    )


@hooks.register("register_admin_viewset")
def register_copy_round():
    return CopyRoundViewSet()


@hooks.register("register_page_header_buttons")
def copy_round_header_button(page, user, view_name, next_url=None):
    yield CopyRoundButton(page=page)


@hooks.register("register_page_listing_more_buttons")
def copy_round_listing_button(page, user, next_url=None):
    yield CopyRoundButton(page=page)


@hooks.register(EMAIL_KINDS_HOOK)
def email_kinds():
    """The team's and coordinators' e-mails whose text coordinators may write."""
    return EMAIL_KINDS


@hooks.register("page_cache_urls_showing")
def showcase_feed_and_home_pages(page) -> list[str]:
    """A round or an innovation is also shown by the showcase, the feed and the home page,
    in every language (``home.page_cache.urls_showing``)."""
    if not isinstance(page, CompetitionPage | InnovationPage):
        return []
    root = Site.objects.get(is_default_site=True).root_url
    urls = [showcase.get_full_url() for showcase in InnovationIndexPage.objects.live()]
    urls += [home.get_full_url() for home in page_cache.home_pages()]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            urls.append(root + reverse("ideas:feed"))
    return urls
