"""The class hub's authenticator: logins from the instructor's file of hashes
(softmax_lab_hub.logins). JupyterHub selects it by name:
``c.JupyterHub.authenticator_class = "softmax-lab"`` (a `jupyterhub.authenticators`
entry point).

A session lasts only while its name holds a password in the file: ``softmax-lab-class
remove`` and ``codes --reset`` end it (`refresh_user`, within the hub's auth_refresh_age).

Failed logins are throttled. The client's address is the one the hub's own proxies
recorded (the `trusted_hops`-th entry from the right of ``X-Forwarded-For``), never a
header the client chose. Each login attempt counts as a failure *before* its password
is checked (and is taken back if it succeeds), so concurrent guesses are counted too:

- per name and address: after MAX_FAILURES within THROTTLE_WINDOW_S, HTTP 429;
- per name, from every address it never logged in from: after MAX_NAME_FAILURES
  within NAME_WINDOW_S, HTTP 429 (covers attackers with many addresses, without
  locking the name out of addresses it already logged in from).

Every password check costs one bcrypt, whether the name exists or not, so the time a
refusal takes tells nothing about the roster.
"""

import asyncio
from functools import cached_property

from jupyterhub.auth import Authenticator
from tornado import web
from traitlets import Integer, Unicode

from .logins import (
    BCRYPT_ROUNDS,
    MIN_PASSWORD_LENGTH,
    NAME,
    Logins,
    check_password_choice,
    hash_secret,
    new_secret,
    secret_matches,
)
from .throttle import Throttle

MAX_FAILURES = 5
THROTTLE_WINDOW_S = 60
MAX_NAME_FAILURES = 30
NAME_WINDOW_S = 600
#: How long an address a name logged in from stays exempt from the per-name limit.
KNOWN_ADDRESS_S = 14 * 24 * 3600


class ClassAuthenticator(Authenticator):
    """Logins from the instructor's file of hashes: see this module's docstring."""

    logins_path = Unicode(help="The logins file (JSON of bcrypt hashes).").tag(config=True)
    max_failures = Integer(MAX_FAILURES).tag(config=True)
    throttle_window_s = Integer(THROTTLE_WINDOW_S).tag(config=True)
    max_name_failures = Integer(MAX_NAME_FAILURES).tag(config=True)
    name_window_s = Integer(NAME_WINDOW_S).tag(config=True)
    trusted_hops = Integer(
        1,
        help="How many proxies of this hub's own append to "
        "X-Forwarded-For: configurable-http-proxy, and a reverse proxy "
        "in front of it if there is one.",
    ).tag(config=True)
    bcrypt_rounds = Integer(BCRYPT_ROUNDS, help="bcrypt's cost for chosen passwords").tag(
        config=True
    )

    request_otp = True
    otp_prompt = (
        f"One-time code (first login only; then choose a password of at least "
        f"{MIN_PASSWORD_LENGTH} characters above):"
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.throttle = Throttle(self.max_failures, self.throttle_window_s)
        self.name_throttle = Throttle(self.max_name_failures, self.name_window_s)
        #: (name, address) pairs that logged in lately (as a bounded table of one event
        #: each): exempt from the per-name limit.
        self.logged_in_from = Throttle(1, KNOWN_ADDRESS_S)

    @property
    def logins(self):
        return Logins(self.logins_path)

    @cached_property
    def dummy_hash(self):
        """Checked for names without a hash, so that they cost as much as those with one."""
        return hash_secret(new_secret(), self.bcrypt_rounds)

    def check_allowed(self, username, authentication=None):
        """Only names in the logins file: the instructor lists the class there."""
        return username in self.logins.read()

    async def refresh_user(self, user, handler=None):
        """A session stays valid while its name holds a password (not removed, not reset)."""
        return "password" in self.logins.read().get(user.name, {})

    def client_address(self, request):
        """The address the first of this hub's proxies saw the client at."""
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= self.trusted_hops:
            return hops[-self.trusted_hops]
        return hops[0] if hops else request.connection.context.address[0]

    async def authenticate(self, handler, data):
        name = data.get("username", "").strip().lower()
        if not NAME.fullmatch(name):
            return None  # cannot be in the file: refused at no cost, and remembered nowhere
        address = self.client_address(handler.request) if handler else ""
        wait_s = self.throttle.retry_after_s((name, address))
        if not self.logged_in_from.retry_after_s((name, address)):
            wait_s = max(wait_s, self.name_throttle.retry_after_s(name))
        if wait_s:
            self.log.warning("login for %r from %s throttled for %d s", name, address, wait_s)
            raise web.HTTPError(
                429, f"Too many failed logins: try again in {wait_s} s", reason="Too Many Requests"
            )
        self.throttle.failed((name, address))  # counted now: concurrent guesses count too
        self.name_throttle.failed(name)
        if await asyncio.to_thread(
            self._check, name, data.get("password", ""), data.get("otp", "").strip().lower()
        ):
            self.throttle.take_back((name, address))
            self.name_throttle.take_back(name)
            self.logged_in_from.failed((name, address))
            return name
        self.log.warning("failed login for %r from %s", name, address)
        return None

    def _check(self, name, password, code):
        """True if `password` is `name`'s, or `code` is their unspent one-time code (which
        `password` then replaces). One bcrypt check in every case."""
        entry = self.logins.read().get(name)
        if entry is None:
            secret_matches(password, self.dummy_hash)
            return False
        if "password" in entry:
            return secret_matches(password, entry["password"])
        if not secret_matches(code, entry["code"]) or not code:
            return False
        try:
            check_password_choice(password)
        except ValueError as err:
            self.log.info("first login of %r refused: %s", name, err)
            return False
        hashed = hash_secret(password, self.bcrypt_rounds)
        with self.logins.editing() as logins:
            if logins.get(name) != entry:  # spent meanwhile by a concurrent login
                return False
            logins[name] = {"password": hashed}
        self.log.info("%r spent their one-time code and set a password", name)
        return True
