"""The coordinator's judging screens in the Wagtail admin, as one ViewSet with a permission
policy: the rounds, each round's dashboard (progress, ranking, assignments, conflicts,
exports), opening judging, messages to teams and jurors, the jury's decision, the results,
and the round's report with its PDF and jury packet.

Every view asks ``JudgingPolicy`` (``permissions.can_manage_judging``) before anything else;
each action asks its own predicate too (assignments only while judging runs, the decision only
between judging and the results)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from .. import permissions


class JudgingPolicy(BasePermissionPolicy):
    """Judging is the coordinators': every action on every round."""

    def user_has_permission(self, user, action) -> bool:
        return permissions.can_manage_judging(user)

    def user_has_any_permission(self, user, actions) -> bool:
        return permissions.can_manage_judging(user)


class JudgingMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return permissions.can_manage_judging(request.user)


class JudgingViewSet(ViewSet):
    name = "judging_admin"
    url_prefix = "judging"
    icon = "tasks"
    menu_label = _("Judging")
    menu_order = 250
    add_to_admin_menu = True

    def get_menu_item(self, order=None):
        return JudgingMenuItem(
            self.menu_label,
            reverse("judging_admin:rounds"),
            icon_name=self.icon,
            order=order if order is not None else self.menu_order,
        )

    def get_urlpatterns(self):
        from . import decision, messaging, report, shortlist, views

        return [
            path("", views.RoundsView.as_view(), name="rounds"),
            path("<int:competition_id>/", views.DashboardView.as_view(), name="dashboard"),
            path("<int:competition_id>/open/", views.OpenJudgingView.as_view(), name="open"),
            path("<int:competition_id>/assign/", views.RegenerateView.as_view(), name="regenerate"),
            path(
                "<int:competition_id>/assignments/add/",
                views.AddAssignmentView.as_view(),
                name="add_assignment",
            ),
            path(
                "<int:competition_id>/assignments/<int:assignment_id>/remove/",
                views.RemoveAssignmentView.as_view(),
                name="remove_assignment",
            ),
            path("<int:competition_id>/conflicts/", views.ConflictView.as_view(), name="conflict"),
            path(
                "<int:competition_id>/export/<slug:table>/<slug:file_format>/",
                views.ExportView.as_view(),
                name="export",
            ),
            path(
                "<int:competition_id>/messages/", messaging.MessagesView.as_view(), name="messages"
            ),
            path(
                "<int:competition_id>/shortlist/",
                shortlist.ShortlistView.as_view(),
                name="shortlist",
            ),
            path(
                "<int:competition_id>/decision/", decision.DecisionView.as_view(), name="decision"
            ),
            path("<int:competition_id>/results/", decision.ResultsView.as_view(), name="results"),
            path("<int:competition_id>/report/", report.ReportView.as_view(), name="report"),
            path(
                "<int:competition_id>/report/files/<int:document_id>/",
                report.DocumentView.as_view(),
                name="document",
            ),
            path(
                "<int:competition_id>/results/publish/",
                decision.PublishResultsView.as_view(),
                name="publish",
            ),
        ]


judging_viewset = JudgingViewSet()
