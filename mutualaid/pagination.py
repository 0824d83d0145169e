"""Pages of a long list without counting it.

Django's Paginator counts every row to number the pages: on a pod's board that
``COUNT`` cost as much database time as the page itself. A page here reads one
row more than it shows, which is enough to know whether there is a next one.
The template gets the attributes of Django's ``Page`` that a previous/next
pager uses (``_pager.html``).
"""

from dataclasses import dataclass

# Page numbers beyond this are refused as page 1: OFFSET grows with the number.
MAX_PAGE = 1000


@dataclass
class Window:
    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_previous or self.has_next

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def page_number(value):
    """A page number from the query string; anything else is page 1."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def window(queryset, number, size):
    """Page ``number`` (from 1) of an ordered queryset, ``size`` rows, in one query."""
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Window(object_list=rows[:size], number=number, has_next=len(rows) > size)
