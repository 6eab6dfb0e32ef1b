"""One real class hub, as benchmarks/class_test.py runs it (deploy's config, loopback only):
two learners run a notebook at once, and nobody gets in or at another learner's things.

The hub has an instructor (password set as `deploy/class_admin.py instructor` sets it) and
learners with one-time codes (as `class_admin.py codes` issues them). Ada and Bob log in
through the login form with their codes and start their servers; Bob keeps a secret file
and a running kernel. Then every probe asserts the status code it gets, and that nothing
of Bob's came back (neither his secret nor his kernel's id). Every probe is one bounded
request on 127.0.0.1; the brute-force probe is 30 of them.

The memory and CPU caps and unix-account isolation of homes need systemd and are not
tested here (see the README's "What needs systemd").
"""

import asyncio
import http.client
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from tornado.httpclient import HTTPClientError

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "deploy")]
import class_admin  # noqa: E402
from class_logins import MAX_FAILURES, MIN_PASSWORD_LENGTH, Logins  # noqa: E402

from benchmarks import class_test  # noqa: E402

TIMEOUT_S = 60  # one request on a loaded machine
SMOKE_NOTEBOOK = "01_softmax_function.ipynb"  # the lightest lesson
BRUTE_FORCE_TRIES = 30


class ClassHub:
    """The running hub, its instructor, and who logged in how."""

    def __init__(self, workdir):
        self.workdir = workdir
        # fewer bcrypt rounds than class_admin.py's for what the test sets up; the hub
        # hashes the passwords learners choose at their first login with its own
        self.logins = Logins(workdir / "logins.json", rounds=4)
        self.instructor_password = class_admin.set_instructor_password(self.logins)
        self.codes = class_admin.issue_codes(self.logins, {"ada", "bob", "cyd"})
        self.passwords = {name: f"{name}-{uuid.uuid4().hex[:12]}" for name in
                          ["ada", "bob", "cyd", "dee"]}
        self.logins.set_password("dee", self.passwords["dee"])  # the brute-force target
        self.hub = class_test.Hub(class_test.DEFAULT_PROXY, workdir)
        self.url = self.hub.url
        self.sessions, self.tokens, self.learners = {}, {}, {}
        self.bob_secret = uuid.uuid4().hex


def log_in(url, name, password, code="", source="127.0.0.1", headers=None):
    """Post the login form as a browser does from `source`: (status, cookies)."""
    connection = http.client.HTTPConnection(url.split("//")[1], timeout=TIMEOUT_S,
                                            source_address=(source, 0))
    try:
        connection.request("GET", "/hub/login")
        page = connection.getresponse()
        page.read()
        cookies = cookie_jar(page)
        form = urlencode(
            {"username": name, "password": password, "otp": code, "_xsrf": cookies["_xsrf"]})
        connection.request("POST", "/hub/login", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **(headers or {})})
        response = connection.getresponse()
        response.read()
        return response.status, {**cookies, **cookie_jar(response)}
    finally:
        connection.close()


def cookie_jar(response):
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, value = header.split(";", 1)[0].split("=", 1)
        jar[name.strip()] = value.strip()
    return jar


def browser(url, cookies):
    """A requests session holding a learner's cookies, the hub's xsrf token in its header."""
    session = requests.Session()
    for name, value in cookies.items():
        session.cookies.set(name, value, domain="127.0.0.1", path="/")
    session.headers["X-XSRFToken"] = cookies["_xsrf"]
    session.headers["Referer"] = url + "/hub/"
    return session


@pytest.fixture(scope="module")
def hub():
    if not class_test.DEFAULT_PROXY.exists():
        pytest.fail(f"{class_test.DEFAULT_PROXY} missing: run `make unit`, which installs it")
    workdir = Path(tempfile.mkdtemp(prefix="hub-"))  # short: kernels' Unix sockets live here
    class_hub = ClassHub(workdir)
    start = time.monotonic()
    try:
        asyncio.run(class_hub.hub.wait_until_up())
        up_s = time.monotonic() - start
        for name in ["ada", "bob"]:
            status, cookies = log_in(class_hub.url, name, class_hub.passwords[name],
                                     class_hub.codes[name])
            assert status == 302, f"{name}'s first login with their code: {status}"
            session = browser(class_hub.url, cookies)
            response = session.post(f"{class_hub.url}/hub/api/users/{name}/tokens",
                                    json={"note": "test"}, timeout=TIMEOUT_S)
            assert response.status_code == 201, response.text
            class_hub.sessions[name] = session
            class_hub.tokens[name] = response.json()["token"]
            learner = class_test.Learner(class_hub.hub, name)
            learner.token = class_hub.tokens[name]
            class_hub.learners[name] = learner
        logged_in_s = time.monotonic() - start
        asyncio.run(start_servers(class_hub.learners.values()))
        print(f"class hub up after {up_s:.1f} s, Ada and Bob logged in after "
              f"{logged_in_s:.1f} s, both servers ready after {time.monotonic() - start:.1f} s")
        yield class_hub
    finally:
        asyncio.run(class_hub.hub.shutdown())
        left = class_hub.hub.leftovers()
        print(f"hub log: {class_hub.hub.log_path}")
    assert left == [], f"left running after the hub's shutdown: {left}"
    shutil.rmtree(workdir)


async def start_servers(learners):
    await asyncio.gather(*(learner.start_server() for learner in learners))


def as_learner(hub, name, method, path, **kwargs):
    """`method path` on the hub with `name`'s API token."""
    return requests.request(method, hub.url + path, timeout=TIMEOUT_S,
                            headers={"Authorization": f"token {hub.tokens[name]}"}, **kwargs)


@pytest.fixture(scope="module")
def bob(hub):
    """Bob's secret file and running kernel: {"secret": path, "kernel": id}."""
    put = as_learner(hub, "bob", "PUT", "/user/bob/api/contents/secret.txt", json={
        "type": "file", "format": "text", "content": hub.bob_secret})
    assert put.status_code == 201, put.text
    kernel = as_learner(hub, "bob", "POST", "/user/bob/api/kernels", json={"name": "python3"})
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    asyncio.run(wait_until_kernel_answers(hub, "bob", kernel_id))
    return {"secret": "secret.txt", "kernel": kernel_id}


async def wait_until_kernel_answers(hub, name, kernel_id):
    url = f"{hub.url}/user/{name}/api/kernels/{kernel_id}/channels".replace("http", "ws", 1)
    kernel = await class_test.KernelSocket.connect(url, hub.tokens[name])
    try:
        await kernel.request("kernel_info_request", {})
    finally:
        kernel.close()


def assert_nothing_of_bobs(hub, bob, response):
    assert hub.bob_secret not in response.text
    assert bob["kernel"] not in response.text
    assert "01_softmax_function" not in response.text  # a name in Bob's home


# --- two learners at once ---------------------------------------------------------------

def test_two_learners_run_a_notebook_at_once(hub):
    async def both():
        return await asyncio.gather(*(learner.run_all(SMOKE_NOTEBOOK)
                                      for learner in hub.learners.values()))

    runs = asyncio.run(both())
    notebook = json.loads((ROOT / "notebooks" / SMOKE_NOTEBOOK).read_text())
    code_cells = sum(cell["cell_type"] == "code" for cell in notebook["cells"])
    assert [run.learner for run in runs] == ["ada", "bob"]
    for run in runs:
        assert run.error is None, f"{run.learner}: {run.error}"
        assert run.cells == code_cells


def test_kernels_talk_over_unix_sockets_not_tcp_ports(hub, bob):
    connection = hub.workdir / "rt" / "bob" / f"kernel-{bob['kernel']}.json"
    info = json.loads(connection.read_text())
    assert info["transport"] == "ipc"
    for channel in ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"]:
        socket_path = f"{info['ip']}-{info[channel]}"
        assert Path(socket_path).is_socket(), socket_path
        assert len(os.fsencode(socket_path)) < 108


# --- no credentials -----------------------------------------------------------------------

NO_CREDENTIALS = [
    ("GET", "/hub/api/users", 403),
    ("GET", "/hub/api/users/bob", 403),
    ("POST", "/hub/api/users/bob/server", 403),
    ("POST", "/hub/api/users/bob/tokens", 403),
    ("POST", "/hub/api/users/mallory", 403),
    ("GET", "/hub/api/proxy", 403),
    ("GET", "/user/bob/api/contents/secret.txt", 403),
    ("GET", "/user/bob/api/contents/", 403),
    ("GET", "/user/bob/api/kernels", 403),
    ("GET", "/user/bob/api/kernels/{kernel}", 403),
    ("POST", "/user/bob/api/kernels", 403),
    ("GET", "/user/bob/api/sessions", 403),
    ("GET", "/user/bob/api/terminals", 403),
    ("POST", "/user/bob/api/terminals", 403),
]


@pytest.mark.parametrize(("method", "path", "status"), NO_CREDENTIALS)
def test_no_credentials_get_nothing(hub, bob, method, path, status):
    response = requests.request(method, hub.url + path.format(**bob), timeout=TIMEOUT_S,
                                allow_redirects=False)
    assert response.status_code == status
    assert_nothing_of_bobs(hub, bob, response)


def test_no_credentials_are_sent_to_log_in_from_a_learners_lab(hub, bob):
    response = requests.get(f"{hub.url}/user/bob/lab", timeout=TIMEOUT_S)
    assert response.status_code == 200
    assert response.url.startswith(f"{hub.url}/hub/login")
    assert_nothing_of_bobs(hub, bob, response)


def test_no_credentials_open_no_kernel_or_terminal_websocket(hub, bob):
    for path in [f"/user/bob/api/kernels/{bob['kernel']}/channels",
                 "/user/bob/terminals/websocket/1"]:
        assert websocket_status(hub.url + path, headers={}) == 403


# --- Ada's token and cookies against Bob's things -----------------------------------------

ADA_AGAINST_BOB = [
    ("GET", "/hub/api/users", 403),
    ("GET", "/hub/api/users/bob", 404),
    ("POST", "/hub/api/users/bob/server", 404),
    ("DELETE", "/hub/api/users/bob/server", 404),
    ("GET", "/hub/api/users/bob/tokens", 404),
    ("POST", "/hub/api/users/bob/tokens", 403),
    ("POST", "/hub/api/users/mallory", 403),
    ("GET", "/hub/api/proxy", 403),
    ("GET", "/user/bob/api/contents/secret.txt", 403),
    ("GET", "/user/bob/api/contents/", 403),
    ("PUT", "/user/bob/api/contents/planted.txt", 403),
    ("GET", "/user/bob/api/kernels", 403),
    ("POST", "/user/bob/api/kernels", 403),
    ("GET", "/user/bob/api/kernels/{kernel}", 403),
    ("POST", "/user/bob/api/kernels/{kernel}/interrupt", 403),
    ("DELETE", "/user/bob/api/kernels/{kernel}", 403),
    ("GET", "/user/bob/api/sessions", 403),
    ("GET", "/user/bob/api/terminals", 403),
    ("POST", "/user/bob/api/terminals", 403),
    ("POST", "/user/bob/api/shutdown", 403),
]
PLANTED = {"type": "file", "format": "text", "content": "Ada was here"}


def body(method):
    return PLANTED if method == "PUT" else {}


def assert_bob_untouched(hub, bob):
    """Bob's kernel still runs, his server is up, and nothing was planted in his home."""
    kernels = as_learner(hub, "bob", "GET", "/user/bob/api/kernels")
    assert kernels.status_code == 200
    assert bob["kernel"] in [kernel["id"] for kernel in kernels.json()]
    assert not (hub.workdir / "home" / "bob" / "planted.txt").exists()


@pytest.mark.parametrize(("method", "path", "status"), ADA_AGAINST_BOB)
def test_adas_token_gets_nothing_of_bobs(hub, bob, method, path, status):
    response = as_learner(hub, "ada", method, path.format(**bob), json=body(method),
                          allow_redirects=False)
    assert response.status_code == status
    assert_nothing_of_bobs(hub, bob, response)
    assert_bob_untouched(hub, bob)


@pytest.mark.parametrize(("method", "path", "status"), ADA_AGAINST_BOB)
def test_adas_hub_cookie_gets_nothing_of_bobs(hub, bob, method, path, status):
    response = hub.sessions["ada"].request(method, hub.url + path.format(**bob),
                                           json=body(method), timeout=TIMEOUT_S,
                                           allow_redirects=False)
    assert response.status_code == status
    assert_nothing_of_bobs(hub, bob, response)
    assert_bob_untouched(hub, bob)


def test_adas_login_does_not_open_bobs_lab(hub, bob):
    ada = hub.sessions["ada"]
    assert ada.get(f"{hub.url}/user/ada/lab", timeout=TIMEOUT_S).status_code == 200
    response = ada.get(f"{hub.url}/user/bob/lab", timeout=TIMEOUT_S)
    assert response.status_code == 403
    assert_nothing_of_bobs(hub, bob, response)


def test_adas_server_cookie_presented_as_bobs_gets_nothing(hub, bob):
    ada = hub.sessions["ada"]
    ada.get(f"{hub.url}/user/ada/lab", timeout=TIMEOUT_S)
    (server_cookie,) = [c.value for c in ada.cookies if c.name == "jupyterhub-user-ada"]
    response = requests.get(f"{hub.url}/user/bob/api/contents/secret.txt", timeout=TIMEOUT_S,
                            cookies={"jupyterhub-user-bob": server_cookie},
                            allow_redirects=False)
    assert response.status_code == 403
    assert_nothing_of_bobs(hub, bob, response)


def test_ada_cannot_leave_her_home_for_bobs(hub, bob):
    for path in ["/user/ada/api/contents/..%2Fbob%2Fsecret.txt",
                 "/user/ada/api/contents/%2E%2E/bob/secret.txt"]:
        response = as_learner(hub, "ada", "GET", path)
        assert response.status_code == 404, path
        assert_nothing_of_bobs(hub, bob, response)


def websocket_status(url, headers):
    """The status of a websocket handshake to `url`: 101 if it opened."""
    request = class_test.HTTPRequest(url.replace("http", "ws", 1), headers=headers,
                                     connect_timeout=TIMEOUT_S, request_timeout=TIMEOUT_S)

    async def connect():
        try:
            connection = await class_test.websocket_connect(request)
        except HTTPClientError as err:
            return err.code
        connection.close()
        return 101

    return asyncio.run(connect())


def test_adas_token_opens_no_websocket_to_bobs_kernel_or_terminal(hub, bob):
    ada = {"Authorization": f"token {hub.tokens['ada']}"}
    assert websocket_status(f"{hub.url}/user/bob/api/kernels/{bob['kernel']}/channels",
                            ada) == 403
    assert websocket_status(f"{hub.url}/user/bob/terminals/websocket/1", ada) == 403
    # the same handshake with Bob's token opens: the refusals above are Ada's
    bobs = {"Authorization": f"token {hub.tokens['bob']}"}
    assert websocket_status(f"{hub.url}/user/bob/api/kernels/{bob['kernel']}/channels",
                            bobs) == 101
    assert_bob_untouched(hub, bob)


def test_bobs_own_token_gets_his_things(hub, bob):
    """The control: each refusal above is about Ada, not a broken server."""
    secret = as_learner(hub, "bob", "GET", "/user/bob/api/contents/secret.txt")
    assert secret.status_code == 200
    assert secret.json()["content"] == hub.bob_secret
    assert as_learner(hub, "bob", "GET", "/hub/api/users/bob").status_code == 200
    assert as_learner(hub, "bob", "GET", "/user/bob/api/terminals").status_code == 200


# --- the admin account --------------------------------------------------------------------

@pytest.mark.parametrize(("name", "password", "code"), [
    ("instructor", "instructor", ""),
    ("instructor", "a-new-password", "any-code"),
    ("instructor", "a-new-password", ""),
    ("admin", "a-new-password", ""),
    ("root", "a-new-password", ""),
])
def test_nobody_claims_an_admin_account_by_logging_in(hub, name, password, code):
    status, cookies = log_in(hub.url, name, password, code, source="127.0.0.3")
    assert status == 403
    assert "jupyterhub-hub-login" not in cookies


def test_the_instructor_logs_in_with_the_password_set_at_install(hub):
    status, cookies = log_in(hub.url, "instructor", hub.instructor_password, source="127.0.0.4")
    assert status == 302
    admin = browser(hub.url, cookies)
    users = admin.get(f"{hub.url}/hub/api/users", timeout=TIMEOUT_S)
    assert users.status_code == 200
    assert {"ada", "bob"} <= {user["name"] for user in users.json()}


# --- one-time codes and wrong passwords ---------------------------------------------------

def test_a_wrong_code_does_not_log_in_nor_lock_the_learner_out(hub):
    cyd, code = hub.passwords["cyd"], hub.codes["cyd"]
    for attempt in [("a-guessed-code", cyd), ("", cyd), (code, "short")]:
        status, cookies = log_in(hub.url, "cyd", attempt[1], attempt[0])
        assert status == 403, attempt
        assert "jupyterhub-hub-login" not in cookies
    assert len("short") < MIN_PASSWORD_LENGTH
    assert "code" in hub.logins.read()["cyd"], "the wrong tries spent Cyd's code"
    status, cookies = log_in(hub.url, "cyd", cyd, code)
    assert status == 302, "Cyd's own code no longer logs her in"
    assert "jupyterhub-hub-login" in cookies
    # the code is spent: whoever else holds it cannot set Cyd's password
    assert log_in(hub.url, "cyd", "another-password", code)[0] == 403
    assert log_in(hub.url, "cyd", cyd)[0] == 302


def test_wrong_passwords_are_throttled_and_the_learner_still_gets_in(hub):
    statuses = [log_in(hub.url, "dee", f"guess-{i:04d}")[0] for i in range(BRUTE_FORCE_TRIES)]
    print(f"{BRUTE_FORCE_TRIES} wrong passwords in a row: {statuses}")
    assert statuses == [403] * MAX_FAILURES + [429] * (BRUTE_FORCE_TRIES - MAX_FAILURES)
    # refused before the password is checked: the right one from there is refused too
    assert log_in(hub.url, "dee", hub.passwords["dee"])[0] == 429
    # a forged client address does not get round it (the proxy appends the real one)
    forged = log_in(hub.url, "dee", hub.passwords["dee"], headers={"X-Forwarded-For": "10.1.2.3"})
    assert forged[0] == 429
    # Dee, from her own address, is not locked out by someone else's guesses
    status, cookies = log_in(hub.url, "dee", hub.passwords["dee"], source="127.0.0.2")
    assert status == 302
    assert "jupyterhub-hub-login" in cookies
