"""The log-in lock-out through the real login page: whose address counts (with and without a
reverse proxy in front), and the username locked on its own after failures from many addresses."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_password_hashes(settings):
    """Argon2 takes about a second a log-in on a busy machine and these tests log in twenty times;
    the lock-out does not depend on the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def post_login(client, username: str, password: str, remote_addr: str = "192.0.2.10", forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def locked(response) -> bool:
    return response.status_code == 429 and b"Too many failed log-ins" in response.content


# Without a proxy (TRUSTED_PROXY_COUNT = 0): X-Forwarded-For is the client's own invention.

def test_without_a_proxy_a_new_forwarded_header_does_not_lift_the_lock(client, receptionist):
    for _ in range(5):
        post_login(client, receptionist.username, "wrong", forwarded="203.0.113.7")
    assert locked(post_login(client, receptionist.username, PASSWORD, forwarded="198.51.100.99"))


def test_without_a_proxy_rotating_the_forwarded_header_still_locks(client, receptionist):
    for n in range(5):
        post_login(client, receptionist.username, "wrong", forwarded=f"203.0.113.{n + 1}")
    assert AccessAttempt.objects.get().ip_address == "192.0.2.10"
    assert locked(post_login(client, receptionist.username, PASSWORD, forwarded="203.0.113.200"))


def test_without_a_proxy_another_address_can_still_log_in(client, receptionist):
    for _ in range(5):
        post_login(client, receptionist.username, "wrong", remote_addr="192.0.2.10")
    assert logged_in(post_login(client, receptionist.username, PASSWORD, remote_addr="192.0.2.20"))


# Behind one proxy: the proxy appends the address it saw, the rightmost entry.

def test_behind_a_proxy_the_lock_follows_the_address_the_proxy_saw(client, receptionist, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        # A client-written entry on the left changes every time; the proxy's entry does not.
        post_login(client, receptionist.username, "wrong", remote_addr="10.0.0.1",
                   forwarded=f"198.51.100.{n + 1}, 203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    assert locked(post_login(client, receptionist.username, PASSWORD, remote_addr="10.0.0.1",
                             forwarded="198.51.100.250, 203.0.113.7"))
    # Another client behind the same proxy is not locked out of the same account.
    assert logged_in(post_login(client, receptionist.username, PASSWORD, remote_addr="10.0.0.1",
                                forwarded="203.0.113.8"))


def test_behind_a_proxy_a_missing_forwarded_header_falls_back_to_the_peer_address(client, receptionist, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    post_login(client, receptionist.username, "wrong", remote_addr="10.0.0.1")
    assert AccessAttempt.objects.get().ip_address == "10.0.0.1"


def test_behind_two_proxies_the_second_entry_from_the_right_counts(client, receptionist, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    post_login(client, receptionist.username, "wrong", remote_addr="10.0.0.2",
               forwarded="198.51.100.1, 203.0.113.7, 10.0.0.1")
    # One entry only: it did not come through both proxies.
    post_login(client, receptionist.username, "wrong", remote_addr="10.0.0.2", forwarded="203.0.113.9")
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.2", "203.0.113.7"]


def test_behind_a_proxy_a_malformed_entry_falls_back_to_the_peer_address(client, receptionist, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    post_login(client, receptionist.username, "wrong", remote_addr="10.0.0.1", forwarded="not-an-address")
    assert AccessAttempt.objects.get().ip_address == "10.0.0.1"


# The username alone: failures from any address add up.

def fail_from_many_addresses(client, username: str, failures: int, proxied: bool) -> None:
    for n in range(failures):
        # Four per address at most: no username-and-address pair reaches its own limit.
        address = f"203.0.113.{n // 4 + 1}"
        if proxied:
            post_login(client, username, "wrong", remote_addr="10.0.0.1", forwarded=address)
        else:
            post_login(client, username, "wrong", remote_addr=address)


@pytest.mark.parametrize("proxied", [False, True], ids=["direct", "behind-a-proxy"])
def test_twenty_failures_from_many_addresses_lock_the_username_everywhere(client, receptionist, settings, proxied):
    settings.TRUSTED_PROXY_COUNT = 1 if proxied else 0
    fail_from_many_addresses(client, receptionist.username, 20, proxied)
    fresh = {"remote_addr": "10.0.0.1", "forwarded": "198.51.100.77"} if proxied else {"remote_addr": "198.51.100.77"}
    assert locked(post_login(client, receptionist.username, PASSWORD, **fresh))
    # Still never forever: after the cool-off the right password works again.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert logged_in(post_login(client, receptionist.username, PASSWORD, **fresh))


@pytest.mark.parametrize("proxied", [False, True], ids=["direct", "behind-a-proxy"])
def test_nineteen_failures_from_many_addresses_do_not_lock_the_username(client, receptionist, settings, proxied):
    settings.TRUSTED_PROXY_COUNT = 1 if proxied else 0
    fail_from_many_addresses(client, receptionist.username, 19, proxied)
    fresh = {"remote_addr": "10.0.0.1", "forwarded": "198.51.100.77"} if proxied else {"remote_addr": "198.51.100.77"}
    assert logged_in(post_login(client, receptionist.username, PASSWORD, **fresh))


def test_the_username_limit_is_a_setting_and_locks_only_that_username(client, receptionist, doctor, settings):
    settings.AXES_USERNAME_FAILURE_LIMIT = 8
    fail_from_many_addresses(client, receptionist.username, 8, proxied=False)
    assert locked(post_login(client, receptionist.username, PASSWORD, remote_addr="198.51.100.77"))
    assert logged_in(post_login(client, doctor.username, PASSWORD, remote_addr="203.0.113.1"))
