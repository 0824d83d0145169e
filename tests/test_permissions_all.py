"""Every URL in the project is in some app's permission matrix, so a new view cannot go
untested for who may see it.

Each app's tests/<app>/test_permissions.py tries its URLs × every role and exports the
names it covers as COVERED_URL_NAMES ("namespace:name", or just "name" at the root).
This module walks the whole URLconf and fails on any named URL none of them covers.
"""

import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

TESTS = Path(__file__).resolve().parent

# The matrices every app must have; more are picked up wherever they are.
REQUIRED_MATRICES = [
    "tests.mutualaid.test_permissions",
    "tests.pods.test_permissions",
    "tests.requests_app.test_permissions",
]

# Left out, with the reason:
# - "admin": Django's admin lets in only staff, by Django's own checks; what it shows
#   them is tested in tests/mutualaid/test_admin_masking.py.
SKIPPED_NAMESPACES = {"admin"}


def project_url_names(resolver=None, prefix=""):
    """(qualified name or None, route) of every URL pattern, namespaces included."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            if namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{prefix}{namespace}:" if namespace else prefix
            yield from project_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{prefix}{pattern.name}" if pattern.name else None
            yield name, str(pattern.pattern)


def matrix_modules():
    found = {
        ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        for path in TESTS.rglob("test_permissions.py")
    }
    return sorted(found | set(REQUIRED_MATRICES))


def covered_url_names():
    covered = set()
    for module_name in matrix_modules():
        module = importlib.import_module(module_name)
        covered |= set(module.COVERED_URL_NAMES)
    return covered


def test_every_app_has_a_matrix_that_says_what_it_covers():
    for module_name in REQUIRED_MATRICES:
        module = importlib.import_module(module_name)
        assert module.COVERED_URL_NAMES, module_name


def test_every_url_pattern_has_a_name():
    unnamed = [route for name, route in project_url_names() if name is None]
    assert unnamed == []


def test_every_url_in_the_project_is_in_a_permission_matrix():
    names = {name for name, _route in project_url_names() if name}
    missing = sorted(names - covered_url_names())
    assert missing == [], f"URLs in no permission matrix: {missing}"


def test_matrices_cover_only_urls_that_exist():
    names = {name for name, _route in project_url_names() if name}
    assert sorted(covered_url_names() - names) == []
