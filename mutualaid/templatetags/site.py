"""``{% site_header %}`` and ``{% site_footer %}``: base.html's frame, rendered once.

The header and footer are the same for everyone who reads a page in one
language and is signed in (or not), except for two values: the log-out form's
CSRF token and the current path that the language switch returns to. Rendering
them with their tags (eight URLs, a dozen translations, the language list) was
0.55 of the 1.37 ms of app CPU that the signed-in agreements page costs
(/work/prof/prof.py on issue 18), on every page. So each is rendered once per
process for each language and sign-in state, with a placeholder where those
two values go, and the page's own values are put in when it is shown.

Only when templates are cached (DEBUG off): in development an edited template
shows at once.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Placeholders, not secrets: plain letters, so escaping leaves them as they are,
# and words no translation or URL of ours contains.
CSRF_TOKEN_HOLE = "siteframecsrftokenhole"  # noqa: S105  # nosec B105
PATH_HOLE = "siteframecurrentpathhole"

_rendered: dict[tuple[str, str, str, bool], str] = {}


@receiver(setting_changed)
def _forget_rendered(**kwargs):
    # A changed setting (languages, URLs, in tests) may change the frame.
    _rendered.clear()


def _frame(name, *, signed_in):
    # The script prefix is in the key because every URL in the frame starts with it.
    key = (name, get_language(), get_script_prefix(), signed_in)
    html = _rendered.get(key)
    if html is None:
        html = render_to_string(
            name,
            {"signed_in": signed_in, "csrf_token": CSRF_TOKEN_HOLE, "current_path": PATH_HOLE},
        ).strip()
        if not settings.DEBUG:
            _rendered[key] = html
    return html


@register.simple_tag(takes_context=True)
def site_header(context):
    user = context.get("user")
    signed_in = bool(user and user.is_authenticated)
    html = _frame("_site_header.html", signed_in=signed_in)
    if signed_in:
        # Read only for someone signed in: reading the token sets the CSRF
        # cookie, and a visitor's page must stay free of cookies to be cached.
        html = html.replace(CSRF_TOKEN_HOLE, escape(context.get("csrf_token", "")))
    # Safe: our own template's output, and the one value put in is escaped.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


@register.simple_tag(takes_context=True)
def site_footer(context):
    request = context.get("request")
    path = request.get_full_path() if request is not None else ""
    html = _frame("_site_footer.html", signed_in=False)
    # Safe, as above.
    return mark_safe(html.replace(PATH_HOLE, escape(path)))  # noqa: S308  # nosec B308 B703
