"""Files in a learner's home, read and written by root without following a path the
learner controls.

Every directory is opened by file descriptor, relative to its parent, with O_NOFOLLOW: a
symlink the learner planted (dangling or not) makes the call refuse, never reach past it.
With a `uid`, every directory and file must also be the learner's own (not a hard link
to someone else's file). Files are created with O_EXCL and put in place by rename inside
the directory already opened, so nothing that exists is ever opened for writing.
"""

import os
import secrets
import stat
from contextlib import contextmanager

OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK
CREATE_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
READ_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
#: A notebook handed in bigger than this is refused (outputs of a lesson are far smaller).
MAX_READ_BYTES = 50 * 1024 * 1024


def open_learners_dir(name, parent_fd, uid, gid, create=True):
    """A descriptor of the directory `name` in `parent_fd`, made (and given to `uid`) if
    missing and `create`; None if it is missing, or anything but a directory of `uid`'s."""
    created = False
    if create:
        try:
            os.mkdir(name, 0o755, dir_fd=parent_fd)
            created = True
        except FileExistsError:
            pass
    try:
        fd = os.open(name, OPEN_DIR, dir_fd=parent_fd)
    except OSError:  # ELOOP: a symlink; ENOTDIR: a file; ENOENT: missing
        return None
    if uid is not None:
        if created:
            os.fchown(fd, uid, gid)
        if os.fstat(fd).st_uid != uid:
            os.close(fd)
            return None
    return fd


@contextmanager
def learners_dir(home, parts, uid=None, gid=None, create=True):
    """A descriptor of `home`/`parts...` (None if the learner put something in the way)."""
    fd = os.open(home, OPEN_DIR)
    try:
        for part in parts:
            parent_fd, fd = fd, open_learners_dir(part, fd, uid, gid, create)
            os.close(parent_fd)
            if fd is None:
                break
        yield fd
    finally:
        if fd is not None:
            os.close(fd)


def read_learners_file(home, parts, uid=None):
    """The bytes of `home`/`parts...`, or None if it is missing, not a regular file of the
    learner's own, or reached through a symlink."""
    *folders, name = parts
    with learners_dir(home, folders, uid, create=False) as fd:
        if fd is None:
            return None
        try:
            file_fd = os.open(name, READ_FILE, dir_fd=fd)
        except OSError:
            return None
        with open(file_fd, "rb") as source:
            info = os.fstat(source.fileno())
            if (
                not stat.S_ISREG(info.st_mode)
                or info.st_size > MAX_READ_BYTES
                or (uid is not None and (info.st_uid != uid or info.st_nlink != 1))
            ):
                return None
            return source.read(MAX_READ_BYTES + 1)[:MAX_READ_BYTES]


def write_learners_file(home, parts, data, uid=None, gid=None):
    """Put `data` at `home`/`parts...` as a file of `uid`'s, replacing what is there (a
    symlink is replaced, not followed). False if the learner put something in the way."""
    *folders, name = parts
    with learners_dir(home, folders, uid, gid) as fd:
        if fd is None:
            return False
        fresh = f".{name}.{secrets.token_hex(4)}.new"
        out = os.open(fresh, CREATE_FILE, 0o644, dir_fd=fd)
        with open(out, "wb") as copy:
            if uid is not None:
                os.fchown(out, uid, gid)
            copy.write(data)
        os.replace(fresh, name, src_dir_fd=fd, dst_dir_fd=fd)
        return True
