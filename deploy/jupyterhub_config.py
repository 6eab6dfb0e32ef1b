"""JupyterHub for one class on one Linux machine, serving softmax-lab to every learner.

The hub runs as root from a checkout of the suite (see deploy/jupyterhub.service):

- learners log in with the name the instructor gave them and pick their password on
  first login (FirstUseAuthenticator); only names on the roster, or added by an admin
  on /hub/admin, can log in;
- each learner's server runs as a systemd unit under its own unix account,
  `jupyter-<name>`, with a memory and a CPU cap (SystemdSpawner), and starts in
  JupyterLab on that learner's own copy of the notebooks: the exercise versions
  (course/release/) of those with exercises, so that nobody starts with the solutions;
- a kernel that ran nothing for IDLE_KERNEL_TIMEOUT_S is shut down, even with its tab
  still open (a kernel that imported TensorFlow holds about half a gigabyte; Run All
  brings it back in seconds), and a server nobody used for IDLE_SERVER_TIMEOUT_S is
  stopped (jupyterhub-idle-culler).

Size MEMORY_PER_LEARNER and the machine from the capacity table in the README.
"""

import os
import pwd
import re
import shutil
import subprocess
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

#: The checkout this file lives in: the notebooks are copied from here.
SUITE = Path(__file__).resolve().parent.parent
NOTEBOOKS = SUITE / "notebooks"
RELEASE = SUITE / "course" / "release"
#: "exercises": a notebook with exercises is handed out as its nbgrader release (each
#: solution replaced by `raise NotImplementedError()`); "solved": notebooks/ as it is.
HAND_OUT = "exercises"
#: The environment that `pip install ".[hub]"` made; the hub runs from it too.
ENV_BIN = Path(sys.executable).parent

#: One learner name per line; `#` starts a comment.
ROSTER = Path(os.environ.get("SOFTMAX_LAB_ROSTER", "/etc/jupyterhub/roster.txt"))
INSTRUCTORS = {"instructor"}
#: Hard caps per learner: the kernel is killed past the memory limit, so leave room
#: for two TensorFlow kernels (see the README's per-notebook table).
MEMORY_PER_LEARNER = "2G"
CPU_PER_LEARNER = 1.0
IDLE_KERNEL_TIMEOUT_S = 30 * 60
IDLE_SERVER_TIMEOUT_S = 60 * 60
#: Learners' unix accounts; the prefix keeps them apart from system accounts.
UNIX_NAME_TEMPLATE = "jupyter-{USERNAME}"
UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def read_roster(path):
    """The learner names listed in `path`, or none if it does not exist."""
    if not path.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return {line for line in lines if line}


def ensure_unix_user(name):
    """Create the unix account `name` with a home directory, unless it exists."""
    if not UNIX_NAME.match(name):
        raise ValueError(f"unix user name {name!r} must match {UNIX_NAME.pattern}")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        return pwd.getpwnam(name)


def handout(notebook, hand_out=HAND_OUT):
    """The file a learner gets for `notebook`: its exercise version, if it has one and
    `hand_out` is "exercises"."""
    if hand_out not in ("exercises", "solved"):
        raise ValueError(f'hand_out must be "exercises" or "solved", not {hand_out!r}')
    exercises = RELEASE / notebook.stem / notebook.name
    return exercises if hand_out == "exercises" and exercises.exists() else notebook


def copy_missing_notebooks(home, uid=None, gid=None, hand_out=HAND_OUT):
    """Copy into `home`/softmax-lab/notebooks each notebook the learner does not have yet.

    A learner's own edits are never overwritten; notebooks added to the suite later
    still reach them at their next server start.
    """
    target = Path(home) / "softmax-lab" / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        if not (target / notebook.name).exists():
            shutil.copy2(handout(notebook, hand_out), target / notebook.name)
            copied.append(target / notebook.name)
    if uid is not None:
        for path in [target.parent, target, *copied]:
            os.chown(path, uid, gid)
    return copied


def prepare_learner(spawner):
    """pre_spawn_hook: the learner's unix account and their copy of the notebooks."""
    account = ensure_unix_user(UNIX_NAME_TEMPLATE.format(USERNAME=spawner.user.name))
    copy_missing_notebooks(account.pw_dir, account.pw_uid, account.pw_gid)


# --- who can log in -------------------------------------------------------------------
c.JupyterHub.authenticator_class = "firstuseauthenticator"
c.FirstUseAuthenticator.create_users = False  # only names the instructor listed or added
c.FirstUseAuthenticator.min_password_length = 8
c.Authenticator.allowed_users = read_roster(ROSTER)
c.Authenticator.allow_existing_users = True  # learners added on /hub/admin can log in too
c.Authenticator.admin_users = INSTRUCTORS

# --- each learner's server ------------------------------------------------------------
c.JupyterHub.spawner_class = "systemdspawner"
c.SystemdSpawner.username_template = UNIX_NAME_TEMPLATE
c.SystemdSpawner.mem_limit = MEMORY_PER_LEARNER
c.SystemdSpawner.cpu_limit = CPU_PER_LEARNER
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.isolate_devices = True
c.SystemdSpawner.disable_user_sudo = True
c.SystemdSpawner.extra_paths = [str(ENV_BIN)]
c.Spawner.pre_spawn_hook = prepare_learner
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/softmax-lab/notebooks"
c.Spawner.args = [
    f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_TIMEOUT_S}",
    "--MappingKernelManager.cull_connected=True",
    "--MappingKernelManager.cull_interval=60",
]
# A whole class logging in at once shares the CPU: give each start longer than the default.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180

# --- the hub itself -------------------------------------------------------------------
# Put TLS in front (a reverse proxy, or c.JupyterHub.ssl_cert / ssl_key) before a class uses it.
c.JupyterHub.bind_url = "http://:8000"
# A hub restart (config change) leaves learners' servers running.
c.JupyterHub.cleanup_servers = False

# --- idle culler: give back the memory of servers nobody uses -------------------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={IDLE_SERVER_TIMEOUT_S}"],
    },
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
