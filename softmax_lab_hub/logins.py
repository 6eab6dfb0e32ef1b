"""Who can log in to the class hub, and with what: one small file of hashes.

The file (LOGINS, JSON, mode 600, in a 700 directory) maps each name to either

- ``{"password": <bcrypt hash>}``: an account with a password; or
- ``{"code": <bcrypt hash>}``: a learner who has not logged in yet, holding a one-time
  code the instructor handed out (``softmax-lab-class codes``).

A learner's first login gives their name, the one-time code and the password they choose
(at least MIN_PASSWORD_LENGTH characters); the code is then spent and only the password
is kept (softmax_lab_hub.authenticator). Nobody can log in under a name that is not in
the file, and no first login ever sets the password of a name that has one: the
instructor's is set at install time by ``softmax-lab-class instructor --init``.

Every write is flushed to disk (file and directory) and keeps the previous version as
``logins.json.bak``. A missing or unreadable file is an error, never "nobody".
"""

import fcntl
import json
import os
import re
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path

import bcrypt

from .accounts import UNIX_NAME_MAX, unix_name

#: The logins file, in the hub's state directory (SOFTMAX_LAB_LOGINS elsewhere).
DEFAULT_LOGINS = "/var/lib/jupyterhub/logins.json"
#: The one admin account; every other name in the file is a learner's.
INSTRUCTOR = "instructor"
MIN_PASSWORD_LENGTH = 8
#: bcrypt reads at most 72 bytes of a password; longer ones are refused, not cut.
MAX_PASSWORD_BYTES = 72
#: Login names: JupyterHub lowercases them, and their unix account (`jupyter-<name>`)
#: must fit UNIX_NAME_MAX: [a-z_][a-z0-9_-]{0,23}.
NAME = re.compile(rf"[a-z_][a-z0-9_-]{{0,{UNIX_NAME_MAX - len(unix_name('')) - 1}}}")
#: Code alphabet without look-alikes (0/O, 1/l/I): the instructor reads codes out or prints them.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 12  # 31**12: about 59 bits
#: bcrypt's cost: 2**12 rounds, about 0.25 s a check on one core.
BCRYPT_ROUNDS = 12
PRIVATE_DIR_MODE = 0o700


def logins_path():
    """Where the logins file is: SOFTMAX_LAB_LOGINS, or DEFAULT_LOGINS."""
    return Path(os.environ.get("SOFTMAX_LAB_LOGINS", DEFAULT_LOGINS))


def admin_token_path(path):
    """The token of the hub's `class-admin` service, next to the logins file `path`."""
    return Path(path).with_name("class-admin.token")


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
                f"{path} must be readable by its owner only (chmod 600)"
            ) from None
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
                "or, on a new machine, run `softmax-lab-class instructor --init`"
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise LoginsUnavailable(
                f"{self.path} is not valid JSON ({err}): its previous version is {self.backup}"
            ) from None

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


def check_logins(path):
    """Raise if the logins file is missing, unreadable or has no instructor: the hub does
    not start with nobody (or the wrong file) able to log in."""
    if INSTRUCTOR not in Logins(path).read():
        raise ValueError(f"{path} has no instructor: run `softmax-lab-class instructor`")
