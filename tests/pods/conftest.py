"""More of the cast for pods tests: olga coordinates the oak pod, root is a
network admin (a superuser in no pod)."""

import pytest

from pods.models import Membership
from tests.conftest import client_for
from tests.factories import make_person


@pytest.fixture
def olga(oak):
    return make_person("olga", pods=[oak], role=Membership.Role.COORDINATOR)


@pytest.fixture
def root(db):
    return make_person("root", is_superuser=True, is_staff=True)


@pytest.fixture
def olga_client(olga):
    return client_for(olga)


@pytest.fixture
def root_client(root):
    return client_for(root)
