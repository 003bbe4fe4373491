"""`velotime simulate NAME`: simulated timing devices, for demos and tests without hardware.

Each protocol family with a simulated device contributes its subcommand (`Family.simulate`:
its arguments and how it runs, in its own folder, e.g. velotime/families/p3/simulate.py); this
lists what the registry has. What the devices share (stdout and stdin, signals, argument types)
is velotime/simulators/console.py.
"""

from typing import Any

from velotime.families import families


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "simulate",
        description="Run a simulated timing device that hosts connect to as to the real one.",
    )
    devices = parser.add_subparsers(dest="device", required=True, metavar="DEVICE")
    for family in families():
        if family.simulate is None:
            continue
        command = family.simulate.load()
        device = devices.add_parser(family.name, help=command.help, description=command.description)
        command.add_arguments(device)
        device.set_defaults(run=command.run)
