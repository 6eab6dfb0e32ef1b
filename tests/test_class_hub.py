"""One real class hub, as tests/hub_driver.py runs it (deploy's config, loopback only):
two learners run a notebook at once, and nobody gets in, or at another learner's things
over HTTP.

The hub has an instructor (password set as `softmax-lab-class instructor` sets it) and
learners with one-time codes (as `softmax-lab-class codes` issues them). Ada and Bob log in
through the login form with their codes and start their servers; Bob keeps a secret file
and a running kernel. Then every probe asserts the status code it gets, and that nothing
of Bob's came back (neither his secret nor his kernel's id). Every probe is one bounded
request on 127.0.0.1; the brute-force probe is 30 of them.

The hub runs in deploy's reverse-proxy mode, and this test plays the reverse proxy in
front of it: what a request puts last in X-Forwarded-For is the client's address, as
Caddy or nginx record it (a request without one is a client on this machine).

The memory and CPU caps and unix-account isolation of homes need systemd and are not
tested here: one unix account runs every learner's server, so a learner's *kernel* could
read another's home here. docs/class-hub.md says how to check those on the class machine.
"""

import asyncio
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode

import nbformat
import pytest
import requests
from hub_driver import DEFAULT_PROXY, Hub, KernelSocket, Learner
from test_exercises import submission
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from softmax_lab_hub import admin, grading
from softmax_lab_hub.authenticator import MAX_FAILURES
from softmax_lab_hub.logins import BCRYPT_ROUNDS, MIN_PASSWORD_LENGTH, Logins, hash_secret
from softmax_lab_hub.suite import Suite

ROOT = Path(__file__).resolve().parents[1]


TIMEOUT_S = 60  # one request on a loaded machine
SMOKE_NOTEBOOK = "01_softmax_function.ipynb"  # the lightest lesson
BRUTE_FORCE_TRIES = 30
BURST = 20  # concurrent guesses


class ClassHub:
    """The running hub, its instructor, and who logged in how."""

    def __init__(self, workdir):
        self.workdir = workdir
        # fewer bcrypt rounds than softmax-lab-class's for what the test sets up; the hub
        # hashes the passwords learners choose at their first login with its own
        self.logins = Logins(workdir / "logins.json", rounds=4)
        self.instructor_password = admin.set_instructor_password(self.logins, init=True)
        self.codes = admin.issue_codes(self.logins, {"ada", "bob", "cyd"})
        self.passwords = {
            name: f"{name}-{uuid.uuid4().hex[:12]}"
            for name in ["ada", "bob", "cyd", "dee", "eve", "fay", "gus", "hal"]
        }
        # dee, eve, fay: brute-force targets; gus, hal: learners removed and reset
        for name in ["dee", "fay", "gus", "hal"]:
            self.logins.set_password(name, self.passwords[name])
        # eve's at the real cost, so that a burst of guesses overlaps her password checks
        with self.logins.editing() as logins:
            logins["eve"] = {"password": hash_secret(self.passwords["eve"], BCRYPT_ROUNDS)}
        self.hub = Hub(DEFAULT_PROXY, workdir)
        self.url = self.hub.url
        self.sessions, self.tokens, self.learners = {}, {}, {}
        self.bob_secret = uuid.uuid4().hex


class LoginForm:
    """The login page, fetched as a browser does from `source`, with `headers` (as is the
    form `post` sends: the hub ties the form's xsrf token to the client's address)."""

    def __init__(self, url, source="127.0.0.1", headers=None):
        self.headers = headers or {}
        self.connection = http.client.HTTPConnection(
            url.split("//")[1], timeout=TIMEOUT_S, source_address=(source, 0)
        )
        self.connection.request("GET", "/hub/login", headers=self.headers)
        page = self.connection.getresponse()
        page.read()
        self.cookies = cookie_jar(page)

    def post(self, name, password, code="", xsrf=True):
        """(status, cookies, response) of the login form sent with these values."""
        fields = {"username": name, "password": password, "otp": code}
        if xsrf:
            fields["_xsrf"] = self.cookies["_xsrf"]
        try:
            self.connection.request(
                "POST",
                "/hub/login",
                body=urlencode(fields),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                    **self.headers,
                },
            )
            response = self.connection.getresponse()
            response.read()
        finally:
            self.connection.close()
        return response.status, {**self.cookies, **cookie_jar(response)}, response


def log_in(url, name, password, code="", source="127.0.0.1", headers=None):
    """Post the login form as a browser does from `source`: (status, cookies)."""
    return LoginForm(url, source, headers).post(name, password, code)[:2]


def cookie_jar(response):
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, value = header.split(";", 1)[0].split("=", 1)
        jar[name.strip()] = value.strip()
    return jar


def cookie_attributes(response, name):
    """The attributes (lowercase) of the cookie `name` that `response` sets."""
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.split("=", 1)[0].strip() == name:
            return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    raise AssertionError(f"{name} not set")


@pytest.fixture(scope="module", autouse=True)
def behind_tls():
    """Send Secure cookies over this test's plain HTTP: the front proxy, which this test
    plays, does TLS. (requests copies cookies into jars of the default policy.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DefaultCookiePolicy, "return_ok_secure", lambda *args: True)
        yield


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
    if not DEFAULT_PROXY.exists():
        pytest.fail(f"{DEFAULT_PROXY} missing: run `make hub`, which installs it")
    workdir = Path(tempfile.mkdtemp(prefix="hub-"))  # short: kernels' Unix sockets live here
    class_hub = ClassHub(workdir)
    start = time.monotonic()
    try:
        asyncio.run(class_hub.hub.wait_until_up())
        up_s = time.monotonic() - start
        for name in ["ada", "bob"]:
            status, cookies = log_in(
                class_hub.url, name, class_hub.passwords[name], class_hub.codes[name]
            )
            assert status == 302, f"{name}'s first login with their code: {status}"
            session = browser(class_hub.url, cookies)
            response = session.post(
                f"{class_hub.url}/hub/api/users/{name}/tokens",
                json={"note": "test"},
                timeout=TIMEOUT_S,
            )
            assert response.status_code == 201, response.text
            class_hub.sessions[name] = session
            class_hub.tokens[name] = response.json()["token"]
            learner = Learner(class_hub.hub, name)
            learner.token = class_hub.tokens[name]
            class_hub.learners[name] = learner
        logged_in_s = time.monotonic() - start
        asyncio.run(start_servers(class_hub.learners.values()))
        print(
            f"class hub up after {up_s:.1f} s, Ada and Bob logged in after "
            f"{logged_in_s:.1f} s, both servers ready after {time.monotonic() - start:.1f} s"
        )
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
    return requests.request(
        method,
        hub.url + path,
        timeout=TIMEOUT_S,
        headers={"Authorization": f"token {hub.tokens[name]}"},
        **kwargs,
    )


@pytest.fixture(scope="module")
def bob(hub):
    """Bob's secret file and running kernel: {"secret": path, "kernel": id}."""
    put = as_learner(
        hub,
        "bob",
        "PUT",
        "/user/bob/api/contents/secret.txt",
        json={"type": "file", "format": "text", "content": hub.bob_secret},
    )
    assert put.status_code == 201, put.text
    kernel = as_learner(hub, "bob", "POST", "/user/bob/api/kernels", json={"name": "python3"})
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    asyncio.run(wait_until_kernel_answers(hub, "bob", kernel_id))
    return {"secret": "secret.txt", "kernel": kernel_id}


async def wait_until_kernel_answers(hub, name, kernel_id):
    url = f"{hub.url}/user/{name}/api/kernels/{kernel_id}/channels".replace("http", "ws", 1)
    kernel = await KernelSocket.connect(url, hub.tokens[name])
    try:
        await kernel.request("kernel_info_request", {})
    finally:
        kernel.close()


def assert_nothing_of_bobs(hub, bob, response):
    for shown in [*response.history, response]:  # every response on the way, too
        assert hub.bob_secret not in shown.text
        assert bob["kernel"] not in shown.text
        assert "01_softmax_function" not in shown.text  # a name in Bob's home


def as_admin(hub, method, path):
    """`method path` on the hub's API with the test's admin service token."""
    return requests.request(
        method,
        f"{hub.url}/hub/api{path}",
        timeout=TIMEOUT_S,
        headers={"Authorization": f"token {hub.hub.token}"},
    )


def bobs_things(hub):
    """Everything of Bob's a request could change: his kernels (with their state and last
    activity), terminals and tokens, and whether a user `mallory` exists."""
    kernels = as_learner(hub, "bob", "GET", "/user/bob/api/kernels")
    terminals = as_learner(hub, "bob", "GET", "/user/bob/api/terminals")
    tokens = as_admin(hub, "GET", "/users/bob/tokens")
    assert {kernels.status_code, terminals.status_code, tokens.status_code} == {200}
    return {
        "kernels": sorted(
            (k["id"], k["execution_state"], k["last_activity"]) for k in kernels.json()
        ),
        "terminals": sorted(t["name"] for t in terminals.json()),
        "tokens": sorted(t["id"] for t in tokens.json()["api_tokens"]),
        "mallory": as_admin(hub, "GET", "/users/mallory").status_code,
        "planted": (hub.workdir / "home" / "bob" / "planted.txt").exists(),
    }


# --- two learners at once ---------------------------------------------------------------


def test_two_learners_run_a_notebook_at_once(hub):
    async def both():
        return await asyncio.gather(
            *(learner.run_all(SMOKE_NOTEBOOK) for learner in hub.learners.values())
        )

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
    before = bobs_things(hub)
    response = requests.request(
        method, hub.url + path.format(**bob), timeout=TIMEOUT_S, allow_redirects=False
    )
    assert response.status_code == status
    assert_nothing_of_bobs(hub, bob, response)
    assert bobs_things(hub) == before


def test_no_credentials_are_sent_to_log_in_from_a_learners_lab(hub, bob):
    response = requests.get(f"{hub.url}/user/bob/lab", timeout=TIMEOUT_S)
    assert response.status_code == 200
    assert response.url.startswith(f"{hub.url}/hub/login")
    assert_nothing_of_bobs(hub, bob, response)


def test_no_credentials_open_no_kernel_or_terminal_websocket(hub, bob):
    for path in [
        f"/user/bob/api/kernels/{bob['kernel']}/channels",
        "/user/bob/terminals/websocket/1",
    ]:
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


def assert_bob_untouched(hub, bob, before):
    """Bob's kernel still runs, and nothing of his changed since `before`."""
    after = bobs_things(hub)
    assert bob["kernel"] in [kernel[0] for kernel in after["kernels"]]
    assert after == before
    assert after["mallory"] == 404 and not after["planted"]


@pytest.mark.parametrize(("method", "path", "status"), ADA_AGAINST_BOB)
def test_adas_token_gets_nothing_of_bobs(hub, bob, method, path, status):
    before = bobs_things(hub)
    response = as_learner(
        hub, "ada", method, path.format(**bob), json=body(method), allow_redirects=False
    )
    assert response.status_code == status
    assert_nothing_of_bobs(hub, bob, response)
    assert_bob_untouched(hub, bob, before)


@pytest.mark.parametrize(("method", "path", "status"), ADA_AGAINST_BOB)
def test_adas_hub_cookie_gets_nothing_of_bobs(hub, bob, method, path, status):
    before = bobs_things(hub)
    response = hub.sessions["ada"].request(
        method,
        hub.url + path.format(**bob),
        json=body(method),
        timeout=TIMEOUT_S,
        allow_redirects=False,
    )
    assert response.status_code == status
    assert_nothing_of_bobs(hub, bob, response)
    assert_bob_untouched(hub, bob, before)


def test_a_cookie_without_its_xsrf_token_changes_nothing(hub):
    ada = hub.sessions["ada"]
    tokens = as_admin(hub, "GET", "/users/ada/tokens").json()["api_tokens"]
    response = ada.post(
        f"{hub.url}/hub/api/users/ada/tokens",
        json={"note": "no xsrf"},
        headers={"X-XSRFToken": None},
        timeout=TIMEOUT_S,
    )
    assert response.status_code == 403
    assert as_admin(hub, "GET", "/users/ada/tokens").json()["api_tokens"] == tokens
    # the same request with the token is Ada's own to make: the refusal was the token's
    allowed = ada.post(
        f"{hub.url}/hub/api/users/ada/tokens", json={"note": "xsrf"}, timeout=TIMEOUT_S
    )
    assert allowed.status_code == 201
    as_admin(hub, "DELETE", f"/users/ada/tokens/{allowed.json()['id']}")


def test_the_login_form_without_its_xsrf_token_is_refused(hub):
    status, cookies, _ = LoginForm(hub.url, "127.0.0.9").post(
        "ada", hub.passwords["ada"], xsrf=False
    )
    assert status == 403
    assert "jupyterhub-hub-login" not in cookies


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
    response = requests.get(
        f"{hub.url}/user/bob/api/contents/secret.txt",
        timeout=TIMEOUT_S,
        cookies={"jupyterhub-user-bob": server_cookie},
        allow_redirects=False,
    )
    assert response.status_code == 403
    assert_nothing_of_bobs(hub, bob, response)
    # the control: Bob's own server cookie, on the same URL, is read and gets his file
    bobs_session = hub.sessions["bob"]
    assert bobs_session.get(f"{hub.url}/user/bob/lab", timeout=TIMEOUT_S).status_code == 200
    (bobs_cookie,) = [c.value for c in bobs_session.cookies if c.name == "jupyterhub-user-bob"]
    own = requests.get(
        f"{hub.url}/user/bob/api/contents/secret.txt",
        timeout=TIMEOUT_S,
        cookies={"jupyterhub-user-bob": bobs_cookie},
        allow_redirects=False,
    )
    assert own.status_code == 200 and own.json()["content"] == hub.bob_secret


def test_ada_cannot_leave_her_home_for_bobs(hub, bob):
    for path in [
        "/user/ada/api/contents/..%2Fbob%2Fsecret.txt",
        "/user/ada/api/contents/%2E%2E/bob/secret.txt",
    ]:
        response = as_learner(hub, "ada", "GET", path)
        assert response.status_code == 404, path
        assert_nothing_of_bobs(hub, bob, response)


def websocket_status(url, headers):
    """The status of a websocket handshake to `url`: 101 if it opened."""
    request = HTTPRequest(
        url.replace("http", "ws", 1),
        headers=headers,
        connect_timeout=TIMEOUT_S,
        request_timeout=TIMEOUT_S,
    )

    async def connect():
        try:
            connection = await websocket_connect(request)
        except HTTPClientError as err:
            return err.code
        connection.close()
        return 101

    return asyncio.run(connect())


def test_adas_token_opens_no_websocket_to_bobs_kernel_or_terminal(hub, bob):
    before = bobs_things(hub)
    ada = {"Authorization": f"token {hub.tokens['ada']}"}
    assert websocket_status(f"{hub.url}/user/bob/api/kernels/{bob['kernel']}/channels", ada) == 403
    assert websocket_status(f"{hub.url}/user/bob/terminals/websocket/1", ada) == 403
    assert_bob_untouched(hub, bob, before)
    # the same handshake with Bob's token opens: the refusals above are Ada's
    bobs = {"Authorization": f"token {hub.tokens['bob']}"}
    assert websocket_status(f"{hub.url}/user/bob/api/kernels/{bob['kernel']}/channels", bobs) == 101


def test_bobs_own_token_gets_his_things(hub, bob):
    """The control: each refusal above is about Ada, not a broken server."""
    secret = as_learner(hub, "bob", "GET", "/user/bob/api/contents/secret.txt")
    assert secret.status_code == 200
    assert secret.json()["content"] == hub.bob_secret
    assert as_learner(hub, "bob", "GET", "/hub/api/users/bob").status_code == 200
    assert as_learner(hub, "bob", "GET", "/user/bob/api/terminals").status_code == 200


# --- the admin account --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "password", "code"),
    [
        ("instructor", "instructor", ""),
        ("instructor", "a-new-password", "any-code"),
        ("instructor", "a-new-password", ""),
        ("admin", "a-new-password", ""),
        ("root", "a-new-password", ""),
    ],
)
def test_nobody_claims_an_admin_account_by_logging_in(hub, name, password, code):
    before = hub.logins.path.read_bytes()
    status, cookies = log_in(hub.url, name, password, code, source="127.0.0.3")
    assert status == 403
    assert "jupyterhub-hub-login" not in cookies
    assert hub.logins.path.read_bytes() == before  # nothing was written, or replaced
    assert log_in(hub.url, name, password, source="127.0.0.13")[0] == 403


def test_the_instructor_logs_in_with_the_password_set_at_install(hub):
    status, cookies, response = LoginForm(hub.url, "127.0.0.4").post(
        "instructor", hub.instructor_password
    )
    assert status == 302
    # the login cookie goes over HTTPS only (the front does TLS), never to scripts
    assert {"secure", "httponly"} <= cookie_attributes(response, "jupyterhub-hub-login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
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
    # a classmate elsewhere uses up every try at Cyd's name: it locks out only them
    classmate = {"X-Forwarded-For": "203.0.113.50"}
    tries = [
        log_in(hub.url, "cyd", cyd, f"guess-{i}", headers=classmate)[0]
        for i in range(MAX_FAILURES + 1)
    ]
    assert tries == [403] * MAX_FAILURES + [429]
    status, cookies = log_in(hub.url, "cyd", cyd, code, headers={"X-Forwarded-For": "192.0.2.8"})
    assert status == 302, "Cyd's own code no longer logs her in"
    assert "jupyterhub-hub-login" in cookies
    # the code is spent: whoever else holds it cannot set Cyd's password
    assert log_in(hub.url, "cyd", "another-password", code)[0] == 403
    assert log_in(hub.url, "cyd", cyd, headers={"X-Forwarded-For": "192.0.2.8"})[0] == 302


def test_wrong_passwords_are_throttled_and_the_learner_still_gets_in(hub):
    statuses = [log_in(hub.url, "dee", f"guess-{i:04d}")[0] for i in range(BRUTE_FORCE_TRIES)]
    print(f"{BRUTE_FORCE_TRIES} wrong passwords in a row: {statuses}")
    assert statuses == [403] * MAX_FAILURES + [429] * (BRUTE_FORCE_TRIES - MAX_FAILURES)
    # refused before the password is checked: the right one from there is refused too
    assert log_in(hub.url, "dee", hub.passwords["dee"])[0] == 429
    # a forged client address does not get round it: the front appends the real one
    forged = {"X-Forwarded-For": "10.1.2.3, 127.0.0.1", "X-Real-Ip": "10.1.2.3"}
    assert log_in(hub.url, "dee", hub.passwords["dee"], headers=forged)[0] == 429
    # Dee, from her own address, is not locked out by someone else's guesses
    status, cookies = log_in(hub.url, "dee", hub.passwords["dee"], source="127.0.0.2")
    assert status == 302
    assert "jupyterhub-hub-login" in cookies


def test_a_forged_x_real_ip_does_not_get_round_the_throttle(hub):
    statuses = [
        log_in(hub.url, "fay", f"guess-{i:04d}", headers={"X-Real-Ip": f"10.7.0.{i}"})[0]
        for i in range(MAX_FAILURES + 5)
    ]
    assert statuses == [403] * MAX_FAILURES + [429] * 5
    right = log_in(hub.url, "fay", hub.passwords["fay"], headers={"X-Real-Ip": "10.7.1.1"})
    assert right[0] == 429


def test_a_burst_of_concurrent_guesses_gets_at_most_the_allowed_checks(hub):
    forms = [LoginForm(hub.url, "127.0.0.5") for _ in range(BURST)]
    start, statuses = threading.Barrier(BURST), []

    def guess(i):
        start.wait()
        statuses.append(forms[i].post("eve", f"guess-{i:04d}")[0])

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_S)
    print(f"{BURST} concurrent wrong passwords: {sorted(statuses)}")
    assert len(statuses) == BURST
    assert statuses.count(403) <= MAX_FAILURES
    assert statuses.count(403) + statuses.count(429) == BURST
    assert log_in(hub.url, "eve", hub.passwords["eve"], source="127.0.0.6")[0] == 302


def test_guesses_behind_the_front_proxy_lock_out_only_their_client(hub):
    attacker, instructor = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "198.51.100.7"}
    statuses = [
        log_in(hub.url, "instructor", f"guess-{i}", headers=attacker)[0]
        for i in range(MAX_FAILURES + 2)
    ]
    assert statuses == [403] * MAX_FAILURES + [429] * 2
    status, cookies = log_in(hub.url, "instructor", hub.instructor_password, headers=instructor)
    assert status == 302
    assert "jupyterhub-hub-login" in cookies


def logged_in(hub, name):
    """`name`'s browser session (login cookie) and an API token it made."""
    status, cookies = log_in(hub.url, name, hub.passwords[name])
    assert status == 302
    session = browser(hub.url, cookies)
    token = session.post(
        f"{hub.url}/hub/api/users/{name}/tokens", json={"note": "t"}, timeout=TIMEOUT_S
    )
    assert token.status_code == 201
    return session, token.json()["token"]


def assert_signed_in(hub, name, session, token, expected):
    by_cookie = session.get(f"{hub.url}/hub/api/user", timeout=TIMEOUT_S)
    by_token = requests.get(
        f"{hub.url}/hub/api/user", timeout=TIMEOUT_S, headers={"Authorization": f"token {token}"}
    )
    assert (by_cookie.status_code, by_token.status_code) == (expected, expected)


@pytest.fixture
def admin_env(hub, monkeypatch):
    """softmax-lab-class's environment on the class machine, pointed at this hub."""
    monkeypatch.setenv("SOFTMAX_LAB_LOGINS", str(hub.logins.path))
    monkeypatch.setenv("SOFTMAX_LAB_HUB_API", f"{hub.url}/hub/api")


@pytest.mark.parametrize(("name", "command"), [("gus", ["remove"]), ("hal", ["codes", "--reset"])])
def test_removing_or_resetting_a_login_ends_its_sessions(hub, admin_env, capsys, name, command):
    session, token = logged_in(hub, name)
    assert_signed_in(hub, name, session, token, 200)
    assert admin.main([*command, name]) == 0
    assert_signed_in(hub, name, session, token, 403)
    assert f"sessions ended: {name}" in capsys.readouterr().out
    assert log_in(hub.url, name, hub.passwords[name])[0] == 403


# --- an assignment handed back: collect, autograde, return ---------------------------------

ASSIGNMENT = "01_softmax_function"
GRADER_UID = 54322  # the grading account: nobody else on this machine


def home_of(hub, name):
    return grading.Account(hub.workdir / "home" / name)


def in_home(name, *parts):
    return f"/user/{name}/api/contents/softmax-lab/{'/'.join(parts)}"


@pytest.fixture(scope="module")
def graded(hub):
    """Ada hands in the solution and Bob a planted mistake, each from their own server;
    the instructor collects, autogrades (as the grading account) and returns the feedback.
    {"grader": Account, "collected", "scores", "returned"}."""
    if os.getuid() != 0:
        pytest.skip("grading runs nbgrader as another account: needs root (CI runs as root)")
    for name, planted in [("ada", False), ("bob", True)]:
        notebook = json.loads(nbformat.writes(submission(ASSIGNMENT, planted)))
        put = as_learner(
            hub,
            name,
            "PUT",
            in_home(name, "notebooks", f"{ASSIGNMENT}.ipynb"),
            json={"type": "notebook", "format": "json", "content": notebook},
        )
        assert put.status_code == 200, put.text
    base = Path(tempfile.mkdtemp(prefix="grading-"))
    base.chmod(0o711)  # as /var/lib: the grading account may reach its own directory
    uid = GRADER_UID if python_runs_as(GRADER_UID) else None
    if uid is None:
        print(f"graded as root: another account cannot run {sys.executable} here")
    grader = grading.Account(base / "course", uid, uid)
    learners = {name: home_of(hub, name) for name in ["ada", "bob"]}
    try:
        grading.prepare_course(grader.home, grader, ASSIGNMENT, Suite(ROOT))
        collected = grading.collect(grader.home, grader, ASSIGNMENT, learners)
        scores = grading.grade(grader.home, grader, ASSIGNMENT, Suite(ROOT))
        returned = grading.return_feedback(grader.home, grader, ASSIGNMENT, learners)
        yield {"grader": grader, "collected": collected, "scores": scores, "returned": returned}
    finally:
        shutil.rmtree(base)


def python_runs_as(uid):
    """Whether `uid` can run this Python (not if it lives in root's home, as on some
    machines: a class machine's environment in /opt/softmax-lab can be run by anyone)."""
    try:
        subprocess.run(
            [sys.executable, "-c", ""],
            user=uid,
            group=uid,
            extra_groups=[],
            cwd="/",
            check=True,
            capture_output=True,
        )
    except (PermissionError, subprocess.CalledProcessError):
        return False
    return True


def test_the_instructor_collects_grades_and_returns_an_assignment(hub, graded):
    assert graded["collected"] == {"ada": True, "bob": True}
    (ada_score, ada_max), (bob_score, _) = graded["scores"]["ada"], graded["scores"]["bob"]
    assert ada_max > 0 and ada_score == ada_max
    assert bob_score == 0
    assert graded["returned"] == {"ada": True, "bob": True}
    # Bob's feedback, in his own home, explains the check that failed
    page = as_learner(
        hub, "bob", "GET", in_home("bob", "feedback", ASSIGNMENT, f"{ASSIGNMENT}.html")
    )
    assert page.status_code == 200
    assert "\u2717" in page.json()["content"] and "Hint:" in page.json()["content"]
    ada_page = as_learner(
        hub, "ada", "GET", in_home("ada", "feedback", ASSIGNMENT, f"{ASSIGNMENT}.html")
    )
    assert ada_page.status_code == 200 and "Hint:" not in ada_page.json()["content"]


def test_the_course_directory_is_the_grading_accounts_alone(graded):
    course = graded["grader"].home
    if graded["grader"].uid is None:
        pytest.skip(
            f"another account cannot run {sys.executable} on this machine: the "
            "assignment was graded as root (see docs/class-hub.md)"
        )
    assert (course.stat().st_uid, course.stat().st_mode & 0o777) == (GRADER_UID, 0o700)
    for path in course.rglob("*"):
        assert path.lstat().st_uid == GRADER_UID, path  # nothing was graded as root


@pytest.mark.parametrize(
    "parts", [("notebooks", f"{ASSIGNMENT}.ipynb"), ("feedback", ASSIGNMENT, f"{ASSIGNMENT}.html")]
)
def test_ada_cannot_read_bobs_submission_or_feedback(hub, graded, parts):
    response = as_learner(hub, "ada", "GET", in_home("bob", *parts))
    assert response.status_code == 403
    assert "Hint:" not in response.text
    leaving = as_learner(
        hub, "ada", "GET", "/user/ada/api/contents/..%2Fbob%2Fsoftmax-lab%2F" + "%2F".join(parts)
    )
    assert leaving.status_code == 404
    assert as_learner(hub, "bob", "GET", in_home("bob", *parts)).status_code == 200


def test_a_symlink_in_bobs_home_leads_the_collector_nowhere(hub, graded):
    grader, bob = graded["grader"], home_of(hub, "bob")
    outside = Path(tempfile.mkdtemp(prefix="outside-"))
    try:
        secret = outside / "secret.ipynb"
        secret.write_text("not Bob's to hand in")
        # Bob's 02 notebook a link to a file not his; his feedback folder a link elsewhere
        planted = bob.home / "softmax-lab" / "notebooks" / "02_cross_entropy.ipynb"
        planted.unlink()
        planted.symlink_to(secret)
        feedback = bob.home / "softmax-lab" / "feedback"
        shutil.rmtree(feedback)
        feedback.symlink_to(outside, target_is_directory=True)
        learners = {"bob": bob}
        assert grading.collect(grader.home, grader, "02_cross_entropy", learners) == {"bob": False}
        assert not (grader.home / "submitted" / "bob" / "02_cross_entropy").exists()
        assert grading.return_feedback(grader.home, grader, ASSIGNMENT, learners) == {"bob": False}
        assert sorted(p.name for p in outside.iterdir()) == ["secret.ipynb"]
        assert secret.read_text() == "not Bob's to hand in"
    finally:
        shutil.rmtree(outside)


def test_learners_see_their_memory_against_their_cap(hub):
    metrics = as_learner(hub, "ada", "GET", "/user/ada/api/metrics/v1")
    assert metrics.status_code == 200
    assert metrics.json()["limits"]["memory"]["rss"] == 2 * 1024**3  # MEMORY_PER_LEARNER
    assert 0 < metrics.json()["rss"] < 2 * 1024**3
