// Shared helpers for the test targets: local AWS (moto), temp dirs, free ports.
