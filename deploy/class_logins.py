"""Who can log in to the class hub, and with what: one small file of hashes.

The file (LOGINS, JSON, mode 600) maps each name to either

- ``{"password": <bcrypt hash>}``: an account with a password; or
- ``{"code": <bcrypt hash>}``: a learner who has not logged in yet, holding a one-time
  code the instructor handed out (``deploy/class_admin.py codes``).

A learner's first login gives their name, the one-time code and the password they choose
(at least MIN_PASSWORD_LENGTH characters); the code is then spent and only the password
is kept. Nobody can log in under a name that is not in the file, and no first login
ever sets the password of a name that has one: the instructor's is set at install time
by ``deploy/class_admin.py instructor``.

Failed logins are throttled per name and client address: after MAX_FAILURES failures
within THROTTLE_WINDOW_S, that name is refused from that address (HTTP 429) until the
oldest failure is older than the window, without checking the password.
"""

import asyncio
import fcntl
import json
import os
import secrets
import time
from contextlib import contextmanager
from pathlib import Path

import bcrypt
from jupyterhub.auth import Authenticator
from tornado import web
from traitlets import Integer, Unicode

MIN_PASSWORD_LENGTH = 8
#: bcrypt reads at most 72 bytes of a password; longer ones are refused, not cut.
MAX_PASSWORD_BYTES = 72
MAX_FAILURES = 5
THROTTLE_WINDOW_S = 60
#: Code alphabet without look-alikes (0/O, 1/l/I): the instructor reads codes out or prints them.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 12  # 31**12: about 59 bits
#: bcrypt's cost: 2**12 rounds, about 0.25 s a check on one core.
BCRYPT_ROUNDS = 12


def read_roster(path):
    """The learner names listed in `path`, one per line (`#` starts a comment)."""
    path = Path(path)
    if not path.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return {line for line in lines if line}


def new_secret(length=CODE_LENGTH):
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def hash_secret(secret, rounds=BCRYPT_ROUNDS):
    return bcrypt.hashpw(secret.encode(), bcrypt.gensalt(rounds)).decode()


def secret_matches(secret, hashed):
    encoded = secret.encode()
    if len(encoded) > MAX_PASSWORD_BYTES:
        return False
    return bcrypt.checkpw(encoded, hashed.encode())


def check_password_choice(password):
    """Raise ValueError unless `password` is one the hub accepts."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(f"a password may have at most {MAX_PASSWORD_BYTES} bytes")


class Logins:
    """The logins file: read on every use, rewritten whole under a lock."""

    def __init__(self, path, rounds=BCRYPT_ROUNDS):
        self.path, self.rounds = Path(path), rounds

    def read(self):
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    @contextmanager
    def editing(self):
        """Yield the logins as a dict; write back what the block leaves in it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            logins = self.read()
            yield logins
            fresh = self.path.with_suffix(".new")
            fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(logins, out, indent=1, sort_keys=True)
            os.replace(fresh, self.path)

    def set_password(self, name, password):
        check_password_choice(password)
        with self.editing() as logins:
            logins[name] = {"password": hash_secret(password, self.rounds)}

    def issue_code(self, name):
        """A new one-time code for `name`; any password `name` had stops working."""
        code = new_secret()
        with self.editing() as logins:
            logins[name] = {"code": hash_secret(code, self.rounds)}
        return code


class Throttle:
    """Counts failed logins per key in a sliding window (keeps at most the last
    `max_failures` of each key, and forgets keys with none left)."""

    max_keys = 10_000  # then keys whose failures have all left the window are dropped

    def __init__(self, max_failures, window_s, clock=time.monotonic):
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self.failures = {}

    def _recent(self, key):
        horizon = self.clock() - self.window_s
        return [t for t in self.failures.get(key, ()) if t > horizon]

    def retry_after_s(self, key):
        """0 if `key` may try now, else the seconds until it may."""
        failures = self._recent(key)
        if len(failures) < self.max_failures:
            return 0
        return max(1, int(failures[0] + self.window_s - self.clock()) + 1)

    def failed(self, key):
        self.failures[key] = [*self._recent(key), self.clock()][-self.max_failures:]
        if len(self.failures) > self.max_keys:
            self.failures = {k: v for k in self.failures if (v := self._recent(k))}


class ClassAuthenticator(Authenticator):
    """Logins from the instructor's file of hashes: see this module's docstring."""

    logins_path = Unicode(help="The logins file (JSON of bcrypt hashes).").tag(config=True)
    max_failures = Integer(MAX_FAILURES).tag(config=True)
    throttle_window_s = Integer(THROTTLE_WINDOW_S).tag(config=True)
    bcrypt_rounds = Integer(BCRYPT_ROUNDS, help="bcrypt's cost for chosen passwords").tag(
        config=True)

    request_otp = True
    otp_prompt = (f"One-time code (first login only; then choose a password of at least "
                  f"{MIN_PASSWORD_LENGTH} characters above):")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.throttle = Throttle(self.max_failures, self.throttle_window_s)

    @property
    def logins(self):
        return Logins(self.logins_path)

    def check_allowed(self, username, authentication=None):
        """Only names in the logins file: the instructor lists the class there."""
        return username in self.logins.read()

    async def authenticate(self, handler, data):
        name = data.get("username", "")
        key = (name, handler.request.remote_ip if handler else "")
        wait_s = self.throttle.retry_after_s(key)
        if wait_s:
            self.log.warning("login for %r from %s throttled for %d s", name, key[1], wait_s)
            raise web.HTTPError(429, f"Too many failed logins: try again in {wait_s} s",
                                reason="Too Many Requests")
        if await asyncio.to_thread(self._check, name, data.get("password", ""),
                                   data.get("otp", "")):
            return name
        self.throttle.failed(key)
        return None

    def _check(self, name, password, code):
        """True if `password` is `name`'s, or `code` is their unspent one-time code (which
        `password` then replaces)."""
        entry = self.logins.read().get(name)
        if entry is None:
            return False
        if "password" in entry:
            return secret_matches(password, entry["password"])
        if not code or not secret_matches(code, entry["code"]):
            return False
        try:
            check_password_choice(password)
        except ValueError as err:
            self.log.info("first login of %r refused: %s", name, err)
            return False
        with self.logins.editing() as logins:
            if logins.get(name) != entry:  # spent meanwhile by a concurrent login
                return False
            logins[name] = {"password": hash_secret(password, self.bcrypt_rounds)}
        self.log.info("%r spent their one-time code and set a password", name)
        return True
