from django.urls import path

from home.page_cache import page_cacheable

from . import views
from .feeds import InnovationFeed

app_name = "ideas"

urlpatterns = [
    path("my/profile/", views.ProfileView.as_view(), name="profile"),
    path("my/ideas/", views.MyIdeasView.as_view(), name="my_ideas"),
    path("my/ideas/start/<int:competition_id>/", views.StartIdeaView.as_view(), name="start"),
    path("my/ideas/<int:pk>/", views.IdeaView.as_view(), name="idea"),
    path("my/ideas/<int:pk>/autosave/", views.AutosaveView.as_view(), name="autosave"),
    path("my/ideas/<int:pk>/status/", views.IdeaStatusView.as_view(), name="status"),
    path("my/ideas/<int:pk>/history/", views.IdeaHistoryView.as_view(), name="history"),
    path(
        "my/ideas/<int:pk>/history/<int:version>/restore/",
        views.RestoreRevisionView.as_view(),
        name="restore",
    ),
    path("my/ideas/<int:pk>/files/", views.AttachmentUploadView.as_view(), name="upload"),
    path(
        "my/ideas/<int:pk>/files/<int:attachment_pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path(
        "my/ideas/<int:pk>/files/<int:attachment_pk>/remove/",
        views.AttachmentDeleteView.as_view(),
        name="remove_attachment",
    ),
    path("my/teams/new/", views.TeamCreateView.as_view(), name="new_team"),
    path("my/teams/<int:pk>/", views.TeamView.as_view(), name="team"),
    path("my/teams/<int:pk>/edit/", views.TeamEditView.as_view(), name="edit_team"),
    path(
        "my/teams/<int:pk>/invitations/<int:invitation_pk>/resend/",
        views.InvitationResendView.as_view(),
        name="resend_invitation",
    ),
    path(
        "my/teams/<int:pk>/invitations/<int:invitation_pk>/cancel/",
        views.InvitationCancelView.as_view(),
        name="cancel_invitation",
    ),
    path(
        "my/teams/<int:pk>/members/<int:membership_pk>/",
        views.MembershipView.as_view(),
        name="membership",
    ),
    path("invitations/<str:token>/", views.InvitationView.as_view(), name="invitation"),
    path("feeds/innovations/", page_cacheable(InnovationFeed()), name="feed"),
]
