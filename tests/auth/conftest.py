"""The panel's logged-in browser, for the session tests."""

from tests.admin.conftest import panel  # noqa: F401 (fixture)
