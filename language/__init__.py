"""Floor 2, th/ja/en text: detection, normalising, tokenisers, the sentence embedder,
parsing of typed values, fuzzy choices and reference vocabularies. Imports only `core`."""
