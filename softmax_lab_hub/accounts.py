"""Learners' unix accounts: `jupyter-<name>`, no login shell, a group sshd refuses
(deploy/sshd-learners.conf), a home only they may enter."""

import os
import pwd
import re
import subprocess

from .learner_files import OPEN_DIR

#: SystemdSpawner's template (its `username_template`); the prefix keeps learners' accounts
#: apart from system accounts.
UNIX_NAME_TEMPLATE = "jupyter-{USERNAME}"
#: Linux account names have at most this many characters.
UNIX_NAME_MAX = 32
UNIX_NAME = re.compile(rf"^[a-z_][a-z0-9_-]{{0,{UNIX_NAME_MAX - 1}}}$")
#: A learner's home: nobody else reads it (their notebooks hold their answers).
HOME_MODE = 0o700
NO_LOGIN_SHELL = "/usr/sbin/nologin"
LEARNERS_GROUP = "jupyterhub-learners"
#: Called by absolute path: the hub runs as root, and never looks them up on PATH.
USERADD, GROUPADD, USERDEL = "/usr/sbin/useradd", "/usr/sbin/groupadd", "/usr/sbin/userdel"
#: userdel's exit status for an account that does not exist.
NO_SUCH_ACCOUNT = 6


def unix_name(name):
    """The unix account of the hub user `name`."""
    return UNIX_NAME_TEMPLATE.format(USERNAME=name)


def ensure_unix_user(name):
    """Create the unix account `name` with a home directory, unless it exists. It has no
    login shell and is in LEARNERS_GROUP, which sshd refuses (deploy/sshd-learners.conf):
    a learner's only way in is their server, inside its capped unit."""
    if not UNIX_NAME.match(name):
        raise ValueError(f"unix user name {name!r} must match {UNIX_NAME.pattern}")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run([GROUPADD, "--force", LEARNERS_GROUP], check=True)
        subprocess.run(
            [
                USERADD,
                "--create-home",
                "--shell",
                NO_LOGIN_SHELL,
                "--user-group",
                "--groups",
                LEARNERS_GROUP,
                name,
            ],
            check=True,
        )
        return pwd.getpwnam(name)


def delete_unix_user(name):
    """Delete the unix account `name` and its home; False if there was none."""
    result = subprocess.run([USERDEL, "--remove", name], capture_output=True, text=True)
    if result.returncode not in (0, NO_SUCH_ACCOUNT):
        raise RuntimeError(f"userdel {name}: {result.stderr.strip()}")
    return result.returncode == 0


def make_private(home):
    """Only its owner may enter `home` (useradd follows the umask: 755 on Debian)."""
    fd = os.open(home, OPEN_DIR)
    try:
        os.fchmod(fd, HOME_MODE)
    finally:
        os.close(fd)
