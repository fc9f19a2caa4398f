"""Shared fixtures, registered once (Saleor's pytest_plugins). Each app keeps its own module."""

pytest_plugins = [
    "thuvien.core.tests.fixtures",
    "thuvien.catalog.tests.fixtures",
    "thuvien.search.tests.fixtures",
    "thuvien.patrons.tests.fixtures",
    "thuvien.circulation.tests.fixtures",
    "thuvien.protocols.tests.fixtures",
    "thuvien.digital.tests.fixtures",
    "thuvien.digital.tests.s3server",
    "thuvien.digitisation.tests.fixtures",
    "thuvien.protocols.sip2.tests.fixtures",
    "thuvien.portal.tests.fixtures",
]
