from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("my/data/", views.DownloadDataView.as_view(), name="download"),
    path("my/account/delete/", views.DeleteAccountView.as_view(), name="delete_account"),
]
