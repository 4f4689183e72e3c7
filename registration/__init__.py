"""Floor 3, a feature: conversational registration, profiles and erasure requests. It
reaches the directory and other stores only through `core.ports`. Imports only `core`
and `language`."""
