"""Needs that come back: the last helper's answer to "keep helping with this"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from requests_app import services
from requests_app.models import KeepHelping


@login_required
@require_POST
def keep_helping_answer(request, pk):
    # 404 for anyone but the helper asked: nobody else learns the ask exists.
    ask = get_object_or_404(KeepHelping, pk=pk)
    if ask.helper_id != request.user.pk:
        raise Http404
    answer = request.POST.get("answer")
    if answer not in ("yes", "no"):
        messages.error(request, _("Please choose yes or no."))
        return redirect("requests_app:my_page")
    try:
        occurrence = services.keep_helping_answer(ask=ask, accept=answer == "yes")
    except services.SeriesError as error:
        messages.info(request, str(error))
        return redirect("requests_app:my_page")
    if answer == "yes" and occurrence is not None:
        messages.success(request, _("Thank you! You're helping with it again."))
        return redirect(occurrence)
    if answer == "yes":
        messages.info(request, _("Thank you. This need doesn't come back any more."))
    else:
        messages.success(
            request, _("Thanks for letting us know. It goes on the board for others.")
        )
    return redirect("requests_app:my_page")
