"""The class hub's logins file, authenticator and the instructor's command
(softmax_lab_hub.logins, .authenticator, .admin), without a hub: tests/test_class_hub.py
logs in to a real one."""

import asyncio
import json
import os
import pwd
import stat
import subprocess
import threading
from pathlib import Path

import bcrypt
import pytest

from softmax_lab_hub import admin
from softmax_lab_hub.authenticator import MAX_FAILURES, ClassAuthenticator
from softmax_lab_hub.logins import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Logins,
    LoginsUnavailable,
    admin_token_path,
    read_roster,
    secret_matches,
)
from softmax_lab_hub.throttle import Throttle

FAST = 4  # bcrypt rounds: the tests check what is stored, not how slow it is to guess


@pytest.fixture
def logins(tmp_path):
    """A logins file with an instructor, as `softmax-lab-class instructor --init` makes it."""
    logins = Logins(tmp_path / "state" / "logins.json", rounds=FAST)
    logins.set_password("instructor", "instructors-password", create=True)
    return logins


def test_the_instructor_password_is_printed_once_and_only_its_hash_kept(
    tmp_path, monkeypatch, capsys
):
    logins = Logins(tmp_path / "state" / "logins.json", rounds=FAST)
    monkeypatch.setattr(admin, "logins_file", lambda: logins)
    assert admin.main(["instructor", "--init"]) == 0
    password = capsys.readouterr().out.split()[-1]
    assert len(password) == admin.PASSWORD_LENGTH
    assert password not in logins.path.read_text()
    assert secret_matches(password, logins.read()["instructor"]["password"])
    assert stat.S_IMODE(logins.path.stat().st_mode) == 0o600


def test_codes_are_issued_once_per_learner_from_the_roster(logins, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(admin, "logins_file", lambda: logins)
    roster = tmp_path / "roster.txt"
    roster.write_text("# week 1\nada\n\n  grace  # TA\n")
    assert admin.main(["codes", "--roster", str(roster)]) == 0
    printed = dict(line.split() for line in capsys.readouterr().out.splitlines()[1:])
    assert set(printed) == {"ada", "grace"}
    for name, code in printed.items():
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
        assert secret_matches(code, logins.read()[name]["code"])
        assert code not in logins.path.read_text()
    admin.main(["codes", "ada"])
    assert "already have a login (use --reset for a new code): ada" in capsys.readouterr().out
    assert secret_matches(printed["ada"], logins.read()["ada"]["code"])


def test_reset_replaces_a_learners_password_by_a_new_code(logins):
    logins.set_password("ada", "ada's old password")
    (code,) = admin.issue_codes(logins, {"ada"}, reset=True).values()
    assert logins.read()["ada"].keys() == {"code"}
    assert secret_matches(code, logins.read()["ada"]["code"])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("instructor", "is the instructor's account"),
        ("Ada", "must match"),
        ("ada; rm -rf /", "must match"),
    ],
)
def test_codes_are_refused_for_bad_names(logins, name, message):
    with pytest.raises(ValueError, match=message):
        admin.issue_codes(logins, {name})
    assert logins.read().keys() == {"instructor"}


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 8 characters"),
        ("é" * 37, "at most 72 bytes"),
    ],
)
def test_passwords_too_short_or_too_long_are_refused(logins, password, message):
    with pytest.raises(ValueError, match=message):
        logins.set_password("ada", password)


def test_the_logins_file_is_rewritten_whole(logins):
    logins.set_password("ada", "password-of-ada")
    logins.issue_code("bob")
    assert set(json.loads(logins.path.read_text())) == {"instructor", "ada", "bob"}
    assert [
        path.name for path in logins.path.parent.iterdir() if path.name.startswith(".")
    ] == []  # no temporary file left behind


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
        headers = {"X-Forwarded-For": "10.0.0.7"}  # as the hub's proxy recorded it
        remote_ip = "10.0.0.7"


def authenticate(authenticator, **data):
    return asyncio.run(authenticator.authenticate(Handler(), data))


def test_a_first_login_spends_the_code_and_keeps_only_the_password(logins):
    code = logins.issue_code("ada")
    authenticator = ClassAuthenticator(logins_path=str(logins.path), bcrypt_rounds=FAST)
    assert authenticate(authenticator, username="ada", password="adas-password") is None
    assert authenticate(authenticator, username="ada", password="adas-password", otp=code) == "ada"
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
    monkeypatch.setattr(admin, "logins_file", lambda: logins)
    logins.issue_code("ada")
    logins.issue_code("bob")
    assert admin.main(["remove", "ada", "kim"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "can no longer log in: ada"
    assert set(logins.read()) == {"instructor", "bob"}


# --- the logins file on disk --------------------------------------------------------------


def test_every_write_reaches_the_disk_before_it_replaces_the_file(logins, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(
        os, "fsync", lambda fd: synced.append(os.fstat(fd).st_mode) or real_fsync(fd)
    )
    logins.issue_code("ada")
    assert [stat.S_ISREG(mode) for mode in synced] == [True, False]  # the file, then its dir
    assert stat.S_ISDIR(synced[1])


def test_the_previous_logins_are_kept_as_a_backup(logins):
    logins.set_password("ada", "password-of-ada")
    before = logins.path.read_text()
    logins.issue_code("bob")
    backup = logins.path.with_name("logins.json.bak")
    assert backup.read_text() == before
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_a_stale_new_file_does_not_make_the_logins_readable(logins):
    stale = logins.path.with_suffix(".new")
    stale.write_text("left over")
    stale.chmod(0o644)
    logins.issue_code("ada")
    assert stat.S_IMODE(logins.path.stat().st_mode) == 0o600


def test_the_state_directory_is_made_private(tmp_path):
    umask = os.umask(0o022)
    try:
        Logins(tmp_path / "state" / "logins.json", rounds=FAST).set_password(
            "instructor", "instructors-password", create=True
        )
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "state" / "logins.lock").stat().st_mode) == 0o600


def test_a_missing_logins_file_is_an_error_not_nobody(logins, monkeypatch, capsys):
    monkeypatch.setattr(admin, "logins_file", lambda: logins)
    logins.path.unlink()
    authenticator = ClassAuthenticator(logins_path=str(logins.path), bcrypt_rounds=FAST)
    with pytest.raises(LoginsUnavailable, match="is missing"):
        authenticate(authenticator, username="instructor", password="instructors-password")
    with pytest.raises(LoginsUnavailable, match="is missing"):
        authenticator.check_allowed("instructor")
    with pytest.raises(LoginsUnavailable, match="is missing"):
        admin.main(["codes", "bob"])
    assert not logins.path.exists(), "softmax-lab-class started a new logins file"
    logins.path.write_text("{}")
    with pytest.raises(SystemExit):  # --init only on a first install
        admin.main(["instructor", "--init"])
    assert logins.path.read_text() == "{}"


@pytest.mark.parametrize("text", ["", '{"instructor": {"pass'])
def test_a_corrupt_logins_file_names_its_backup(logins, text):
    logins.issue_code("ada")
    logins.path.write_text(text)
    with pytest.raises(LoginsUnavailable, match="logins.json.bak"):
        logins.read()
    with pytest.raises(LoginsUnavailable):
        logins.issue_code("bob")
    assert logins.path.read_text() == text  # never silently reset


# --- the throttle under a flood -----------------------------------------------------------


class CountingClock(Clock):
    calls = 0

    def __call__(self):
        self.calls += 1
        return self.now


def test_the_throttle_table_stays_bounded_and_each_failure_costs_the_same():
    clock = CountingClock()
    throttle = Throttle(max_failures=3, window_s=60, max_keys=100, clock=clock)
    for i in range(1000):  # all inside the window
        throttle.failed((f"name{i}", "10.0.0.7"))
    assert len(throttle.failures) == 100
    calls = clock.calls
    throttle.failed(("one-more", "10.0.0.7"))
    assert clock.calls - calls <= 2  # not one look at every key in the table


def test_names_that_cannot_exist_are_refused_without_being_kept(logins):
    authenticator = ClassAuthenticator(logins_path=str(logins.path), bcrypt_rounds=FAST)
    for name in ["x" * 10_000_000, "ada; rm -rf /", "a" * 25]:
        assert authenticate(authenticator, username=name, password="guess") is None
    assert len(authenticator.throttle.failures) == 0
    assert len(authenticator.name_throttle.failures) == 0


# --- what a login attempt costs and counts ------------------------------------------------


@pytest.fixture
def checks(monkeypatch):
    """The bcrypt checks made, in order."""
    made = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda *args: made.append(args) or real(*args))
    return made


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("kim", ""),  # not on the roster
        ("ada", ""),  # on the roster with a password, wrong one
        ("bob", ""),  # holding a code, none given
        ("bob", "not-the-code"),  # holding a code, a wrong one
    ],
)
def test_every_refusal_costs_one_password_check(logins, checks, name, code):
    logins.set_password("ada", "password-of-ada")
    logins.issue_code("bob")
    authenticator = ClassAuthenticator(logins_path=str(logins.path), bcrypt_rounds=FAST)
    assert authenticate(authenticator, username=name, password="a-guess-1", otp=code) is None
    assert len(checks) == 1


def test_concurrent_guesses_are_counted_before_their_check(logins, monkeypatch):
    logins.set_password("ada", "password-of-ada")
    authenticator = ClassAuthenticator(logins_path=str(logins.path), bcrypt_rounds=FAST)
    checked, gate = [], threading.Event()

    def slow_check(*args):  # each check takes as long as the others need to arrive
        checked.append(args)
        gate.wait(5)
        return False

    monkeypatch.setattr(authenticator, "_check", slow_check)

    async def burst():
        tries = [
            authenticator.authenticate(Handler(), {"username": "ada", "password": "x"})
            for _ in range(20)
        ]
        asyncio.get_running_loop().call_later(0.5, gate.set)
        return await asyncio.gather(*tries, return_exceptions=True)

    results = asyncio.run(burst())
    assert len(checked) <= MAX_FAILURES
    assert sum(getattr(result, "status_code", None) == 429 for result in results) >= 15


def test_a_name_guessed_from_many_addresses_is_throttled_but_not_where_it_logged_in(logins):
    logins.set_password("ada", "password-of-ada")
    authenticator = ClassAuthenticator(
        logins_path=str(logins.path), bcrypt_rounds=FAST, max_name_failures=10
    )
    assert authenticate_from(authenticator, "192.0.2.1", password="password-of-ada") == "ada"
    for i in range(10):
        assert authenticate_from(authenticator, f"10.9.0.{i}", password="guess") is None
    with pytest.raises(Exception, match="Too many failed logins"):
        authenticate_from(authenticator, "10.9.1.1", password="password-of-ada")
    assert authenticate_from(authenticator, "192.0.2.1", password="password-of-ada") == "ada"


def test_codes_are_read_whatever_their_case_and_spaces(logins):
    code = logins.issue_code("ada")
    authenticator = ClassAuthenticator(logins_path=str(logins.path), bcrypt_rounds=FAST)
    assert (
        authenticate(
            authenticator, username=" Ada ", password="adas-password", otp=f" {code.upper()} "
        )
        == "ada"
    )


# --- sessions end with the login ----------------------------------------------------------


class User:
    def __init__(self, name):
        self.name = name


def test_a_session_ends_when_its_login_is_removed_or_reset(logins):
    logins.set_password("ada", "password-of-ada")
    logins.set_password("bob", "password-of-bob")
    authenticator = ClassAuthenticator(logins_path=str(logins.path), bcrypt_rounds=FAST)
    assert asyncio.run(authenticator.refresh_user(User("ada")))
    admin.remove(logins, ["ada"])
    admin.issue_codes(logins, ["bob"], reset=True)
    assert not asyncio.run(authenticator.refresh_user(User("ada")))
    assert not asyncio.run(authenticator.refresh_user(User("bob")))
    assert asyncio.run(authenticator.refresh_user(User("instructor")))


def test_ending_sessions_without_a_running_hub_says_so(logins):
    admin_token_path(logins.path).write_text("token")
    admin_token_path(logins.path).chmod(0o600)
    message = admin.end_sessions(logins, ["ada"], hub_api="http://127.0.0.1:9/hub/api")
    assert "the hub is not answering" in message


@pytest.mark.skipif(os.getuid() != 0, reason="needs root (CI runs as root): useradd")
def test_remove_purge_deletes_the_learners_account_and_home(logins, capsys, monkeypatch):
    monkeypatch.setattr(admin, "logins_file", lambda: logins)
    name = f"zz{os.getpid() % 100000}"
    account = f"jupyter-{name}"
    subprocess.run(["useradd", "--create-home", account], check=True)
    home = Path(pwd.getpwnam(account).pw_dir)
    try:
        (home / "answers.ipynb").write_text("the previous student's answers")
        logins.issue_code(name)
        assert admin.main(["remove", "--purge", name]) == 0
        assert f"deleted: {account}" in capsys.readouterr().out
        with pytest.raises(KeyError):
            pwd.getpwnam(account)
        assert not home.exists()
    finally:
        subprocess.run(["userdel", "--remove", account], capture_output=True)


def authenticate_from(authenticator, address, **data):
    class FromAddress:
        class request:  # noqa: N801
            headers = {"X-Forwarded-For": address}
            remote_ip = address

    return asyncio.run(authenticator.authenticate(FromAddress(), {"username": "ada", **data}))
