from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.urls import reverse

from instances.models import Instance
from tests.factories import InstanceFactory
from tests.refused_address import REFUSED_URL
from tests.simulator_fixture import SIMULATOR_TEST_API_KEY

pytestmark = pytest.mark.django_db


def form_data(simulator=None, **overrides) -> dict:
    data = {
        "name": "Sales line",
        "engine": "waha",
        "base_url": simulator.url if simulator else REFUSED_URL,
        "session_name": "sales",
        "api_key": SIMULATOR_TEST_API_KEY,
    }
    return {**data, **overrides}


def test_admin_adds_an_instance_and_the_key_is_encrypted_at_rest(client_for, admin):
    response = client_for(admin).post(reverse("instances:create"), form_data())
    instance = Instance.objects.get()
    assert response.status_code == 302 and response["Location"] == instance.get_absolute_url()
    assert instance.api_key == SIMULATOR_TEST_API_KEY
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key, webhook_secret FROM instances_instance")
        stored_key, stored_secret = cursor.fetchone()
    assert SIMULATOR_TEST_API_KEY not in stored_key
    assert instance.webhook_secret not in stored_secret


def test_the_key_is_never_shown_again_in_full(client_for, admin):
    instance = InstanceFactory(api_key="secret-key-ending-WXYZ")
    client = client_for(admin)
    for url in (instance.get_absolute_url(), reverse("instances:edit", args=[instance.pk])):
        page = client.get(url).content.decode()
        assert "secret-key-ending-WXYZ" not in page
    assert "•••• WXYZ" in client.get(reverse("instances:edit", args=[instance.pk])).content.decode()


def test_editing_without_a_new_key_keeps_the_old_one(client_for, admin):
    instance = InstanceFactory(api_key="keep-this-key-1234")
    response = client_for(admin).post(
        reverse("instances:edit", args=[instance.pk]), form_data(name="Renamed", api_key="")
    )
    assert response.status_code == 302
    instance.refresh_from_db()
    assert (instance.name, instance.api_key) == ("Renamed", "keep-this-key-1234")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"api_key": ""}, "The engine needs an API key or token."),
        ({"base_url": "not a url"}, "Start the address with http:// or https://"),
        ({"base_url": "http://bad host/"}, "Enter a valid URL."),
        ({"engine": "telegram"}, "Select a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_input_is_a_form_error_not_a_crash(client_for, admin, overrides, message):
    response = client_for(admin).post(reverse("instances:create"), form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Instance.objects.exists()


def test_two_instances_cannot_share_one_engine_session(client_for, admin):
    client = client_for(admin)
    client.post(reverse("instances:create"), form_data())
    response = client.post(reverse("instances:create"), form_data(name="Other"))
    assert response.status_code == 200
    assert Instance.objects.count() == 1


def test_test_connection_reports_success_against_the_simulator(client_for, admin, simulator):
    response = client_for(admin).post(
        reverse("instances:test_connection"), form_data(simulator), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Connected and authenticated" in body
    assert 'id="connection-result"' in body and "<html" not in body
    assert not Instance.objects.exists()


def field_errors(response, name: str) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


def test_test_connection_shows_a_wrong_key_under_the_key_field(client_for, admin, simulator):
    response = client_for(admin).post(
        reverse("instances:test_connection"),
        form_data(simulator, api_key="wrong-key"),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert field_errors(response, "api_key") == ["The gateway refused the API key."]
    assert not field_errors(response, "base_url")
    assert "Connection failed: see API key or token." in body
    assert body.strip().startswith('<form method="post" class="stacked" id="instance-form"')
    assert "wrong-key" not in body


def test_test_connection_shows_an_unreachable_engine_under_the_base_url(client_for, admin):
    response = client_for(admin).post(reverse("instances:test_connection"), form_data())
    assert response.status_code == 200
    assert field_errors(response, "base_url")[0].startswith("Cannot reach")
    assert not field_errors(response, "api_key")


@pytest.fixture
def failing_engine():
    """An address where every request gets a 503, as from an engine that is up but broken."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_test_connection_shows_an_engine_failure_for_the_whole_form(
    client_for, admin, failing_engine
):
    response = client_for(admin).post(
        reverse("instances:test_connection"), form_data(base_url=failing_engine)
    )
    form = response.context["form"]
    assert form.non_field_errors() and "503" in form.non_field_errors()[0]
    assert not field_errors(response, "base_url") and not field_errors(response, "api_key")


def test_test_connection_with_an_invalid_form_shows_each_error_by_its_field(client_for, admin):
    response = client_for(admin).post(
        reverse("instances:test_connection"), form_data(name="", base_url="waha.local:3000")
    )
    body = response.content.decode()
    assert field_errors(response, "name") == ["This field is required."]
    assert field_errors(response, "base_url") == [
        "Start the address with http:// or https://, as the engine is reached."
    ]
    assert "Not tested: correct the marked fields first." in body
    assert "; " not in body.split('id="connection-result"')[1]


@pytest.mark.parametrize(
    "session_name",
    ["has space", "slash/name", "dots.are.out", "x" * 55, "ümlaut"],
)
def test_waha_session_names_are_checked_on_the_form(client_for, admin, session_name):
    response = client_for(admin).post(
        reverse("instances:create"), form_data(session_name=session_name)
    )
    assert response.status_code == 200
    assert field_errors(response, "session_name") == [
        "WAHA accepts session names of at most 54 letters, digits, “_” and “-”, without spaces."
    ]
    assert not Instance.objects.exists()


def test_a_waha_session_name_of_54_allowed_characters_is_accepted(client_for, admin):
    name = "Sales_line-2" + "x" * 42
    response = client_for(admin).post(reverse("instances:create"), form_data(session_name=name))
    assert response.status_code == 302
    assert Instance.objects.get().session_name == name


@pytest.mark.parametrize("base_url", ["ftp://waha.example.com", "waha.example.com:3000"])
def test_the_base_url_needs_http_or_https_and_gets_no_scheme_added(client_for, admin, base_url):
    response = client_for(admin).post(reverse("instances:create"), form_data(base_url=base_url))
    assert response.status_code == 200
    assert "Start the address with http:// or https://" in field_errors(response, "base_url")[0]
    assert not Instance.objects.exists()


def test_a_plain_http_base_url_is_kept_as_typed(client_for, admin):
    client_for(admin).post(
        reverse("instances:create"), form_data(base_url="http://waha.example.com:3000/")
    )
    assert Instance.objects.get().base_url == "http://waha.example.com:3000"


def test_test_connection_on_a_saved_instance_uses_the_stored_key(client_for, admin, simulator):
    instance = InstanceFactory(base_url=simulator.url, api_key=SIMULATOR_TEST_API_KEY)
    response = client_for(admin).post(
        reverse("instances:test_connection_saved", args=[instance.pk]),
        form_data(simulator, name=instance.name, session_name=instance.session_name, api_key=""),
    )
    assert "Connected and authenticated" in response.content.decode()


def test_operator_may_see_but_not_add_instances(client_for, operator):
    client = client_for(operator)
    assert client.get(reverse("instances:list")).status_code == 200
    assert client.post(reverse("instances:create"), form_data()).status_code == 403
    assert not Instance.objects.exists()
