"""Floor 1, the kernel: settings, database, time, the message types, the catalogue, chat
users and conversation state, and the protocols features meet through. Imports nothing
of ours."""
