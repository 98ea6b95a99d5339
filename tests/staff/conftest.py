"""The panel's logged-in browser, shared with the panel tests."""

from tests.admin.conftest import panel  # noqa: F401 (fixture)
