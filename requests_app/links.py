"""The one place a requester's private link is built: shown on screen, mailed,
read out by the hotline, texted."""

from django.urls import reverse

from mutualaid.sites import site_url
from requests_app.models import canonical_token


def private_path(token):
    """The short form a person can copy by hand, /ABCDE-FGHJK-MNPQR-STUVW; a link
    given out before short links keeps its own /r/<token>/ until it is renewed."""
    canonical = canonical_token(token)
    if canonical is None:
        return reverse("requests_app:private_status", args=[token])
    return reverse("requests_app:private_link", args=[canonical])


def private_url(token, *, request=None):
    return site_url(private_path(token), request=request)
