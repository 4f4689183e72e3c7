"""Floor 3, a feature: the LINE and Telegram adapters (verify, parse, render, send). The
only package that imports the platform SDKs. Imports only `core` and `language`."""
