from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from instances.management.commands import setup_demo
from instances.models import Instance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _credentials_file(tmp_path, monkeypatch):
    monkeypatch.setattr(setup_demo, "CREDENTIALS_FILE", tmp_path / "demo-login")


def _demo_password() -> str:
    return setup_demo.CREDENTIALS_FILE.read_text().strip()


def test_demo_instance_follows_the_simulator_port_of_the_latest_run():
    call_command("setup_demo", "--port", "8000", "--simulator-port", "3000")
    call_command("setup_demo", "--port", "8211", "--simulator-port", "3211")

    assert Instance.objects.get(name=setup_demo.DEMO_INSTANCE).base_url == "http://127.0.0.1:3211"


def test_second_run_prints_the_same_login(capsys):
    call_command("setup_demo")
    first = _demo_password()
    call_command("setup_demo")

    assert _demo_password() == first
    assert repr(first) in capsys.readouterr().out


def test_a_login_file_left_by_another_database_is_replaced_by_one_that_works():
    call_command("setup_demo")
    setup_demo.CREDENTIALS_FILE.write_text("from-another-database\n")
    call_command("setup_demo")

    admin = get_user_model().objects.get(username=setup_demo.DEMO_USERNAME)
    assert _demo_password() != "from-another-database"
    assert admin.check_password(_demo_password())
