"""Twenty neighbors press "I can help with this" at the same moment.

Each thread has its own database connection, so this needs a real server
(PostgreSQL); on SQLite it is skipped.
"""

import threading

import pytest
from django.db import connection

from requests_app import services
from requests_app.models import Claim, Request
from tests.factories import make_person, make_request

THREADS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_claims_make_exactly_one(maple):
    req, _token = make_request(maple)
    members = [make_person(f"neighbor{number}", pods=[maple]) for number in range(THREADS)]
    start = threading.Barrier(THREADS, timeout=30)
    won, lost, crashed = [], [], []

    def claim(member):
        try:
            own_copy = Request.objects.get(pk=req.pk)
            start.wait()
            services.claim_request(request=own_copy, by=member)
            won.append(member)
        except services.ClaimError:
            lost.append(member)
        except Exception as error:  # any other error is what this test is looking for
            crashed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert crashed == []
    assert len(won) == 1
    assert len(lost) == THREADS - 1
    claim_row = Claim.objects.get(request=req)
    assert claim_row.helper == won[0]
    assert claim_row.status == Claim.Status.ACTIVE
    req.refresh_from_db()
    assert req.status == Request.Status.CLAIMED
