"""JupyterHub for one class on one Linux machine, serving softmax-lab to every learner.

The hub runs as root from a checkout of the suite, with softmax_lab_hub installed (the
`hub` extra; see deploy/jupyterhub.service, and docs/class-hub.md for what is guaranteed
and how each guarantee is tested). This file holds the settings; the code is the package's:

- nobody logs in under a name the instructor did not list (softmax_lab_hub.authenticator):
  the instructor's password is set at install time (`softmax-lab-class instructor`), and
  a learner's first login needs the one-time code the instructor handed them
  (`softmax-lab-class codes --roster FILE`), with which they choose their password;
- the hub serves HTTPS itself (SERVE = "tls": it refuses to start without TLS_CERT and
  TLS_KEY), or plain HTTP on 127.0.0.1 only behind a reverse proxy on this machine that
  does TLS (SERVE = "reverse-proxy");
- each learner's server runs as a systemd unit under its own unix account,
  `jupyter-<name>`, with a memory and a CPU cap (SystemdSpawner), and starts in
  JupyterLab on that learner's own copy of the notebooks: the exercise versions
  (course/release/) of those with exercises, so that nobody starts with the solutions;
  the solutions themselves (SUITE.solutions) are out of the learners' units' reach, and root
  never follows a path a learner controls (softmax_lab_hub.handout);
- a kernel that ran nothing for IDLE_KERNEL_TIMEOUT_S is shut down, even with its tab
  still open (a kernel that imported TensorFlow holds about half a gigabyte; Run All
  brings it back in seconds), and a server nobody used for IDLE_SERVER_TIMEOUT_S is
  stopped (jupyterhub-idle-culler);
- kernels talk to their server over Unix sockets (IPC transport) in a private /tmp, not
  TCP ports: two learners' servers starting kernels at the same moment can pick the same
  free TCP port, and one kernel then dies (`ZMQError: Address already in use`).

Size MEMORY_PER_LEARNER and the machine from the capacity table in the README.
"""

import os
import secrets
import sys
from pathlib import Path

from softmax_lab_hub.accounts import UNIX_NAME_TEMPLATE
from softmax_lab_hub.logins import (
    INSTRUCTOR,
    admin_token_path,
    check_logins,
    logins_path,
    private_file,
)
from softmax_lab_hub.serving import check_not_in_clear, listen
from softmax_lab_hub.spawning import LearnerSetup, check_runtime_dir
from softmax_lab_hub.suite import Suite

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

#: The checkout this file lives in: the notebooks are handed out from here.
SUITE = Suite(Path(__file__).resolve().parent.parent)
#: "exercises": a notebook with exercises is handed out as its nbgrader release (each
#: solution replaced by `raise NotImplementedError()`); "solved": notebooks/ as it is.
HAND_OUT = "exercises"
#: The environment that `pip install ".[hub]"` made; the hub runs from it too.
ENV_BIN = Path(sys.executable).parent

#: The hashes of every login (`softmax-lab-class` writes them), in the hub's state
#: directory: SOFTMAX_LAB_LOGINS, by default /var/lib/jupyterhub/logins.json.
LOGINS = logins_path()
#: The token with which `softmax-lab-class` ends sessions through the hub's API.
CLASS_ADMIN_TOKEN = admin_token_path(LOGINS)
INSTRUCTORS = {INSTRUCTOR}
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
#: Each learner's unit: no solutions, no cloud metadata service, a bound on processes and
#: threads (a fork bomb stops there; a TensorFlow kernel starts a few threads per core).
LEARNER_UNIT = {
    "InaccessiblePaths": " ".join(f"-{path}" for path in SUITE.solutions),
    "IPAddressDeny": "169.254.169.254",
    "TasksMax": "4096",
}
#: Kernels' Unix sockets, in SystemdSpawner's private /tmp of each learner.
KERNEL_RUNTIME_DIR = "/tmp/jupyter-runtime"

# --- who can log in -------------------------------------------------------------------
c.JupyterHub.authenticator_class = "softmax-lab"  # softmax_lab_hub's ClassAuthenticator
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
# the memory cap, the learner's unix account, private home and copy of the notebooks
c.Spawner.pre_spawn_hook = LearnerSetup(SUITE, HAND_OUT, MEMORY_PER_LEARNER, MEMORY_PER_INSTRUCTOR)
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
for setting, value in listen(SERVE, TLS_CERT, TLS_KEY, TLS_PORT).items():
    setattr(c.JupyterHub, setting, value)
# Cookies only over HTTPS, in both modes (behind a reverse proxy the hub sees plain HTTP),
# and browsers told to keep to HTTPS.
c.JupyterHub.tornado_settings = {
    "cookie_options": {"secure": True},
    "headers": {"Strict-Transport-Security": HSTS},
}
if SERVE == "tls":
    c.ConfigurableHTTPProxy.command = [
        "configurable-http-proxy",
        "--redirect-port",
        str(HTTP_PORT),
        "--redirect-to",
        str(TLS_PORT),
    ]
check_not_in_clear(c.JupyterHub)
# A hub restart (config change) leaves learners' servers running.
c.JupyterHub.cleanup_servers = False

# --- services: the idle culler gives back the memory of servers nobody uses -----------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={IDLE_SERVER_TIMEOUT_S}",
        ],
    },
    # softmax-lab-class: ends the sessions of names removed or reset
    {"name": "class-admin", "api_token": private_file(CLASS_ADMIN_TOKEN, secrets.token_hex(32))},
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
    {"name": "class-admin", "scopes": ["delete:users"], "services": ["class-admin"]},
]
