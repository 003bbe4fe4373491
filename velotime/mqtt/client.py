"""The one way to build an MQTT client for the venue's broker: credentials, TLS, keepalive and
no Nagle, for the daemon, the scoring service, the scoreboards, the desk and the demo."""

import socket
import ssl
from dataclasses import dataclass
from typing import Any

import aiomqtt

from velotime.config import Config


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
    )


def mqtt_client(broker: BrokerSettings, **options: Any) -> aiomqtt.Client:
    """A client for `broker` (credentials, TLS, keepalive, no Nagle); `options` are aiomqtt's."""
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
    return aiomqtt.Client(broker.host, broker.port, **(settings | options))
