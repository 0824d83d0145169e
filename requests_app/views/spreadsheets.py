"""Spreadsheets in and out, and the plain-text list of needs.

Export: public fields at once; with contact details only after a second
person's approval, once, and then every exported request's contact details are
logged as seen. Import: upload,
map the columns, read the dry run, then import all rows or none.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from mutualaid.sites import site_url
from pods.access import get_pod_for_coordinator
from requests_app import spreadsheets
from requests_app.forms import ExportForm, ImportMappingForm, ImportUploadForm
from requests_app.models import ContactExport, CsvImport, Request
from requests_app.models.exports import APPROVAL_WINDOW
from requests_app.services import (
    ExportError,
    approve_contact_export,
    ask_contact_export,
    decline_contact_export,
    import_requests,
    take_contact_export,
)

NEEDS_LIMIT = 200


@login_required
def needs_text(request, slug):
    """The pod's open requests, one short line each, to paste into a group chat."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    requests = (
        Request.objects.on_board()
        .filter(pod=pod)
        .only("pk", "category", "summary", "area", "needed_by")
        .oldest_first()[: NEEDS_LIMIT + 1]
    )
    lines = []
    for req in requests[:NEEDS_LIMIT]:
        parts = [f"[{req.get_category_display()}] {req.summary}"]
        if req.area:
            parts.append(req.area)
        if req.needed_by:
            parts.append(_("by %(date)s") % {"date": req.needed_by.strftime("%Y-%m-%d")})
        parts.append(site_url(req.get_absolute_url(), request=request))
        lines.append("- " + " · ".join(parts))
    return render(
        request,
        "pods/needs_text.html",
        {
            "pod": pod,
            "text": "\n".join(lines),
            "count": len(lines),
            "more": len(requests) > NEEDS_LIMIT,
        },
    )


@sensitive_variables()
@login_required
@never_cache
def export(request, slug):
    """GET: choose what to export, and one's contact exports. POST: the public CSV,
    streamed row by row; with contact details, a request for a second person's
    approval (requests_app/models/exports.py)."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    form = ExportForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _export_page(request, pod, form)
    statuses = form.cleaned_data["statuses"]
    if form.cleaned_data["include_contacts"]:
        _export, created = ask_contact_export(pod=pod, person=request.user, statuses=statuses)
        if created:
            messages.success(
                request,
                _(
                    "A file with contact details needs a second person's approval. We asked "
                    "your pod's other coordinators; you'll hear when one of them approves, "
                    "and then you have an hour to download it, once."
                ),
            )
        else:
            messages.info(request, _("You already asked for this export; it is waiting."))
        return redirect("pods:export", slug=pod.slug)
    requests = spreadsheets.export_queryset(pod=pod, statuses=statuses, include_contacts=False)
    return _csv_response(pod, requests, include_contacts=False)


def _export_page(request, pod, form):
    now = timezone.now()
    mine = list(
        ContactExport.objects.filter(
            pod=pod,
            requested_by=request.user,
            created_at__gt=now - APPROVAL_WINDOW,
        )
        .select_related("approved_by")
        .order_by("-created_at")[:10]
    )
    for item in mine:
        item.current_state = item.state(now=now)
    return render(request, "pods/export.html", {"pod": pod, "form": form, "exports": mine})


@sensitive_variables()
@login_required
@require_POST
def export_download(request, slug, pk):
    """The approved contact export, for the coordinator who asked, once, within an hour."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    export = get_object_or_404(ContactExport, pk=pk, pod=pod, requested_by=request.user)
    try:
        requests = take_contact_export(export=export, person=request.user)
    except ExportError as error:
        messages.error(request, str(error))
        return redirect("pods:export", slug=pod.slug)
    return _csv_response(pod, requests, include_contacts=True)


def _approvable(request, slug, pk):
    """The export, if this person may approve it; 404 for anyone else."""
    export = get_object_or_404(
        ContactExport.objects.select_related("pod", "requested_by"), pk=pk, pod__slug=slug
    )
    if not export.may_be_approved_by(request.user):
        raise Http404
    return export


@login_required
@never_cache
def export_approvals(request):
    """Contact exports waiting for this person's approval, in every pod."""
    waiting = (
        ContactExport.objects.awaiting(request.user)
        .select_related("pod", "requested_by")
        .order_by("created_at")[:50]
    )
    return render(request, "pods/export_approvals.html", {"exports": waiting})


@login_required
@require_POST
def export_approve(request, slug, pk):
    export = _approvable(request, slug, pk)
    try:
        approve_contact_export(export=export, person=request.user)
    except ExportError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Approved. %(name)s can download the file once, within the hour.")
            % {"name": export.requested_by.display_name if export.requested_by else _("They")},
        )
    return redirect("pods:export_approvals")


@login_required
@require_POST
def export_decline(request, slug, pk):
    export = _approvable(request, slug, pk)
    try:
        decline_contact_export(export=export, person=request.user)
    except ExportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Declined. No file with contact details will be made."))
    return redirect("pods:export_approvals")


def _csv_response(pod, requests, *, include_contacts):
    rows = spreadsheets.export_rows(requests, include_contacts=include_contacts)
    response = StreamingHttpResponse(
        spreadsheets.stream_csv(rows), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    kind = "contacts" if include_contacts else "public"
    response["Content-Disposition"] = (
        f'attachment; filename="{pod.slug}-requests-{kind}-{stamp}.csv"'
    )
    response["Cache-Control"] = "no-store, private"
    return response


def _purge_stale_imports():
    """Uploads wait at most a day: they may hold contact details."""
    cutoff = timezone.now() - datetime.timedelta(hours=CsvImport.MAX_AGE_HOURS)
    CsvImport.objects.filter(created_at__lt=cutoff).delete()


@sensitive_variables()
@login_required
def import_upload(request, slug):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                text = spreadsheets.read_upload(uploaded)
                spreadsheets.parse_csv(text)
            except spreadsheets.CsvFileError as error:
                form.add_error("file", str(error))
            else:
                _purge_stale_imports()
                upload = CsvImport.objects.create(
                    pod=pod, uploaded_by=request.user, filename=uploaded.name[:200], content=text
                )
                return redirect("pods:import_map", slug=pod.slug, pk=upload.pk)
        # A file we cannot read is a bad request, not a server error.
        status = 400
    return render(request, "pods/import_upload.html", {"pod": pod, "form": form}, status=status)


def _load_upload(request, slug, pk):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    upload = get_object_or_404(CsvImport, pod=pod, pk=pk)
    header, rows = spreadsheets.parse_csv(upload.content)
    return pod, upload, header, rows


@sensitive_variables()
@login_required
@never_cache
def import_map(request, slug, pk):
    """Which column holds which field; guessed from the column names."""
    pod, upload, header, rows = _load_upload(request, slug, pk)
    initial = upload.mapping.get("form") or spreadsheets.guess_mapping(header)
    form = ImportMappingForm(
        request.POST or None, initial=initial, header=header, targets=spreadsheets.TARGETS
    )
    if request.method == "POST" and form.is_valid():
        # The choices themselves too, so going back to this page shows them again.
        upload.mapping = {**form.mapping(), "form": dict(form.cleaned_data)}
        upload.save(update_fields=["mapping"])
        return redirect("pods:import_review", slug=pod.slug, pk=upload.pk)
    return render(
        request,
        "pods/import_map.html",
        {
            "pod": pod,
            "upload": upload,
            "form": form,
            "row_count": len(rows),
            "sample": rows[:3],
            "header": header,
        },
    )


@sensitive_variables()
@login_required
@never_cache
def import_review(request, slug, pk):
    """The dry run: every row, what it will create or why it can't."""
    pod, upload, _header, rows = _load_upload(request, slug, pk)
    if "columns" not in upload.mapping:
        return redirect("pods:import_map", slug=pod.slug, pk=upload.pk)
    dry_run = spreadsheets.check_rows(rows, upload.mapping)
    return render(
        request, "pods/import_review.html", {"pod": pod, "upload": upload, "dry_run": dry_run}
    )


@sensitive_variables()
@login_required
@require_POST
def import_confirm(request, slug, pk):
    pod, upload, _header, rows = _load_upload(request, slug, pk)
    if "columns" not in upload.mapping:
        return redirect("pods:import_map", slug=pod.slug, pk=upload.pk)
    dry_run = spreadsheets.check_rows(rows, upload.mapping)
    if dry_run.invalid:
        messages.error(
            request, _("Nothing was imported: please fix the rows below and upload again.")
        )
        return redirect("pods:import_review", slug=pod.slug, pk=upload.pk)
    created = import_requests(pod=pod, rows=[(row.public, row.contact) for row in dry_run.rows])
    upload.delete()
    messages.success(request, _("Imported %(count)d requests.") % {"count": len(created)})
    return redirect("pods:dashboard", slug=pod.slug)


@login_required
@require_POST
def import_cancel(request, slug, pk):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    CsvImport.objects.filter(pod=pod, pk=pk).delete()
    messages.info(request, _("The upload is deleted. Nothing was imported."))
    return redirect("pods:import", slug=pod.slug)
