from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.factories import PASSWORD, InstanceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_run_under_the_policy_without_a_single_violation(page, live_server, sign_in):
    UserFactory(username="ada", role=Role.ADMIN)
    instance = InstanceFactory()
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in("ada", PASSWORD)
    for path in ["/", "/instances/", f"/instances/{instance.pk}/", "/accounts/team/", "/admin/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        if not path.startswith("/admin/"):
            # htmx came from the app's own static files and runs.
            assert page.evaluate("typeof htmx") == "object", path
    assert problems == []
