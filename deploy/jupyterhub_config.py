"""JupyterHub for one class on one Linux machine, serving softmax-lab to every learner.

The hub runs as root from a checkout of the suite (see deploy/jupyterhub.service, and
docs/class-hub.md for what is guaranteed and how each guarantee is tested):

- nobody logs in under a name the instructor did not list (deploy/class_logins.py): the
  instructor's password is set at install time (`deploy/class_admin.py instructor`), and
  a learner's first login needs the one-time code the instructor handed them
  (`deploy/class_admin.py codes --roster FILE`), with which they choose their password;
- the hub serves HTTPS itself (SERVE = "tls": it refuses to start without TLS_CERT and
  TLS_KEY), or plain HTTP on 127.0.0.1 only behind a reverse proxy on this machine that
  does TLS (SERVE = "reverse-proxy");
- each learner's server runs as a systemd unit under its own unix account,
  `jupyter-<name>`, with a memory and a CPU cap (SystemdSpawner), and starts in
  JupyterLab on that learner's own copy of the notebooks: the exercise versions
  (course/release/) of those with exercises, so that nobody starts with the solutions;
  the solutions themselves (SOLUTIONS) are out of the learners' units' reach, and root
  never follows a path a learner controls (copy_missing_notebooks);
- a kernel that ran nothing for IDLE_KERNEL_TIMEOUT_S is shut down, even with its tab
  still open (a kernel that imported TensorFlow holds about half a gigabyte; Run All
  brings it back in seconds), and a server nobody used for IDLE_SERVER_TIMEOUT_S is
  stopped (jupyterhub-idle-culler);
- kernels talk to their server over Unix sockets (IPC transport) in a private /tmp, not
  TCP ports: two learners' servers starting kernels at the same moment can pick the same
  free TCP port, and one kernel then dies (`ZMQError: Address already in use`).

Size MEMORY_PER_LEARNER and the machine from the capacity table in the README.
"""

import ipaddress
import logging
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from class_logins import ClassAuthenticator, Logins, private_file  # noqa: E402
from learner_files import CREATE_FILE, OPEN_DIR, learners_dir  # noqa: E402

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file
log = logging.getLogger("JupyterHub")

#: The checkout this file lives in: the notebooks are copied from here.
SUITE = Path(__file__).resolve().parent.parent
NOTEBOOKS = SUITE / "notebooks"
RELEASE = SUITE / "course" / "release"
#: Where each learner's copy of the notebooks is, in their home.
LEARNER_NOTEBOOKS = Path("softmax-lab", "notebooks")
#: "exercises": a notebook with exercises is handed out as its nbgrader release (each
#: solution replaced by `raise NotImplementedError()`); "solved": notebooks/ as it is.
HAND_OUT = "exercises"
#: The environment that `pip install ".[hub]"` made; the hub runs from it too.
ENV_BIN = Path(sys.executable).parent

#: What learners must not read: the solved notebooks, nbgrader's sources, the history.
SOLUTIONS = [SUITE / "notebooks", SUITE / "course" / "source", SUITE / ".git"]

#: The hashes of every login (deploy/class_admin.py writes them), in the hub's state directory.
LOGINS = Path(os.environ.get("SOFTMAX_LAB_LOGINS", "/var/lib/jupyterhub/logins.json"))
#: The token with which `class_admin.py` ends sessions through the hub's API.
CLASS_ADMIN_TOKEN = LOGINS.with_name("class-admin.token")
INSTRUCTORS = {"instructor"}
#: "tls": HTTPS on every interface at TLS_PORT; "reverse-proxy": HTTP on 127.0.0.1:8000 only.
SERVE = os.environ.get("SOFTMAX_LAB_SERVE", "tls")
TLS_DIR = Path(os.environ.get("SOFTMAX_LAB_TLS_DIR", "/etc/jupyterhub/tls"))
TLS_CERT, TLS_KEY = TLS_DIR / "fullchain.pem", TLS_DIR / "privkey.pem"
TLS_PORT = 443
HTTP_PORT = 80  # "tls": redirects to TLS_PORT
#: Proxies that append to X-Forwarded-For before the hub: configurable-http-proxy, and the
#: reverse proxy in front of it. The client's address is the one the first of them saw.
TRUSTED_HOPS = {"tls": 1, "reverse-proxy": 2}
#: Browsers keep to HTTPS for this hub for a year once they have seen it.
HSTS = "max-age=31536000"
#: A login lasts this long without use of the password; sessions of a name that is
#: removed or reset end within AUTH_REFRESH_S.
COOKIE_MAX_AGE_DAYS = 3
AUTH_REFRESH_S = 60
#: Hard caps per learner: the kernel is killed past the memory limit, so leave room
#: for two TensorFlow kernels (see the README's per-notebook table).
MEMORY_PER_LEARNER = "2G"
#: The instructor (an admin) grades in their own server, with more room than a learner.
MEMORY_PER_INSTRUCTOR = "6G"
CPU_PER_LEARNER = 1.0
IDLE_KERNEL_TIMEOUT_S = 30 * 60
IDLE_SERVER_TIMEOUT_S = 60 * 60
#: Learners' unix accounts; the prefix keeps them apart from system accounts.
UNIX_NAME_TEMPLATE = "jupyter-{USERNAME}"
UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
#: A learner's home: nobody else reads it (their notebooks hold their answers).
HOME_MODE = 0o700
#: Learners have no login shell, and sshd refuses their group (deploy/sshd-learners.conf).
NO_LOGIN_SHELL = "/usr/sbin/nologin"
LEARNERS_GROUP = "jupyterhub-learners"
#: Called by absolute path: the hub runs as root, and never looks them up on PATH.
USERADD, GROUPADD = "/usr/sbin/useradd", "/usr/sbin/groupadd"
#: Each learner's unit: no solutions, no cloud metadata service, a bound on processes and
#: threads (a fork bomb stops there; a TensorFlow kernel starts a few threads per core).
LEARNER_UNIT = {
    "InaccessiblePaths": " ".join(f"-{path}" for path in SOLUTIONS),
    "IPAddressDeny": "169.254.169.254",
    "TasksMax": "4096",
}


#: Kernels' Unix sockets: `<dir>/kernel-<36-character id>-ipc-<n>`, in SystemdSpawner's
#: private /tmp of each learner. A socket path holds at most 107 bytes on Linux.
KERNEL_RUNTIME_DIR = "/tmp/jupyter-runtime"
SOCKET_PATH_MAX = 107
KERNEL_SOCKET_SUFFIX = len("/kernel-00000000-0000-0000-0000-000000000000-ipc-99")


def check_runtime_dir(path):
    """Raise ValueError if kernels' sockets in `path` would not fit a Unix socket path."""
    longest = len(os.fsencode(path)) + KERNEL_SOCKET_SUFFIX
    if longest > SOCKET_PATH_MAX:
        raise ValueError(f"runtime directory {path} is too long for kernels' Unix sockets "
                         f"({longest} > {SOCKET_PATH_MAX} bytes)")
    return str(path)


def is_loopback(bind_url):
    host = urlsplit(bind_url).hostname or ""  # "http://:8000" is every interface
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(serve=SERVE, cert=TLS_CERT, key=TLS_KEY, port=TLS_PORT):
    """The hub's public address and TLS files for `serve`; refuse what would send
    passwords in clear beyond this machine."""
    if serve == "reverse-proxy":
        return {"bind_url": "http://127.0.0.1:8000"}
    if serve != "tls":
        raise ValueError(f'SERVE must be "tls" or "reverse-proxy", not {serve!r}')
    missing = [str(path) for path in (cert, key) if not Path(path).is_file()]
    if missing:
        raise ValueError(f"the hub serves HTTPS and needs {' and '.join(missing)}: see "
                         "docs/class-hub.md (Let's Encrypt, campus CA), "
                         'or SERVE = "reverse-proxy"')
    if Path(key).stat().st_mode & 0o077:
        raise ValueError(f"{key} is readable by others than its owner: chmod 600 {key}")
    return {"bind_url": f"https://:{port}", "ssl_cert": str(cert), "ssl_key": str(key)}


def check_not_in_clear(hub, proxy_api_url=""):
    """Raise ValueError if the hub's config `hub` serves plain HTTP beyond loopback, or
    its own API or the proxy's is reachable beyond loopback."""
    bind_url = hub.get("bind_url", "")
    tls = hub.get("ssl_cert") and hub.get("ssl_key")
    if not tls and not is_loopback(bind_url):
        raise ValueError(f"refusing to serve logins in clear on {bind_url}: set TLS_CERT and "
                         "TLS_KEY, or bind 127.0.0.1 behind a reverse proxy that does TLS")
    for internal in [hub.get("hub_bind_url", ""), proxy_api_url]:
        if internal and not is_loopback(internal):
            raise ValueError(f"refusing to open the hub's internals on {internal}: "
                             "bind them to 127.0.0.1")


def check_logins(path):
    """Raise if the logins file is missing, unreadable or has no instructor: the hub does
    not start with nobody (or the wrong file) able to log in."""
    if INSTRUCTORS - Logins(path).read().keys():
        raise ValueError(f"{path} has no instructor: run `class_admin.py instructor`")


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
        subprocess.run([USERADD, "--create-home", "--shell", NO_LOGIN_SHELL, "--user-group",
                        "--groups", LEARNERS_GROUP, name], check=True)
        return pwd.getpwnam(name)


def handout(notebook, hand_out=HAND_OUT):
    """The file a learner gets for `notebook`: its exercise version, if it has one and
    `hand_out` is "exercises"."""
    if hand_out not in ("exercises", "solved"):
        raise ValueError(f'hand_out must be "exercises" or "solved", not {hand_out!r}')
    exercises = RELEASE / notebook.stem / notebook.name
    return exercises if hand_out == "exercises" and exercises.exists() else notebook


# The hand-out runs as root in a home the learner controls: deploy/learner_files.py opens
# every directory by file descriptor, never through a symlink, and only ever creates files.
def copy_missing_notebooks(home, uid=None, gid=None, hand_out=HAND_OUT):
    """Copy into `home`/softmax-lab/notebooks each notebook the learner does not have yet,
    as files of `uid`'s. Returns the paths copied.

    A learner's own edits are never overwritten; notebooks added to the suite later
    still reach them at their next server start. Whatever the learner put in the way
    (a symlink, a file) is left alone, and nothing is copied past it.
    """
    target = Path(home) / LEARNER_NOTEBOOKS
    with learners_dir(home, LEARNER_NOTEBOOKS.parts, uid, gid) as fd:
        if fd is None:
            log.warning("not handing out notebooks: %s is not a directory of the learner's "
                        "own all the way", target)
            return []
        copied = []
        for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
            try:
                out = os.open(notebook.name, CREATE_FILE, 0o644, dir_fd=fd)
            except FileExistsError:
                continue
            with open(out, "wb") as copy, open(handout(notebook, hand_out), "rb") as source:
                if uid is not None:
                    os.fchown(out, uid, gid)
                shutil.copyfileobj(source, copy)
            copied.append(target / notebook.name)
        return copied


def make_private(home):
    """Only its owner may enter `home` (useradd follows the umask: 755 on Debian)."""
    fd = os.open(home, OPEN_DIR)
    try:
        os.fchmod(fd, HOME_MODE)
    finally:
        os.close(fd)


def set_memory_cap(spawner):
    """MEMORY_PER_INSTRUCTOR for admins, MEMORY_PER_LEARNER for everyone else. Learners
    see their use against it in JupyterLab's status bar (jupyter-resource-usage reads
    the MEM_LIMIT the spawner sets from it)."""
    spawner.mem_limit = MEMORY_PER_INSTRUCTOR if spawner.user.admin else MEMORY_PER_LEARNER


def prepare_learner(spawner):
    """pre_spawn_hook: the memory cap, the learner's unix account, private home and copy
    of the notebooks."""
    set_memory_cap(spawner)
    account = ensure_unix_user(UNIX_NAME_TEMPLATE.format(USERNAME=spawner.user.name))
    make_private(account.pw_dir)
    copy_missing_notebooks(account.pw_dir, account.pw_uid, account.pw_gid)


# --- who can log in -------------------------------------------------------------------
c.JupyterHub.authenticator_class = ClassAuthenticator
c.ClassAuthenticator.logins_path = str(LOGINS)
c.ClassAuthenticator.trusted_hops = TRUSTED_HOPS.get(SERVE, 1)
c.Authenticator.admin_users = INSTRUCTORS
c.Authenticator.auth_refresh_age = AUTH_REFRESH_S
c.Authenticator.auth_refresh_strict = True  # a stale session is refused on API calls too
c.Authenticator.refresh_pre_spawn = True
c.JupyterHub.cookie_max_age_days = COOKIE_MAX_AGE_DAYS
check_logins(LOGINS)

# --- each learner's server ------------------------------------------------------------
c.JupyterHub.spawner_class = "systemdspawner"
c.SystemdSpawner.username_template = UNIX_NAME_TEMPLATE
c.SystemdSpawner.mem_limit = MEMORY_PER_LEARNER
c.SystemdSpawner.cpu_limit = CPU_PER_LEARNER
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.isolate_devices = True
c.SystemdSpawner.disable_user_sudo = True
c.SystemdSpawner.extra_paths = [str(ENV_BIN)]
c.SystemdSpawner.unit_extra_properties = LEARNER_UNIT
c.SystemdSpawner.default_shell = "/bin/bash"  # JupyterLab's terminal: not a login shell
c.Spawner.pre_spawn_hook = prepare_learner
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/softmax-lab/notebooks"
c.Spawner.args = [
    f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_TIMEOUT_S}",
    "--MappingKernelManager.cull_connected=True",
    "--MappingKernelManager.cull_interval=60",
    "--KernelManager.transport=ipc",
]
c.Spawner.environment = {"JUPYTER_RUNTIME_DIR": check_runtime_dir(KERNEL_RUNTIME_DIR)}
# A whole class logging in at once shares the CPU: give each start longer than the default.
# (Server starts queue on the cores: the README's capacity table has 16 servers ready after
# 70-90 s on 2 cores, so 32 need about twice that.)
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300

# --- the hub itself -------------------------------------------------------------------
for setting, value in listen().items():
    setattr(c.JupyterHub, setting, value)
# Cookies only over HTTPS, in both modes (behind a reverse proxy the hub sees plain HTTP),
# and browsers told to keep to HTTPS.
c.JupyterHub.tornado_settings = {"cookie_options": {"secure": True},
                                 "headers": {"Strict-Transport-Security": HSTS}}
if SERVE == "tls":
    c.ConfigurableHTTPProxy.command = ["configurable-http-proxy", "--redirect-port",
                                       str(HTTP_PORT), "--redirect-to", str(TLS_PORT)]
check_not_in_clear(c.JupyterHub)
# A hub restart (config change) leaves learners' servers running.
c.JupyterHub.cleanup_servers = False

# --- services: the idle culler gives back the memory of servers nobody uses -----------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={IDLE_SERVER_TIMEOUT_S}"],
    },
    # deploy/class_admin.py: ends the sessions of names removed or reset
    {"name": "class-admin",
     "api_token": private_file(CLASS_ADMIN_TOKEN, secrets.token_hex(32))},
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
    {"name": "class-admin", "scopes": ["delete:users"], "services": ["class-admin"]},
]
