"""Who can log in to the class hub, and with what: one small file of hashes.

The file (LOGINS, JSON, mode 600, in a 700 directory) maps each name to either

- ``{"password": <bcrypt hash>}``: an account with a password; or
- ``{"code": <bcrypt hash>}``: a learner who has not logged in yet, holding a one-time
  code the instructor handed out (``deploy/class_admin.py codes``).

A learner's first login gives their name, the one-time code and the password they choose
(at least MIN_PASSWORD_LENGTH characters); the code is then spent and only the password
is kept. Nobody can log in under a name that is not in the file, and no first login
ever sets the password of a name that has one: the instructor's is set at install time
by ``deploy/class_admin.py instructor --init``.

Every write is flushed to disk (file and directory) and keeps the previous version as
``logins.json.bak``. A missing or unreadable file is an error, never "nobody".

A session lasts only while its name holds a password in the file: ``class_admin.py
remove`` and ``codes --reset`` end it (`refresh_user`, within the hub's auth_refresh_age).

Failed logins are throttled. The client's address is the one the hub's own proxies
recorded (the `trusted_hops`-th entry from the right of ``X-Forwarded-For``), never a
header the client chose. Each login attempt counts as a failure *before* its password
is checked (and is taken back if it succeeds), so concurrent guesses are counted too:

- per name and address: after MAX_FAILURES within THROTTLE_WINDOW_S, HTTP 429;
- per name, from every address it never logged in from: after MAX_NAME_FAILURES
  within NAME_WINDOW_S, HTTP 429 (covers attackers with many addresses, without
  locking the name out of addresses it already logged in from).

Every password check costs one bcrypt, whether the name exists or not, so the time a
refusal takes tells nothing about the roster.
"""

import asyncio
import fcntl
import json
import os
import re
import secrets
import tempfile
import time
from collections import OrderedDict
from contextlib import contextmanager
from functools import cached_property
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
MAX_NAME_FAILURES = 30
NAME_WINDOW_S = 600
#: How long an address a name logged in from stays exempt from the per-name limit.
KNOWN_ADDRESS_S = 14 * 24 * 3600
#: Login names: JupyterHub lowercases them, and `jupyter-<name>` must be a unix account.
NAME = re.compile(r"[a-z_][a-z0-9_-]{0,23}")
#: Code alphabet without look-alikes (0/O, 1/l/I): the instructor reads codes out or prints them.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 12  # 31**12: about 59 bits
#: bcrypt's cost: 2**12 rounds, about 0.25 s a check on one core.
BCRYPT_ROUNDS = 12
PRIVATE_DIR_MODE = 0o700


class LoginsUnavailable(RuntimeError):
    """The logins file is missing or unreadable: nobody can log in until it is restored."""


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


def private_file(path, content=None):
    """The text of `path`, a file only root reads; written with `content` if missing."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            raise PermissionError(
                f"{path} must be readable by its owner only (chmod 600)") from None
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(content)
    return content


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Logins:
    """The logins file: read on every use, rewritten whole under a lock."""

    def __init__(self, path, rounds=BCRYPT_ROUNDS):
        self.path, self.rounds = Path(path), rounds
        self.backup = self.path.with_name(self.path.name + ".bak")

    def read(self):
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            raise LoginsUnavailable(
                f"{self.path} is missing: restore it (its previous version is {self.backup}) "
                "or, on a new machine, run `class_admin.py instructor --init`") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise LoginsUnavailable(f"{self.path} is not valid JSON ({err}): its previous "
                                    f"version is {self.backup}") from None

    def exists(self):
        return self.path.exists()

    @contextmanager
    def editing(self, create=False):
        """Yield the logins as a dict; write back what the block leaves in it.

        A missing file is an error unless `create` (a first install).
        """
        if not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, mode=PRIVATE_DIR_MODE)
            os.chmod(self.path.parent, PRIVATE_DIR_MODE)  # mkdir's mode is cut by the umask
        lock_fd = os.open(self.path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
        with open(lock_fd, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            logins = {} if create and not self.exists() else self.read()
            yield logins
            self._write(logins)

    def _write(self, logins):
        """Replace the file by `logins`, on disk before it replaces the old one, which is
        kept as the backup."""
        fd, fresh = tempfile.mkstemp(dir=self.path.parent, prefix=".logins-")  # 0600, new
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(logins, out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            if self.exists():
                old = f"{fresh}.old"
                os.link(self.path, old)
                os.replace(old, self.backup)
            os.replace(fresh, self.path)
        finally:
            Path(fresh).unlink(missing_ok=True)
        fsync_dir(self.path.parent)

    def set_password(self, name, password, create=False):
        check_password_choice(password)
        hashed = hash_secret(password, self.rounds)
        with self.editing(create=create) as logins:
            logins[name] = {"password": hashed}

    def issue_code(self, name):
        """A new one-time code for `name`; any password `name` had stops working."""
        code = new_secret()
        hashed = hash_secret(code, self.rounds)
        with self.editing() as logins:
            logins[name] = {"code": hashed}
        return code


class Throttle:
    """Counts failures per key in a sliding window (keeps at most the last `max_failures`
    of each key), in at most `max_keys` keys: the key failed longest ago goes first."""

    def __init__(self, max_failures, window_s, max_keys=10_000, clock=time.monotonic):
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self.max_keys = max_keys
        self.failures = OrderedDict()  # oldest last failure first

    def _recent(self, key, now):
        return [t for t in self.failures.get(key, ()) if t > now - self.window_s]

    def retry_after_s(self, key):
        """0 if `key` may try now, else the seconds until it may."""
        now = self.clock()
        failures = self._recent(key, now)
        if len(failures) < self.max_failures:
            return 0
        return max(1, int(failures[0] + self.window_s - now) + 1)

    def failed(self, key):
        now = self.clock()
        self.failures[key] = [*self._recent(key, now), now][-self.max_failures:]
        self.failures.move_to_end(key)
        while self.failures:  # the front: keys whose every failure has left the window
            oldest_key, failures = next(iter(self.failures.items()))
            if (failures and failures[-1] > now - self.window_s
                    and len(self.failures) <= self.max_keys):
                break
            del self.failures[oldest_key]

    def take_back(self, key):
        """Forget `key`'s latest failure (an attempt counted before it succeeded)."""
        if self.failures.get(key):
            self.failures[key].pop()


class ClassAuthenticator(Authenticator):
    """Logins from the instructor's file of hashes: see this module's docstring."""

    logins_path = Unicode(help="The logins file (JSON of bcrypt hashes).").tag(config=True)
    max_failures = Integer(MAX_FAILURES).tag(config=True)
    throttle_window_s = Integer(THROTTLE_WINDOW_S).tag(config=True)
    max_name_failures = Integer(MAX_NAME_FAILURES).tag(config=True)
    name_window_s = Integer(NAME_WINDOW_S).tag(config=True)
    trusted_hops = Integer(1, help="How many proxies of this hub's own append to "
                           "X-Forwarded-For: configurable-http-proxy, and a reverse proxy "
                           "in front of it if there is one.").tag(config=True)
    bcrypt_rounds = Integer(BCRYPT_ROUNDS, help="bcrypt's cost for chosen passwords").tag(
        config=True)

    request_otp = True
    otp_prompt = (f"One-time code (first login only; then choose a password of at least "
                  f"{MIN_PASSWORD_LENGTH} characters above):")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.throttle = Throttle(self.max_failures, self.throttle_window_s)
        self.name_throttle = Throttle(self.max_name_failures, self.name_window_s)
        #: (name, address) pairs that logged in lately (as a bounded table of one event
        #: each): exempt from the per-name limit.
        self.logged_in_from = Throttle(1, KNOWN_ADDRESS_S)

    @property
    def logins(self):
        return Logins(self.logins_path)

    @cached_property
    def dummy_hash(self):
        """Checked for names without a hash, so that they cost as much as those with one."""
        return hash_secret(new_secret(), self.bcrypt_rounds)

    def check_allowed(self, username, authentication=None):
        """Only names in the logins file: the instructor lists the class there."""
        return username in self.logins.read()

    async def refresh_user(self, user, handler=None):
        """A session stays valid while its name holds a password (not removed, not reset)."""
        return "password" in self.logins.read().get(user.name, {})

    def client_address(self, request):
        """The address the first of this hub's proxies saw the client at."""
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= self.trusted_hops:
            return hops[-self.trusted_hops]
        return hops[0] if hops else request.connection.context.address[0]

    async def authenticate(self, handler, data):
        name = data.get("username", "").strip().lower()
        if not NAME.fullmatch(name):
            return None  # cannot be in the file: refused at no cost, and remembered nowhere
        address = self.client_address(handler.request) if handler else ""
        wait_s = self.throttle.retry_after_s((name, address))
        if not self.logged_in_from.retry_after_s((name, address)):
            wait_s = max(wait_s, self.name_throttle.retry_after_s(name))
        if wait_s:
            self.log.warning("login for %r from %s throttled for %d s", name, address, wait_s)
            raise web.HTTPError(429, f"Too many failed logins: try again in {wait_s} s",
                                reason="Too Many Requests")
        self.throttle.failed((name, address))  # counted now: concurrent guesses count too
        self.name_throttle.failed(name)
        if await asyncio.to_thread(self._check, name, data.get("password", ""),
                                   data.get("otp", "").strip().lower()):
            self.throttle.take_back((name, address))
            self.name_throttle.take_back(name)
            self.logged_in_from.failed((name, address))
            return name
        self.log.warning("failed login for %r from %s", name, address)
        return None

    def _check(self, name, password, code):
        """True if `password` is `name`'s, or `code` is their unspent one-time code (which
        `password` then replaces). One bcrypt check in every case."""
        entry = self.logins.read().get(name)
        if entry is None:
            secret_matches(password, self.dummy_hash)
            return False
        if "password" in entry:
            return secret_matches(password, entry["password"])
        if not secret_matches(code, entry["code"]) or not code:
            return False
        try:
            check_password_choice(password)
        except ValueError as err:
            self.log.info("first login of %r refused: %s", name, err)
            return False
        hashed = hash_secret(password, self.bcrypt_rounds)
        with self.logins.editing() as logins:
            if logins.get(name) != entry:  # spent meanwhile by a concurrent login
                return False
            logins[name] = {"password": hashed}
        self.log.info("%r spent their one-time code and set a password", name)
        return True
