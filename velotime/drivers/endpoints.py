"""Where a device is: TCP or serial, or an address it connects to; and the URL form of each,
as the configuration and the capture headers write it. No I/O here (`transports` opens them)."""

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, urlsplit

STANDARD_BAUDRATES = (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)
DEFAULT_BAUDRATE = 9600
TRANSPORT_FORMS = (
    "tcp://HOST:PORT, serial://PATH[?baudrate=N], tcp-listen://HOST:PORT or udp://HOST:PORT"
)
_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
# RFC 1035 2.3.4: 63 bytes a label, 253 characters a name. The resolver refuses longer ones
# (Python's idna codec with UnicodeError, not OSError): say so when the address is read.
_MAX_LABEL = 63
_MAX_NAME = 253
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class TcpEndpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"tcp://{_netloc(self.host, self.port)}"


@dataclass(frozen=True)
class SerialEndpoint:
    path: str
    baudrate: int = DEFAULT_BAUDRATE

    def __str__(self) -> str:
        return f"serial://{self.path}?baudrate={self.baudrate}"


@dataclass(frozen=True)
class TcpListenEndpoint:
    """We listen and the device connects to us (FinishLynx sends to a scoreboard port)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"tcp-listen://{_netloc(self.host, self.port)}"


@dataclass(frozen=True)
class UdpEndpoint:
    """We listen for datagrams on this address."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"udp://{_netloc(self.host, self.port)}"


Endpoint = TcpEndpoint | SerialEndpoint | TcpListenEndpoint | UdpEndpoint
_NETWORK_ENDPOINTS: dict[str, type[TcpEndpoint | TcpListenEndpoint | UdpEndpoint]] = {
    "tcp": TcpEndpoint,
    "tcp-listen": TcpListenEndpoint,
    "udp": UdpEndpoint,
}


def _netloc(host: str, port: int) -> str:
    """host:port, with an IPv6 address in brackets as URLs write it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_transport(text: str) -> Endpoint:
    """`tcp://HOST:PORT`, `tcp://[IPV6]:PORT`, `serial://PATH[?baudrate=N]`, or, for a device
    that connects to us, `tcp-listen://HOST:PORT` or `udp://HOST:PORT`; ValueError says what is
    wrong."""
    scheme, sep, rest = text.partition("://")
    if sep and scheme == "serial":
        return _parse_serial(rest, text)
    kind = _NETWORK_ENDPOINTS.get(scheme) if sep else None
    if kind is None:
        raise ValueError(f"expected {TRANSPORT_FORMS}, got {text!r}")
    form = f"{scheme}://HOST:PORT"
    parts = split_network_url(text, form)
    if parts.port is None:
        raise ValueError(f"missing port: expected {form}, got {text!r}")
    assert parts.hostname is not None  # split_network_url checked it
    return kind(parts.hostname, parts.port)


def _parse_serial(rest: str, text: str) -> SerialEndpoint:
    path, _, query = rest.partition("?")
    # A device node is an absolute path; "serial://dev/ttyUSB0" lost a slash. COM3 is Windows.
    if not (path.startswith("/") or re.fullmatch(r"COM[0-9]+", path)):
        raise ValueError(
            f"expected serial://PATH[?baudrate=N] with an absolute device path "
            f"(serial:///dev/ttyUSB0), got {text!r}"
        )
    baudrate = DEFAULT_BAUDRATE
    try:
        options = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise ValueError(f"bad options {query!r}: expected ?baudrate=N, got {text!r}") from None
    seen: set[str] = set()
    for key, value in options:
        if key != "baudrate":
            raise ValueError(f"unknown option {key!r} (only baudrate), got {text!r}")
        if key in seen:
            raise ValueError(f"baudrate given twice, got {text!r}")
        seen.add(key)
        if not _DIGITS.fullmatch(value) or int(value) not in STANDARD_BAUDRATES:
            rates = ", ".join(map(str, STANDARD_BAUDRATES))
            raise ValueError(f"baudrate must be one of {rates}; got {text!r}")
        baudrate = int(value)
    return SerialEndpoint(path, baudrate)


def _host_name_problem(host: str) -> str | None:
    """What makes a name no resolver takes (a label too long, or empty); None if nothing."""
    if len(host) > _MAX_NAME:
        return f"{len(host)} characters (at most {_MAX_NAME})"
    for label in host.split("."):
        if not label:
            return "an empty part between dots"
        if len(label) > _MAX_LABEL:
            return f"{len(label)} characters between dots (at most {_MAX_LABEL})"
    return None


def split_network_url(text: str, forms: str) -> SplitResult:
    """Split SCHEME://HOST[:PORT] and check each part; nothing else may be present."""
    expected = f"expected {forms}, got {text!r}"
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. a bracketed host that is not an IPv6 address
        raise ValueError(f"bad host (brackets are for IPv6 only): {expected}") from None
    if "[" not in parts.netloc and parts.netloc.count(":") > 1:
        raise ValueError(f"an IPv6 address goes in brackets, as [::1]: {expected}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"no user or password in the URL (use the config keys): {expected}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "#" in text:
        raise ValueError(f"no path, query or fragment allowed: {expected}")
    host = parts.hostname
    if not host:
        raise ValueError(f"missing host: {expected}")
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host)  # older Pythons' urlsplit does not check this
        except ValueError:
            raise ValueError(f"bad host (brackets are for IPv6 only): {expected}") from None
    elif not _HOSTNAME.fullmatch(host):
        raise ValueError(f"bad host {host!r}: {expected}")
    elif problem := _host_name_problem(host):
        raise ValueError(f"bad host: {problem}: {expected}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"port must be a number from 1 to 65535: {expected}") from None
    if port == 0 or (port is None and parts.netloc.endswith(":")):
        raise ValueError(f"port must be a number from 1 to 65535: {expected}")
    return parts
