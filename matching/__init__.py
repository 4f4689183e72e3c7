"""Floor 3, a feature: the company directory, partner matching and introductions.
Imports only `core` and `language`."""
