"""Password rules, idle timeout from login on, and the login lockout keyed by the forwarded client address."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import PASSWORD
from shuangsuiji.accounts import services
from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.roles import Role

pytestmark = pytest.mark.django_db


def refusal(password, username="zhangsan", full_name="张三"):
    try:
        password_validation.validate_password(password, User(username=username, full_name=full_name))
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


@pytest.mark.parametrize(
    "password, reason",
    [
        ("qwerty2026", "3类"),  # two classes (and common-looking)
        ("Ab1!x", "10"),  # too short
        ("abcdefghijk", "3类"),  # one class
        ("Zhangsan2026", "相似"),  # like the username
        ("Password123", "常见"),  # Django's common-password list (case-insensitive)
    ],
)
def test_weak_passwords_are_refused_in_chinese(password, reason):
    message = refusal(password)
    assert message is not None and reason in message, message


@pytest.mark.parametrize("password", [PASSWORD, "Demo@2026!", "Str0ng#Pass", "jian-CHA-2026x"])
def test_strong_passwords_pass(password):
    assert refusal(password) is None


def test_user_create_service_and_form_refuse_weak_password(client, admin_user_gq, orgs):
    with pytest.raises(ValidationError) as exc:
        services.user_create(user=admin_user_gq, username="weakling", password="qwerty2026", full_name="弱",
                             role=Role.INSPECTOR, organization=orgs["gaoqing"])  # fmt: skip
    assert "password" in exc.value.message_dict
    client.force_login(admin_user_gq)
    response = client.post(reverse("accounts:user_create"), {
        "username": "weakling", "full_name": "弱", "role": Role.INSPECTOR,
        "organization": orgs["gaoqing"].pk, "password": "qwerty2026",
    })  # fmt: skip
    assert response.status_code == 200 and "3类" in response.text
    assert not User.objects.filter(username="weakling").exists()


def login(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/login/" not in response["Location"]


def test_idle_clock_starts_at_login(client, inspector_gq, time_machine, settings):
    """The first request after login is measured too: idle longer than allowed right after login → logged out."""
    settings.SESSION_IDLE_SECONDS = 30 * 60
    start = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    login(client, inspector_gq)
    time_machine.move_to(start + dt.timedelta(minutes=31), tick=False)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_alive(client, inspector_gq, time_machine, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    start = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    time_machine.move_to(start, tick=False)
    login(client, inspector_gq)
    for minutes in (29, 58, 87):  # each request within 30 minutes of the previous one
        time_machine.move_to(start + dt.timedelta(minutes=minutes), tick=False)
        assert client.get(reverse("core:home")).status_code == 200


def fail_logins(client, username, forwarded, times):
    for _ in range(times):
        client.post(reverse("accounts:login"), {"username": username, "password": "wrong-Password1"},
                    HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")  # fmt: skip


def test_lockout_is_keyed_by_the_forwarded_client_behind_a_trusted_proxy(client, inspector_gq, settings):
    """Behind nginx (TRUSTED_PROXY_COUNT=1) an attacker locks only his own address, not everybody's 127.0.0.1;
    what he writes into X-Forwarded-For himself (left of nginx's entry) is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    fail_logins(client, "gq_inspector", "198.51.100.9, 203.0.113.66", settings.AXES_FAILURE_LIMIT)
    attempts = AccessAttempt.objects.filter(username="gq_inspector")
    assert list(attempts.values_list("ip_address", flat=True)) == ["203.0.113.66"]
    # the attacker is locked out ...
    locked = client.post(reverse("accounts:login"), {"username": "gq_inspector", "password": PASSWORD},
                         HTTP_X_FORWARDED_FOR="203.0.113.66", REMOTE_ADDR="127.0.0.1")  # fmt: skip
    assert locked.status_code == 429
    # ... the real user, through the same nginx, is not, even when someone spoofs his address on the left
    for forwarded in ("198.51.100.9", "203.0.113.66, 198.51.100.9"):
        other = type(client)()
        response = other.post(reverse("accounts:login"), {"username": "gq_inspector", "password": PASSWORD},
                              HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")  # fmt: skip
        assert response.status_code == 302, forwarded


def test_without_trusted_proxy_forwarded_header_is_ignored(client, inspector_gq, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    fail_logins(client, "gq_inspector", "203.0.113.66", 1)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]
