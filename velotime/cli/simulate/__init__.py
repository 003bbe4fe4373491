"""`velotime simulate`: simulated timing devices, for demos and tests without hardware.

One module a device: `p3` (an AMB P3 decoder on TCP), `timy` (an ALGE Timy on a
pseudo-terminal), `lynx` (a FinishLynx camera sending one heat to a scoreboard port); `common`
holds what they share.
"""

from typing import Any

from velotime.cli.simulate import lynx, p3, timy


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "simulate",
        description="Run a simulated timing device that hosts connect to as to the real one.",
    )
    devices = parser.add_subparsers(dest="device", required=True, metavar="DEVICE")
    p3.register(devices)
    timy.register(devices)
    lynx.register(devices)
