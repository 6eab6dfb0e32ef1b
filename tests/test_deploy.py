"""The container spec (binder/) and the class hub (deploy/, softmax_lab_hub) do what
docs/class-hub.md says.

This machine has no Docker engine, so the image itself is not built: repo2docker
renders the Dockerfile it would build (`--no-build`) and the tests read it.
"""

import grp
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path

import pytest
from ci import free_ports, missing
from docker.utils.build import exclude_paths
from jupyterhub.app import JupyterHub
from traitlets.config import PyFileConfigLoader

from softmax_lab_hub import admin, grading
from softmax_lab_hub.accounts import LEARNERS_GROUP, ensure_unix_user, make_private, unix_name
from softmax_lab_hub.authenticator import ClassAuthenticator
from softmax_lab_hub.handout import LEARNER_NOTEBOOKS, copy_missing_notebooks, handout
from softmax_lab_hub.learner_files import read_learners_file, write_learners_file
from softmax_lab_hub.logins import Logins
from softmax_lab_hub.serving import check_not_in_clear, listen
from softmax_lab_hub.spawning import LearnerSetup, check_runtime_dir
from softmax_lab_hub.suite import Suite

ROOT = Path(__file__).resolve().parents[1]
SUITE = Suite(ROOT)
BIN = Path(sys.executable).parent
HUB_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
NOT_INSTALLED = (
    "this environment's install of softmax-lab predates its entry points: "
    '`make install` (or `pip install -e ".[test]"`) registers them'
)

#: A uid and gid nobody on this machine has: a learner's, for the hand-out's tests.
LEARNER_UID = LEARNER_GID = 54321
needs_root = pytest.mark.skipif(
    os.getuid() != 0, reason="needs root (CI runs as root): chown, useradd"
)


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    """The hub's state directory: a logins file with an instructor."""
    state = tmp_path_factory.mktemp("state")
    Logins(state / "logins.json", rounds=4).set_password(
        "instructor", "instructors-password", create=True
    )
    return state


@pytest.fixture(scope="module")
def repo2docker():
    """What `repo2docker --no-build` prints: the Dockerfile (stdout) and its log (stderr)."""
    return subprocess.run(
        [BIN / "repo2docker", "--no-build", str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def dockerfile(repo2docker):
    return repo2docker.stdout


def test_image_installs_the_suite_after_copying_the_repository(dockerfile):
    copy_repo = dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    install = dockerfile.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert copy_repo < install
    requirements = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert [line for line in requirements if line and not line.startswith("#")] == ["."]


def test_image_uses_the_python_the_suite_is_measured_on(repo2docker):
    assert "Building conda environment for python=3.11" in repo2docker.stderr


def test_image_runs_post_build_after_installing(dockerfile):
    install = dockerfile.index('-r "binder/requirements.txt"')
    assert install < dockerfile.index("RUN ./binder/postBuild")


def test_build_context_has_the_suite_but_not_the_local_environment():
    ignore = (ROOT / "binder" / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in ignore if line.strip() and not line.startswith("#")]
    context = exclude_paths(str(ROOT), patterns)
    assert "lab_utils/numerics.py" in context
    assert "notebooks/01_softmax_function.ipynb" in context
    assert not any(path.startswith((".venv/", ".git/", ".ci/node/")) for path in context)


def landing_url(port, token, timeout_s=180):
    """Where the server at `port` redirects `/`, once it answers (slowly on a busy machine)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            opener.open(f"http://127.0.0.1:{port}/?token={token}", timeout=5)
        except urllib.error.HTTPError as redirect:
            return redirect.headers["Location"]
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"no server answered on port {port} within {timeout_s} s")


def test_post_build_opens_jupyterlab_on_the_notebooks(tmp_path):
    prefix = tmp_path / "env"
    subprocess.run(
        ["bash", "binder/postBuild"],
        cwd=ROOT,
        check=True,
        env={"PATH": "/usr/bin:/bin", "NB_PYTHON_PREFIX": str(prefix)},
    )
    port, token = free_ports()[0], "deploy-test"
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    root_args = ["--allow-root"] if os.getuid() == 0 else []  # learners are not root
    lab = subprocess.Popen(
        [
            BIN / "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}",
            *root_args,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert landing_url(port, token).split("?")[0].endswith("/lab/tree/notebooks")
    finally:
        lab.terminate()
        lab.wait(timeout=30)


def load_hub_config(state, **environ):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTMAX_LAB_LOGINS", str(state / "logins.json"))
        for name, value in environ.items():
            patch.setenv(name, value)
        return PyFileConfigLoader(HUB_CONFIG.name, path=str(HUB_CONFIG.parent)).load_config()


@pytest.fixture(scope="module")
def hub_config(state_dir):
    return load_hub_config(state_dir, SOFTMAX_LAB_SERVE="reverse-proxy")


def test_hub_uses_the_class_logins_and_systemd_limits(hub_config):
    hub = JupyterHub(spawner_class=hub_config.JupyterHub.spawner_class)
    assert hub_config.JupyterHub.authenticator_class == "softmax-lab"
    assert hub_config.ClassAuthenticator.logins_path.endswith("/logins.json")
    assert hub_config.Authenticator.admin_users == {"instructor"}
    assert hub.spawner_class.__name__ == "SystemdSpawner"
    assert hub_config.SystemdSpawner.mem_limit.endswith("G")
    assert 0 < hub_config.SystemdSpawner.cpu_limit <= 2
    assert hub_config.Spawner.default_url == "/lab/tree/softmax-lab/notebooks"


def test_hub_culls_idle_kernels_and_servers(hub_config):
    assert any(
        arg.startswith("--MappingKernelManager.cull_idle_timeout=")
        for arg in hub_config.Spawner.args
    )
    (culler,) = [s for s in hub_config.JupyterHub.services if s["name"] == "idle-culler"]
    assert culler["command"][1:3] == ["-m", "jupyterhub_idle_culler"]
    assert find_spec("jupyterhub_idle_culler") is not None
    (role,) = [r for r in hub_config.JupyterHub.load_roles if r["name"] == "idle-culler"]
    assert role["services"] == [culler["name"]]
    assert {"read:users:activity", "delete:servers"} <= set(role["scopes"])


def test_the_hub_selects_the_class_authenticator_by_name(hub_config):
    if "softmax-lab" not in entry_points(group="jupyterhub.authenticators").names:
        missing(NOT_INSTALLED)
    assert JupyterHub(config=hub_config).authenticator_class is ClassAuthenticator


def test_the_instructors_command_is_installed():
    (script,) = entry_points(group="console_scripts", name="softmax-lab-class") or [None]
    if script is None:
        missing(NOT_INSTALLED)
    assert script.load() is admin.main
    usage = subprocess.run(
        [BIN / "softmax-lab-class", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ["instructor", "codes", "remove", "collect", "grade", "return"]:
        assert command in usage, command


def test_learners_get_the_checkouts_notebooks_with_their_caps(hub_config):
    setup = hub_config.Spawner.pre_spawn_hook
    assert isinstance(setup, LearnerSetup)
    assert (setup.suite, setup.hand_out) == (SUITE, "exercises")
    assert setup.learner_memory == hub_config.SystemdSpawner.mem_limit


def test_hub_refuses_to_start_without_tls_files_by_default(state_dir, tmp_path):
    with pytest.raises(ValueError, match="the hub serves HTTPS and needs"):
        load_hub_config(state_dir, SOFTMAX_LAB_TLS_DIR=str(tmp_path))


def tls_files(directory):
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    cert.write_text("certificate")
    key.write_text("key")
    key.chmod(0o600)
    return cert, key


def test_hub_serves_https_with_the_certificate_and_key(tmp_path):
    cert, key = tls_files(tmp_path)
    assert listen("tls", cert, key, 443) == {
        "bind_url": "https://:443",
        "ssl_cert": str(cert),
        "ssl_key": str(key),
    }
    with pytest.raises(ValueError, match="privkey.pem"):
        listen("tls", cert, tmp_path / "privkey.pem.missing", 443)
    with pytest.raises(ValueError, match='SERVE must be "tls" or "reverse-proxy"'):
        listen("http", cert, key, 443)


def test_behind_a_reverse_proxy_the_hub_binds_loopback_only(hub_config):
    assert hub_config.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert "ssl_cert" not in hub_config.JupyterHub


@pytest.mark.parametrize(
    "bind_url",
    ["http://:8000", "http://0.0.0.0:8000", "http://10.0.0.5:80", "http://hub.example.edu/"],
)
def test_plain_http_beyond_loopback_is_refused(bind_url):
    with pytest.raises(ValueError, match="refusing to serve logins in clear"):
        check_not_in_clear({"bind_url": bind_url})


@pytest.mark.parametrize(
    "bind_url", ["http://127.0.0.1:8000", "http://[::1]:8000", "http://localhost:8000"]
)
def test_plain_http_on_loopback_is_allowed(bind_url):
    check_not_in_clear({"bind_url": bind_url})


def test_kernels_use_unix_sockets_in_a_short_private_directory(hub_config):
    assert "--KernelManager.transport=ipc" in hub_config.Spawner.args
    assert hub_config.Spawner.environment["JUPYTER_RUNTIME_DIR"] == "/tmp/jupyter-runtime"
    assert hub_config.SystemdSpawner.isolate_tmp is True  # each learner's own /tmp
    with pytest.raises(ValueError, match="too long for kernels' Unix sockets"):
        check_runtime_dir("/home/" + "a" * 60)


def test_learner_gets_every_notebook_and_keeps_their_edits(tmp_path):
    copied = copy_missing_notebooks(tmp_path, SUITE)
    names = sorted(path.name for path in copied)
    assert names == sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
    edited = copied[0]
    edited.write_text("the learner's work")
    assert copy_missing_notebooks(tmp_path, SUITE) == []
    assert edited.read_text() == "the learner's work"


def test_learners_get_the_exercise_versions_not_the_solutions(tmp_path):
    release = ROOT / "course" / "release"
    with_exercises = {path.name for path in release.glob("*/*.ipynb")}
    assert "01_softmax_function.ipynb" in with_exercises
    for path in copy_missing_notebooks(tmp_path, SUITE):
        exercises = release / path.stem / path.name
        handed_out = exercises if path.name in with_exercises else ROOT / "notebooks" / path.name
        assert path.read_bytes() == handed_out.read_bytes(), path.name


def test_the_class_test_can_hand_out_the_solved_notebooks(tmp_path):
    for path in copy_missing_notebooks(tmp_path, SUITE, hand_out="solved"):
        assert path.read_bytes() == (ROOT / "notebooks" / path.name).read_bytes()
    with pytest.raises(ValueError, match='hand_out must be "exercises" or "solved"'):
        handout(ROOT / "notebooks" / "01_softmax_function.ipynb", SUITE, "answers")


def test_unix_account_names_are_checked_before_useradd():
    with pytest.raises(ValueError, match="must match"):
        ensure_unix_user("jupyter-Ada; rm -rf /")


def test_a_learners_home_is_made_private(tmp_path):
    home = tmp_path / "jupyter-ada"
    home.mkdir(mode=0o755)
    make_private(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


# --- the hand-out, as root, in a home the learner controls --------------------------------


@pytest.fixture
def learners_home():
    """A learner's home (uid LEARNER_UID) and, beside it, a directory of root's 0755: the
    learner's target. Both in a directory the learner may cross, as /home is."""
    base = Path(tempfile.mkdtemp(prefix="handout-"))
    base.chmod(0o755)
    home, victim = base / "jupyter-mallory", base / "victim"
    home.mkdir()
    os.chown(home, LEARNER_UID, LEARNER_GID)
    victim.mkdir(mode=0o755)
    yield home, victim
    shutil.rmtree(base)


def as_learner(*command):
    """Run `command` as the learner: what they can do from their terminal."""
    subprocess.run(command, check=True, user=LEARNER_UID, group=LEARNER_GID, extra_groups=[])


def assert_untouched(victim):
    assert (victim.stat().st_uid, stat.S_IMODE(victim.stat().st_mode)) == (0, 0o755)
    assert list(victim.iterdir()) == []


@needs_root
def test_the_hand_out_gives_the_learner_their_notebooks(learners_home):
    home, _ = learners_home
    make_private(home)
    copied = copy_missing_notebooks(home, SUITE, LEARNER_UID, LEARNER_GID)
    assert copied and stat.S_IMODE(home.stat().st_mode) == 0o700
    for path in [home / "softmax-lab", home / "softmax-lab" / "notebooks", *copied]:
        assert path.stat().st_uid == LEARNER_UID, path


@needs_root
def test_the_hand_out_does_not_follow_a_symlinked_folder_out_of_the_home(learners_home):
    home, victim = learners_home
    as_learner("ln", "-s", str(victim), str(home / "softmax-lab"))
    copied = copy_missing_notebooks(home, SUITE, LEARNER_UID, LEARNER_GID)
    assert_untouched(victim)
    assert copied == []


@needs_root
def test_the_hand_out_does_not_follow_a_symlinked_notebooks_folder(learners_home):
    home, victim = learners_home
    as_learner("mkdir", str(home / "softmax-lab"))
    as_learner("ln", "-s", str(victim), str(home / "softmax-lab" / "notebooks"))
    copied = copy_missing_notebooks(home, SUITE, LEARNER_UID, LEARNER_GID)
    assert_untouched(victim)
    assert copied == []


@needs_root
def test_the_hand_out_does_not_create_files_through_a_dangling_symlink(learners_home):
    home, victim = learners_home
    notebooks = home / "softmax-lab" / "notebooks"
    as_learner("mkdir", "-p", str(notebooks))
    as_learner("ln", "-s", str(victim / "ld.so.preload"), str(notebooks / SMOKE_NOTEBOOK))
    copied = copy_missing_notebooks(home, SUITE, LEARNER_UID, LEARNER_GID)
    assert_untouched(victim)
    assert notebooks / SMOKE_NOTEBOOK not in copied and copied  # the others are handed out
    assert (notebooks / SMOKE_NOTEBOOK).is_symlink()


SMOKE_NOTEBOOK = "01_softmax_function.ipynb"


class Spawner:
    """What the pre_spawn_hook reads of a spawner: its user, and the cap it sets."""

    def __init__(self, name="ada", admin=False):
        self.user = type("User", (), {"name": name, "admin": admin})
        self.mem_limit = None


@needs_root
def test_the_hubs_pre_spawn_hook_makes_the_account_and_hands_out_the_notebooks(hub_config):
    setup = hub_config.Spawner.pre_spawn_hook
    name = f"zz{os.getpid() % 100000}"
    group_existed = (
        subprocess.run(["getent", "group", LEARNERS_GROUP], capture_output=True).returncode == 0
    )
    spawner = Spawner(name)
    try:
        setup(spawner)
        account = pwd.getpwnam(unix_name(name))
        home = Path(account.pw_dir)
        assert (home.stat().st_uid, stat.S_IMODE(home.stat().st_mode)) == (account.pw_uid, 0o700)
        handed_out = sorted((home / LEARNER_NOTEBOOKS).iterdir())
        assert [path.name for path in handed_out] == sorted(
            path.name for path in SUITE.notebooks.glob("*.ipynb")
        )
        assert all(path.stat().st_uid == account.pw_uid for path in handed_out)
        assert spawner.mem_limit == setup.learner_memory
    finally:
        subprocess.run(["userdel", "--remove", unix_name(name)], capture_output=True)
        if not group_existed:
            subprocess.run(["groupdel", LEARNERS_GROUP], capture_output=True)


@needs_root
def test_learners_get_no_login_shell_and_a_group_sshd_refuses():
    account = f"jupyter-zz{os.getpid() % 100000}"
    group = LEARNERS_GROUP
    group_existed = subprocess.run(["getent", "group", group], capture_output=True).returncode == 0
    try:
        entry = ensure_unix_user(account)
        assert entry.pw_shell == "/usr/sbin/nologin"
        assert account in grp.getgrnam(group).gr_mem
    finally:
        subprocess.run(["userdel", "--remove", account], capture_output=True)
        if not group_existed:
            subprocess.run(["groupdel", group], capture_output=True)
    sshd = (ROOT / "deploy" / "sshd-learners.conf").read_text().splitlines()
    assert f"DenyGroups {group}" in sshd
    with pytest.raises(KeyError):
        pwd.getpwnam(account)


# --- what learners' units cannot reach ----------------------------------------------------


def test_learners_units_cannot_read_the_solutions(hub_config):
    properties = hub_config.SystemdSpawner.unit_extra_properties
    hidden = properties["InaccessiblePaths"].split()
    for path in ["notebooks", "course/source", ".git"]:
        assert f"-{ROOT / path}" in hidden, path
    # what the hand-out copies from stays readable to the hub (root) only: not from release/
    assert not any(str(ROOT / "course" / "release") in path for path in hidden)
    assert properties["IPAddressDeny"] == "169.254.169.254"
    assert int(properties["TasksMax"]) > 0


# --- transport and sessions ---------------------------------------------------------------


def test_cookies_are_secure_and_browsers_keep_to_https(hub_config, state_dir, tmp_path):
    settings = hub_config.JupyterHub.tornado_settings
    assert settings["cookie_options"]["secure"] is True
    assert settings["headers"]["Strict-Transport-Security"].startswith("max-age=")
    tls_files(tmp_path)
    tls = load_hub_config(state_dir, SOFTMAX_LAB_TLS_DIR=str(tmp_path))
    command = tls.ConfigurableHTTPProxy.command
    assert command[command.index("--redirect-port") + 1] == "80"
    assert command[command.index("--redirect-to") + 1] == "443"


def test_the_client_address_is_the_one_the_hubs_own_proxies_saw(hub_config, state_dir, tmp_path):
    assert hub_config.ClassAuthenticator.trusted_hops == 2  # the reverse proxy, then CHP
    tls_files(tmp_path)
    tls = load_hub_config(state_dir, SOFTMAX_LAB_TLS_DIR=str(tmp_path))
    assert tls.ClassAuthenticator.trusted_hops == 1  # CHP is the front


def test_a_removed_or_reset_login_ends_its_sessions(hub_config, state_dir):
    assert 0 < hub_config.Authenticator.auth_refresh_age <= 300
    assert hub_config.Authenticator.auth_refresh_strict is True
    assert hub_config.JupyterHub.cookie_max_age_days <= 7
    (service,) = [s for s in hub_config.JupyterHub.services if s["name"] == "class-admin"]
    token = state_dir / "class-admin.token"
    assert service["api_token"] == token.read_text()
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    (role,) = [r for r in hub_config.JupyterHub.load_roles if r["name"] == "class-admin"]
    assert role["scopes"] == ["delete:users"]


@pytest.mark.parametrize("logins", ["missing", "corrupt", "no instructor"])
def test_the_hub_does_not_start_without_its_logins(tmp_path, logins):
    path = tmp_path / "logins.json"
    if logins == "corrupt":
        path.write_text('{"instructor": ')
    elif logins == "no instructor":
        path.write_text("{}")
    with pytest.raises(Exception, match="logins.json"):
        load_hub_config(tmp_path, SOFTMAX_LAB_SERVE="reverse-proxy")


def test_a_tls_key_others_can_read_is_refused(tmp_path):
    cert, key = tls_files(tmp_path)
    key.chmod(0o644)
    with pytest.raises(ValueError, match="chmod 600"):
        listen("tls", cert, key, 443)


@pytest.mark.parametrize("internal", ["hub_bind_url", "proxy_api_url"])
def test_the_hubs_internal_apis_stay_on_loopback(internal):
    hub = {"bind_url": "http://127.0.0.1:8000"}
    proxy_api_url = "http://0.0.0.0:8001" if internal == "proxy_api_url" else ""
    if internal == "hub_bind_url":
        hub["hub_bind_url"] = "http://:8081"
    with pytest.raises(ValueError, match="refusing to open the hub's internals"):
        check_not_in_clear(hub, proxy_api_url)


def test_the_hub_runs_in_a_sandbox():
    unit = (ROOT / "deploy" / "jupyterhub.service").read_text().splitlines()
    for setting in [
        "UMask=0077",
        "ReadOnlyPaths=/opt/softmax-lab",
        "ProtectSystem=true",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectKernelModules=yes",
        "ProtectKernelTunables=yes",
        "ProtectControlGroups=yes",
    ]:
        assert setting in unit, setting


# --- collecting and returning work, as root, in homes and the course directory ------------


@needs_root
def test_the_collector_reads_only_the_learners_own_regular_files(learners_home):
    home, victim = learners_home
    as_learner("mkdir", "-p", str(home / "softmax-lab" / "notebooks"))
    (victim / "root-only.ipynb").write_text("root's")
    planted = home / "softmax-lab" / "notebooks"
    as_learner("ln", "-s", str(victim / "root-only.ipynb"), str(planted / "a.ipynb"))
    os.link(victim / "root-only.ipynb", planted / "b.ipynb")  # a hard link, not the learner's
    as_learner("sh", "-c", f"echo mine > {planted / 'c.ipynb'}")
    read = {
        name: read_learners_file(home, ("softmax-lab", "notebooks", name), LEARNER_UID)
        for name in ["a.ipynb", "b.ipynb", "c.ipynb"]
    }
    assert read == {"a.ipynb": None, "b.ipynb": None, "c.ipynb": b"mine\n"}
    (planted / "b.ipynb").unlink()
    (victim / "root-only.ipynb").unlink()


@needs_root
def test_returned_feedback_replaces_a_planted_link_instead_of_following_it(learners_home):
    home, victim = learners_home
    feedback = home / "softmax-lab" / "feedback" / "01"
    as_learner("mkdir", "-p", str(feedback))
    as_learner("ln", "-s", str(victim / "created-by-root"), str(feedback / "01.html"))
    assert write_learners_file(
        home, ("softmax-lab", "feedback", "01", "01.html"), b"<p>", LEARNER_UID, LEARNER_GID
    )
    assert_untouched(victim)
    page = feedback / "01.html"
    assert not page.is_symlink() and page.read_bytes() == b"<p>"
    assert page.stat().st_uid == LEARNER_UID


def test_nbgrader_runs_as_the_grading_account_with_none_of_roots_groups(monkeypatch, tmp_path):
    started = []
    monkeypatch.setattr(
        grading.subprocess, "run", lambda command, **kwargs: started.append((command, kwargs))
    )
    grader = grading.Account(tmp_path, 54322, 54322)
    grading.nbgrader(tmp_path, grader, "autograde", "01_softmax_function")
    ((command, kwargs),) = started
    assert command[1:4] == ["-m", "nbgrader", "autograde"]
    assert (kwargs["user"], kwargs["group"], kwargs["extra_groups"]) == (54322, 54322, [])
    assert kwargs["env"]["HOME"] == str(tmp_path)


def test_the_instructor_has_more_memory_than_a_learner(hub_config):
    setup = hub_config.Spawner.pre_spawn_hook
    learner, instructor = Spawner(admin=False), Spawner(admin=True)
    for spawner in (learner, instructor):
        setup.set_memory_cap(spawner)
    assert learner.mem_limit == setup.learner_memory
    assert instructor.mem_limit == setup.instructor_memory
    size = {"G": 1024**3, "M": 1024**2}
    assert (
        int(instructor.mem_limit[:-1]) * size[instructor.mem_limit[-1]]
        > int(learner.mem_limit[:-1]) * size[learner.mem_limit[-1]]
    )
