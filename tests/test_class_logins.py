"""The class hub's logins file and the instructor's command (deploy/class_logins.py,
deploy/class_admin.py), without a hub: tests/test_class_hub.py logs in to a real one."""

import asyncio
import json
import stat
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
import class_admin  # noqa: E402
from class_logins import (  # noqa: E402
    CODE_ALPHABET,
    CODE_LENGTH,
    ClassAuthenticator,
    Logins,
    Throttle,
    read_roster,
    secret_matches,
)

FAST = 4  # bcrypt rounds: the tests check what is stored, not how slow it is to guess


@pytest.fixture
def logins(tmp_path):
    return Logins(tmp_path / "state" / "logins.json", rounds=FAST)


def test_the_instructor_password_is_printed_once_and_only_its_hash_kept(
        logins, monkeypatch, capsys):
    monkeypatch.setattr(class_admin, "logins_file", lambda: logins)
    assert class_admin.main(["instructor"]) == 0
    password = capsys.readouterr().out.split()[-1]
    assert len(password) == class_admin.PASSWORD_LENGTH
    assert password not in logins.path.read_text()
    assert secret_matches(password, logins.read()["instructor"]["password"])
    assert stat.S_IMODE(logins.path.stat().st_mode) == 0o600


def test_codes_are_issued_once_per_learner_from_the_roster(logins, monkeypatch, capsys,
                                                           tmp_path):
    monkeypatch.setattr(class_admin, "logins_file", lambda: logins)
    roster = tmp_path / "roster.txt"
    roster.write_text("# week 1\nada\n\n  grace  # TA\n")
    assert class_admin.main(["codes", "--roster", str(roster)]) == 0
    printed = dict(line.split() for line in capsys.readouterr().out.splitlines()[1:])
    assert set(printed) == {"ada", "grace"}
    for name, code in printed.items():
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
        assert secret_matches(code, logins.read()[name]["code"])
        assert code not in logins.path.read_text()
    class_admin.main(["codes", "ada"])
    assert "already have a login (use --reset for a new code): ada" in capsys.readouterr().out
    assert secret_matches(printed["ada"], logins.read()["ada"]["code"])


def test_reset_replaces_a_learners_password_by_a_new_code(logins):
    logins.set_password("ada", "ada's old password")
    (code,) = class_admin.issue_codes(logins, {"ada"}, reset=True).values()
    assert logins.read()["ada"].keys() == {"code"}
    assert secret_matches(code, logins.read()["ada"]["code"])


@pytest.mark.parametrize(("name", "message"), [
    ("instructor", "is the instructor's account"),
    ("Ada", "must match"),
    ("ada; rm -rf /", "must match"),
])
def test_codes_are_refused_for_bad_names(logins, name, message):
    with pytest.raises(ValueError, match=message):
        class_admin.issue_codes(logins, {name})
    assert logins.read() == {}


@pytest.mark.parametrize(("password", "message"), [
    ("short", "at least 8 characters"),
    ("é" * 37, "at most 72 bytes"),
])
def test_passwords_too_short_or_too_long_are_refused(logins, password, message):
    with pytest.raises(ValueError, match=message):
        logins.set_password("ada", password)


def test_the_logins_file_is_rewritten_whole(logins):
    logins.set_password("ada", "password-of-ada")
    logins.issue_code("bob")
    assert set(json.loads(logins.path.read_text())) == {"ada", "bob"}
    assert not logins.path.with_suffix(".new").exists()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_throttle_refuses_after_max_failures_until_the_window_has_passed():
    clock = Clock()
    throttle = Throttle(max_failures=3, window_s=60, clock=clock)
    key = ("ada", "10.0.0.7")
    for _ in range(3):
        assert throttle.retry_after_s(key) == 0
        throttle.failed(key)
        clock.now += 1
    assert throttle.retry_after_s(key) == 58  # the first failure leaves the window at 1060
    assert throttle.retry_after_s(("ada", "10.0.0.8")) == 0  # another address
    clock.now += 58
    assert throttle.retry_after_s(key) == 0


def test_throttle_forgets_addresses_whose_failures_are_old():
    clock = Clock()
    throttle = Throttle(max_failures=3, window_s=60, clock=clock)
    throttle.max_keys = 10
    for i in range(10):
        throttle.failed(("ada", f"10.0.0.{i}"))
    clock.now += 61
    throttle.failed(("ada", "10.0.1.1"))
    assert list(throttle.failures) == [("ada", "10.0.1.1")]


class Handler:
    class request:  # noqa: N801 -- stands in for tornado's handler.request
        remote_ip = "10.0.0.7"


def authenticate(authenticator, **data):
    return asyncio.run(authenticator.authenticate(Handler(), data))


def test_a_first_login_spends_the_code_and_keeps_only_the_password(logins):
    code = logins.issue_code("ada")
    authenticator = ClassAuthenticator(logins_path=str(logins.path), bcrypt_rounds=FAST)
    assert authenticate(authenticator, username="ada", password="adas-password") is None
    assert authenticate(authenticator, username="ada", password="adas-password",
                        otp=code) == "ada"
    assert logins.read()["ada"].keys() == {"password"}
    assert authenticate(authenticator, username="ada", password="adas-password") == "ada"
    assert authenticate(authenticator, username="ada", password="another-one", otp=code) is None
    assert authenticator.check_allowed("ada") and not authenticator.check_allowed("bob")


def test_roster_ignores_comments_and_blank_lines(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("# week 1\nada\n\n  grace  # TA\n")
    assert read_roster(roster) == {"ada", "grace"}
    assert read_roster(tmp_path / "missing.txt") == set()


def test_remove_forgets_a_learners_login(logins, monkeypatch, capsys):
    monkeypatch.setattr(class_admin, "logins_file", lambda: logins)
    logins.issue_code("ada")
    logins.issue_code("bob")
    assert class_admin.main(["remove", "ada", "kim"]) == 0
    assert capsys.readouterr().out == "can no longer log in: ada\n"
    assert set(logins.read()) == {"bob"}
