"""Where the hub listens, and what it refuses: plain HTTP beyond this machine, or its
internal APIs beyond loopback."""

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

SERVE_MODES = ("tls", "reverse-proxy")
#: "reverse-proxy": the hub on loopback only, behind a proxy on this machine that does TLS.
REVERSE_PROXY_BIND_URL = "http://127.0.0.1:8000"


def is_loopback(bind_url):
    host = urlsplit(bind_url).hostname or ""  # "http://:8000" is every interface
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(serve, cert, key, port):
    """The hub's public address and TLS files for `serve` ("tls": HTTPS on every interface
    at `port`); refuse what would send passwords in clear beyond this machine."""
    if serve == "reverse-proxy":
        return {"bind_url": REVERSE_PROXY_BIND_URL}
    if serve != "tls":
        raise ValueError(f'SERVE must be "tls" or "reverse-proxy", not {serve!r}')
    missing = [str(path) for path in (cert, key) if not Path(path).is_file()]
    if missing:
        raise ValueError(
            f"the hub serves HTTPS and needs {' and '.join(missing)}: see "
            "docs/class-hub.md (Let's Encrypt, campus CA), "
            'or SERVE = "reverse-proxy"'
        )
    if Path(key).stat().st_mode & 0o077:
        raise ValueError(f"{key} is readable by others than its owner: chmod 600 {key}")
    return {"bind_url": f"https://:{port}", "ssl_cert": str(cert), "ssl_key": str(key)}


def check_not_in_clear(hub, proxy_api_url=""):
    """Raise ValueError if the hub's config `hub` serves plain HTTP beyond loopback, or
    its own API or the proxy's is reachable beyond loopback."""
    bind_url = hub.get("bind_url", "")
    tls = hub.get("ssl_cert") and hub.get("ssl_key")
    if not tls and not is_loopback(bind_url):
        raise ValueError(
            f"refusing to serve logins in clear on {bind_url}: set TLS_CERT and "
            "TLS_KEY, or bind 127.0.0.1 behind a reverse proxy that does TLS"
        )
    for internal in [hub.get("hub_bind_url", ""), proxy_api_url]:
        if internal and not is_loopback(internal):
            raise ValueError(
                f"refusing to open the hub's internals on {internal}: bind them to 127.0.0.1"
            )
