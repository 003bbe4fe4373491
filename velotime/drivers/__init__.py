"""Device drivers: transports (TCP, serial) and the per-protocol logic that reads each feed."""
