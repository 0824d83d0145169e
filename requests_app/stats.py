"""A pod's statistics: counts and median times, by month and by category.

No personal data: only categories, dates and statuses are read. The durations
are fetched in one query and the medians computed here, which works the same
on PostgreSQL and SQLite; the date range bounds how many rows that is.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from requests_app.models import Category, Feedback, Request


@dataclass
class Group:
    """The numbers for one month, one category, or the whole range."""

    label: str
    posted: int = 0
    met: int = 0
    expired: int = 0
    withdrawn: int = 0
    # Each time a need that comes back is posted again counts as one request.
    occurrences: int = 0
    to_claim: list = field(default_factory=list, repr=False)
    to_done: list = field(default_factory=list, repr=False)

    def add(self, *, status, created_at, closed_at, first_claim, in_series=False):
        self.posted += 1
        self.occurrences += bool(in_series)
        if status == Request.Status.DONE:
            self.met += 1
            if closed_at:
                self.to_done.append(closed_at - created_at)
        elif status == Request.Status.EXPIRED:
            self.expired += 1
        elif status == Request.Status.WITHDRAWN:
            self.withdrawn += 1
        if first_claim:
            self.to_claim.append(first_claim - created_at)

    @property
    def median_to_claim(self):
        return format_duration(median(self.to_claim))

    @property
    def median_to_done(self):
        return format_duration(median(self.to_done))


def median(durations):
    if not durations:
        return None
    return datetime.timedelta(seconds=statistics.median(d.total_seconds() for d in durations))


def format_duration(duration):
    if duration is None:
        return "–"
    hours = duration.total_seconds() / 3600
    if hours < 1:
        minutes = max(1, round(hours * 60))
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if hours < 48:
        whole = round(hours)
        return ngettext("%(count)d hour", "%(count)d hours", whole) % {"count": whole}
    days = round(hours / 24, 1)
    return _("%(count)s days") % {"count": f"{days:g}"}


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def default_range(today=None):
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    end = month_start(today)
    start = end
    for _step in range(11):
        start = month_start(start - datetime.timedelta(days=1))
    return start, end


@dataclass
class PodStatistics:
    start: datetime.date
    end: datetime.date
    category: str
    total: Group
    by_month: list
    by_category: list
    feedback: dict


def pod_statistics(*, pod, start, end, category=""):
    """Numbers for requests posted from the month of ``start`` to the month of ``end``."""
    start, end = month_start(start), month_start(end)
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    until = timezone.make_aware(datetime.datetime.combine(next_month(end), datetime.time.min))
    requests = Request.objects.filter(pod=pod, created_at__gte=since, created_at__lt=until)
    if category:
        requests = requests.filter(category=category)
    rows = (
        requests.annotate(first_claim=Min("claims__created_at"))
        .order_by()
        .values_list("category", "status", "created_at", "closed_at", "first_claim", "series_id")
    )

    months = {}
    day = start
    while day <= end:
        # "Jan 2026", "Ene 2026": a phone's narrow column keeps it on one line.
        months[day] = Group(label=formats.date_format(day, "M Y"))
        day = next_month(day)
    categories = {code: Group(label=str(label)) for code, label in Category.choices}
    total = Group(label=_("All"))
    for code, status, created_at, closed_at, first_claim, series_id in rows:
        values = {
            "status": status,
            "created_at": created_at,
            "closed_at": closed_at,
            "first_claim": first_claim,
            "in_series": series_id is not None,
        }
        month = month_start(timezone.localdate(created_at))
        if month in months:
            months[month].add(**values)
        if code in categories:
            categories[code].add(**values)
        total.add(**values)

    feedback = defaultdict(int)
    answers = (
        Feedback.objects.filter(
            pod=pod, request__created_at__gte=since, request__created_at__lt=until
        )
        .filter(**({"request__category": category} if category else {}))
        .values("need_met")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for answer in answers:
        feedback[answer["need_met"]] += answer["count"]
    return PodStatistics(
        start=start,
        end=end,
        category=category,
        total=total,
        by_month=list(months.values()),
        by_category=[group for group in categories.values() if group.posted],
        feedback={
            "yes": feedback["yes"],
            "partly": feedback["partly"],
            "no": feedback["no"],
            "total": sum(feedback.values()),
        },
    )
