"""The one way to build an MQTT client for the venue's broker: credentials, TLS, keepalive, no
Nagle and the protocol version, for the daemon, the scoring service, the scoreboards, the desk
and the demo; and the one way to publish and learn whether the broker took it.

MQTT 5 by default, so that a publish the broker refuses (its ACL: PUBACK reason code 0x87 Not
authorized) is known to the publisher; under MQTT 3.1.1 (`[mqtt] protocol = "3.1.1"`, for the
embedded amqtt) the broker acknowledges a refused publish like any other and drops it.
"""

import asyncio
import socket
import ssl
import weakref
from dataclasses import dataclass
from typing import Any

import aiomqtt
import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from velotime.config import Config
from velotime.config.schema import MqttProtocol

# A persistent session (clean_session=False) outlives its connection for good, as under MQTT
# 3.1.1: the broker keeps queueing for the scoring service however long it is away (up to its
# max_queued_messages). MQTT 5's "never expires".
SESSION_EXPIRY_NEVER = 0xFFFFFFFF
PUBLISH_TIMEOUT_S = 10.0


class PublishRefusedError(Exception):
    """The broker acknowledged a publish with a failure reason code (MQTT 5, >= 0x80): it did
    not take the message (e.g. 0x87 Not authorized by its ACL)."""

    def __init__(self, topic: str, reason: ReasonCode) -> None:
        self.topic = topic
        self.reason_code: int = reason.value
        self.reason = str(reason)
        super().__init__(f"the broker refused {topic}: {self.reason} (0x{self.reason_code:02X})")


@dataclass(frozen=True)
class BrokerSettings:
    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    keepalive_s: int = 15
    tls: bool = False
    tls_ca_file: str | None = None
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    # False: the broker keeps the subscriptions and queues QoS 1 messages while we are away.
    clean_session: bool = True
    protocol: MqttProtocol = "5"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'mqtts' if self.tls else 'mqtt'}://{host}:{self.port}"


def connection_failure(broker: BrokerSettings, exc: BaseException, *, reached: bool) -> str:
    """What to log when a connection to `broker` ends in `exc`: a link that was up and dropped
    is "lost"; one that never came up (the broker down, a wrong address) is not, and names the
    address the user can check."""
    if reached:
        return f"broker connection lost: {exc}"
    return f"cannot reach the broker at {broker.url}: {exc}"


class BrokerConnectionError(Exception):
    """A program that needs the broker now (not one that keeps trying) could not reach it or
    lost it; the message is `connection_failure`'s."""


def broker_settings(config: Config) -> BrokerSettings:
    """The venue's broker as the configuration names it (the daemon's client id)."""
    mqtt = config.mqtt
    return BrokerSettings(
        host=mqtt.host,
        port=mqtt.port,
        username=mqtt.username,
        password=config.password(),
        client_id=mqtt.client_id or f"velotime-{config.venue.id}",
        keepalive_s=mqtt.keepalive_s,
        tls=mqtt.tls,
        tls_ca_file=mqtt.tls_ca_file,
        tls_cert_file=mqtt.tls_cert_file,
        tls_key_file=mqtt.tls_key_file,
        protocol=mqtt.protocol,
    )


def mqtt_client(broker: BrokerSettings, **options: Any) -> aiomqtt.Client:
    """A client for `broker` (credentials, TLS, keepalive, no Nagle, protocol, a persistent
    session or not); `options` are aiomqtt's."""
    tls_params = None
    if broker.tls:
        tls_params = aiomqtt.TLSParameters(
            ca_certs=broker.tls_ca_file,
            certfile=broker.tls_cert_file,
            keyfile=broker.tls_key_file,
            cert_reqs=ssl.CERT_REQUIRED,
        )
    settings: dict[str, Any] = {
        "username": broker.username,
        "password": broker.password,
        "keepalive": broker.keepalive_s,
        "tls_params": tls_params,
        # paho never sets TCP_NODELAY; without it a QoS 1 round trip can stall ~40 ms.
        "socket_options": [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        "timeout": 10,
    }
    if broker.protocol == "5":
        settings["protocol"] = aiomqtt.ProtocolVersion.V5
        settings["clean_start"] = broker.clean_session
        if not broker.clean_session:
            # Without it an MQTT 5 session ends with its connection, whatever clean_start says.
            connect = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            connect.SessionExpiryInterval = SESSION_EXPIRY_NEVER
            settings["properties"] = connect
    else:
        settings["protocol"] = aiomqtt.ProtocolVersion.V311
        settings["clean_session"] = broker.clean_session
    client = aiomqtt.Client(broker.host, broker.port, **(settings | options))
    _Pubacks(client)
    return client


async def publish_checked(
    client: aiomqtt.Client,
    topic: str,
    payload: bytes,
    *,
    retain: bool = False,
    timeout_s: float = PUBLISH_TIMEOUT_S,
) -> None:
    """Publish at QoS 1 and wait for the broker's PUBACK; PublishRefusedError if it refused the
    message (MQTT 5 only: under 3.1.1 a refusal cannot be told from a success), MqttError if the
    connection fails first. `client` is one from `mqtt_client`."""
    info = client._client.publish(topic, payload, qos=1, retain=retain)
    if info.rc != paho.MQTT_ERR_SUCCESS:
        raise aiomqtt.MqttCodeError(info.rc, "Could not publish message")
    reason = await _pubacks[client].wait(info.mid, timeout_s)
    if reason.is_failure:
        raise PublishRefusedError(topic, reason)


class _Pubacks:
    """The PUBACK reason code of each publish made by `publish_checked`, which aiomqtt's own
    handler drops; every other PUBACK goes on to aiomqtt's handler."""

    def __init__(self, client: aiomqtt.Client) -> None:
        self._waiting: dict[int, asyncio.Future[ReasonCode]] = {}
        # aiomqtt's handler, with paho's union of callback signatures narrowed to its own.
        self._aiomqtt_on_publish: Any = client._client.on_publish
        client._client.on_publish = self._on_publish
        _pubacks[client] = self

    async def wait(self, mid: int, timeout_s: float) -> ReasonCode:
        done = asyncio.get_running_loop().create_future()
        self._waiting[mid] = done  # a QoS 1 PUBACK is read by the loop, after this
        try:
            # Not asyncio.wait_for (as aiomqtt's publish): in 3.11 it swallows a cancellation
            # that comes with the PUBACK, and a cancelled publisher would run on.
            async with asyncio.timeout(timeout_s):
                reason: ReasonCode = await done
                return reason
        except TimeoutError:
            raise aiomqtt.MqttError(f"no PUBACK for {timeout_s:.0f} s") from None
        finally:
            self._waiting.pop(mid, None)

    def _on_publish(
        self, client: paho.Client, userdata: Any, mid: int, reason: ReasonCode, properties: Any
    ) -> None:
        done = self._waiting.pop(mid, None)
        if done is None:
            self._aiomqtt_on_publish(client, userdata, mid, reason, properties)
        elif not done.done():
            done.set_result(reason)


_pubacks: "weakref.WeakKeyDictionary[aiomqtt.Client, _Pubacks]" = weakref.WeakKeyDictionary()
