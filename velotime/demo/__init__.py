"""`velotime demo`: a whole session on simulated hardware, compressed in time.

- `script`: what happens: the riders, the meet file, and each rider's designed times (seeded);
- `timeline`: what each device sends and the desk commands, at which instant of the session;
- `director`: plays the timeline on the simulated devices and the broker, paced by the wall
  clock, and waits for the daemon wherever the order of commands and timing matters;
- `venue`: the broker, the simulators and the daemon (`velotime run`) on this machine;
- `report`: what the demo prints: progress as results arrive, then the standings;
- `session`: puts them together (`run_demo`).
"""
