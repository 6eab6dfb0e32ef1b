"""Each learner's server, as it starts: its memory cap, its unix account and private
home, its copy of the notebooks, and a runtime directory short enough for kernels'
Unix sockets."""

import os
from dataclasses import dataclass

from .accounts import ensure_unix_user, make_private, unix_name
from .handout import copy_missing_notebooks
from .suite import Suite

#: Kernels' Unix sockets: `<dir>/kernel-<36-character id>-ipc-<n>`. A socket path holds
#: at most 107 bytes on Linux.
SOCKET_PATH_MAX = 107
KERNEL_SOCKET_SUFFIX = len("/kernel-00000000-0000-0000-0000-000000000000-ipc-99")


def check_runtime_dir(path):
    """Raise ValueError if kernels' sockets in `path` would not fit a Unix socket path."""
    longest = len(os.fsencode(path)) + KERNEL_SOCKET_SUFFIX
    if longest > SOCKET_PATH_MAX:
        raise ValueError(
            f"runtime directory {path} is too long for kernels' Unix sockets "
            f"({longest} > {SOCKET_PATH_MAX} bytes)"
        )
    return str(path)


@dataclass(frozen=True)
class LearnerSetup:
    """The hub's pre_spawn_hook: the memory cap, the learner's unix account, private home
    and copy of the notebooks of `suite`."""

    suite: Suite
    hand_out: str = "exercises"
    learner_memory: str = "2G"
    instructor_memory: str = "6G"

    def set_memory_cap(self, spawner):
        """`instructor_memory` for admins, `learner_memory` for everyone else. Learners see
        their use against it in JupyterLab's status bar (jupyter-resource-usage reads the
        MEM_LIMIT the spawner sets from it)."""
        spawner.mem_limit = self.instructor_memory if spawner.user.admin else self.learner_memory

    def hand_out_to(self, home, uid=None, gid=None):
        """The notebooks `home` does not have yet (see copy_missing_notebooks)."""
        return copy_missing_notebooks(home, self.suite, uid, gid, self.hand_out)

    def __call__(self, spawner):
        self.set_memory_cap(spawner)
        account = ensure_unix_user(unix_name(spawner.user.name))
        make_private(account.pw_dir)
        self.hand_out_to(account.pw_dir, account.pw_uid, account.pw_gid)
