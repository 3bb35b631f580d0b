"""The person's own data: take it out, or erase the account."""

import tempfile

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from home.storage import StorageUnavailable, store_errors
from home.views import storage_unavailable

from . import permissions, services
from .export import write_data_zip
from .forms import ConfirmErasureForm


class DownloadDataView(LoginRequiredMixin, View):
    """A ZIP of everything that is the person's (``export.personal_data``), and their files."""

    def get(self, request):
        if not permissions.can_download_data(request.user, request.user):
            raise PermissionDenied
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        # Files can be large: the archive is spooled to disk past a few megabytes.
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        try:
            with store_errors():
                write_data_zip(request.user, spool)
        except StorageUnavailable:
            spool.close()
            return storage_unavailable(request)
        spool.seek(0)
        response = FileResponse(
            spool,
            as_attachment=True,
            filename=f"ideatori-my-data-{stamp}.zip",
            content_type="application/zip",
        )
        response["Cache-Control"] = "no-store"
        return response


class DeleteAccountView(LoginRequiredMixin, View):
    """What erasing the account does, stated before the person confirms with their password."""

    template_name = "privacy/delete_account.html"

    def render_page(self, request, form, status=200):
        plan = services.erasure_plan(request.user)
        return render(request, self.template_name, {"plan": plan, "form": form}, status=status)

    def get(self, request):
        return self.render_page(request, ConfirmErasureForm(person=request.user))

    def post(self, request):
        person = request.user
        if not permissions.can_erase_person(person, person):
            raise PermissionDenied
        form = ConfirmErasureForm(request.POST, person=person)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        try:
            services.erase_person(person=person, by=person)
        except services.ErasureRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
            return self.render_page(request, form, status=400)
        logout(request)
        messages.success(request, _("Your account and personal data have been erased."))
        return redirect("/")
