"""Floor 3, a feature: the knowledge base (documents, hybrid retrieval, cited answers).
Imports only `core` and `language`."""
