"""Device drivers: transports (TCP, serial, file replay) feeding the protocol codecs."""
