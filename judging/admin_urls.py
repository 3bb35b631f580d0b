from django.urls import path

from . import admin_views

urlpatterns = [
    path("", admin_views.rounds, name="rounds"),
    path("<int:competition_id>/", admin_views.dashboard, name="dashboard"),
    path("<int:competition_id>/assign/", admin_views.regenerate, name="regenerate"),
    path(
        "<int:competition_id>/assignments/add/", admin_views.add_assignment, name="add_assignment"
    ),
    path(
        "<int:competition_id>/assignments/<int:assignment_id>/remove/",
        admin_views.remove_assignment,
        name="remove_assignment",
    ),
    path("<int:competition_id>/conflicts/", admin_views.change_conflict, name="conflict"),
    path(
        "<int:competition_id>/export/<slug:table>/<slug:file_format>/",
        admin_views.export_file,
        name="export",
    ),
    path("<int:competition_id>/decision/", admin_views.decision, name="decision"),
    path("<int:competition_id>/results/", admin_views.results, name="results"),
]
