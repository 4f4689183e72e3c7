"""Floor 5, the runtime: durable inbox and outbox, the worker, the simulator, and the one
path that runs a turn and commits it."""
