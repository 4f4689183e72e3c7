"""Knowledge-base settings that only this package reads (environment variables or `.env`).

`KAKEHASHI_LLM` names an optional chat model that writes answers from the retrieved
passages, e.g. `openai:gpt-4o-mini` (with `OPENAI_BASE_URL` / `OPENAI_API_KEY` for any
OpenAI-compatible server). Unset: answers are extractive and work offline.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class KnowledgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    llm: str | None = Field(default=None, validation_alias=_env("KAKEHASHI_LLM"))
    # Chunking of documents (characters; Thai and Japanese have no spaces between words).
    chunk_size: int = Field(default=600, validation_alias=_env("KAKEHASHI_KB_CHUNK_SIZE"))
    chunk_overlap: int = Field(default=80, validation_alias=_env("KAKEHASHI_KB_CHUNK_OVERLAP"))
    # Candidates each leg contributes to the fusion.
    candidates: int = Field(default=30, validation_alias=_env("KAKEHASHI_KB_CANDIDATES"))
    # Below this cosine similarity of the best passage the answer is "I don't know" ...
    min_similarity: float = Field(
        default=0.25, validation_alias=_env("KAKEHASHI_KB_MIN_SIMILARITY")
    )
    # ... unless the keyword leg agrees on the same topic and the similarity is at least this.
    min_similarity_agreed: float = Field(
        default=0.21, validation_alias=_env("KAKEHASHI_KB_MIN_SIMILARITY_AGREED")
    )
    # How often (seconds) a process checks whether another one changed the documents.
    refresh_interval_s: float = Field(default=5.0, validation_alias=_env("KAKEHASHI_KB_REFRESH_S"))
    collection: str = Field(
        default="kakehashi-knowledge", validation_alias=_env("KAKEHASHI_KB_COLLECTION")
    )
