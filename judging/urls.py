from django.urls import path

from . import invitation_views, meeting, views

app_name = "judging"

urlpatterns = [
    path("jury/", views.JuryHomeView.as_view(), name="home"),
    path(
        "jury/invitations/<str:token>/",
        invitation_views.JurorInvitationView.as_view(),
        name="invitation",
    ),
    path("jury/<int:competition_id>/", views.AssignedIdeasView.as_view(), name="assigned"),
    path(
        "jury/<int:competition_id>/conflict/",
        views.DeclareAnyConflictView.as_view(),
        name="declare_any_conflict",
    ),
    path("jury/<int:competition_id>/packet/", views.JuryPacketView.as_view(), name="packet"),
    path("jury/packets/<int:document_id>/", views.JuryDocumentView.as_view(), name="document"),
    path("jury/<int:competition_id>/meeting/", meeting.MeetingView.as_view(), name="meeting"),
    path("jury/ideas/<int:idea_id>/", views.ReviewView.as_view(), name="review"),
    path(
        "jury/ideas/<int:idea_id>/conflict/",
        views.DeclareConflictView.as_view(),
        name="declare_conflict",
    ),
    path(
        "jury/ideas/<int:idea_id>/files/<int:number>/",
        views.AttachmentView.as_view(),
        name="attachment",
    ),
]
