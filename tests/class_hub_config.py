"""JupyterHub config of the class hub on one machine (tests/hub_driver.py starts it):
deploy/'s class hub, made runnable without root or systemd.

It loads deploy/jupyterhub_config.py first, then replaces only what needs root, systemd
or a person at a keyboard:

- SimpleLocalProcessSpawner, with each learner's home in the test's directory, instead
  of SystemdSpawner (so the memory and CPU caps are not enforced here);
- learners get the solved notebooks, not the exercise versions, so that Run All runs
  every cell;
- the hub runs in deploy's reverse-proxy mode (plain HTTP on loopback), on 127.0.0.1
  ports the test picked, with its logins file, database and kernels' sockets in the
  test's directory (each learner's kernels in their own short runtime directory);
- the test can drive the hub through an admin service token as well as learners' logins.

Everything else (the logins with one-time codes and their throttle, default URL, IPC
kernel transport, kernel culling, the idle-culler service, spawn timeouts) is the deploy
config itself. tests/hub_driver.py sets CLASS_TEST_* and SOFTMAX_LAB_*.
"""

import dataclasses
import os
from importlib.metadata import entry_points
from pathlib import Path

from softmax_lab_hub.authenticator import ClassAuthenticator
from softmax_lab_hub.serving import check_not_in_clear
from softmax_lab_hub.spawning import check_runtime_dir

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file
load_subconfig(str(Path(__file__).resolve().parents[1] / "deploy" / "jupyterhub_config.py"))  # noqa: F821

WORKDIR = Path(os.environ["CLASS_TEST_DIR"])
MARKER = {"CLASS_TEST_RUN": os.environ["CLASS_TEST_RUN"]}  # finds leftover processes
proxy_port, hub_port, proxy_api_port = os.environ["CLASS_TEST_PORTS"].split(",")

# An environment installed before the authenticator's entry point existed does not know
# its name: select the class itself there (test_deploy.py checks the name).
if c.JupyterHub.authenticator_class not in entry_points(group="jupyterhub.authenticators").names:
    c.JupyterHub.authenticator_class = ClassAuthenticator

c.JupyterHub.bind_url = f"http://127.0.0.1:{proxy_port}"
check_not_in_clear(c.JupyterHub)
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [os.environ["CLASS_TEST_PROXY"]]
c.JupyterHub.db_url = f"sqlite:///{WORKDIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(WORKDIR / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(WORKDIR / "home" / "{username}")
#: deploy's hook, handing out the solved notebooks: the test runs every notebook to its
#: end, which an exercise version does not reach before the learner has written the exercise.
learner_setup = dataclasses.replace(c.Spawner.pre_spawn_hook, hand_out="solved")


def hand_out(spawner):
    """deploy's memory cap and hand-out. (useradd makes a learner's home on the class
    machine; here the hook does.)"""
    learner_setup.set_memory_cap(spawner)
    Path(spawner.home_dir).mkdir(parents=True, exist_ok=True)
    learner_setup.hand_out_to(spawner.home_dir)


c.Spawner.pre_spawn_hook = hand_out
c.Spawner.environment = {
    **c.Spawner.environment,
    **MARKER,
    # kernels' Unix sockets: no private /tmp here, so a short directory per learner
    "JUPYTER_RUNTIME_DIR": lambda spawner: check_runtime_dir(WORKDIR / "rt" / spawner.user.name),
}
if os.getuid() == 0:  # Jupyter servers refuse to run as root unless told; learners are not root
    c.Spawner.args = [*c.Spawner.args, "--allow-root"]

for service in c.JupyterHub.services:
    service["environment"] = {**service.get("environment", {}), **MARKER}
c.JupyterHub.services.append({"name": "class-test", "api_token": os.environ["CLASS_TEST_TOKEN"]})
c.JupyterHub.load_roles.append({"name": "admin", "services": ["class-test"]})
