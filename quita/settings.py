"""One settings object for the whole process, read from the environment (names in the contract)."""

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "secret", "password", "placeholder", "test", "xxx", "todo"}
)
DEFAULT_GRAPH_URL = "https://graph.facebook.com/v23.0"

Mode = Literal["development", "production"]
BrainName = Literal["offline", "openai"]


class SettingsError(RuntimeError):
    """The environment describes a configuration Quita refuses to run with."""


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Process configuration. Secrets are `SecretStr`, so `repr` never shows them."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    mode: Mode = Field("development", validation_alias=_env("QUITA_MODE"))
    data_dir: Path = Field(Path(".quita"), validation_alias=_env("QUITA_DATA_DIR"))
    database_url: str | None = Field(None, validation_alias=_env("QUITA_DATABASE_URL"))
    redis_url: str | None = Field(None, validation_alias=_env("QUITA_REDIS_URL"))
    brain: BrainName = Field("offline", validation_alias=_env("QUITA_BRAIN"))
    today: date | None = Field(None, validation_alias=_env("QUITA_TODAY"))
    policy_file: Path | None = Field(None, validation_alias=_env("QUITA_POLICY_FILE"))
    # The ISP's own markdown documents, replacing the bundled knowledge base corpus.
    knowledge_dir: Path | None = Field(None, validation_alias=_env("QUITA_KNOWLEDGE_DIR"))

    whatsapp_app_secret: SecretStr = Field(
        SecretStr("change-me"), validation_alias=_env("WHATSAPP_APP_SECRET")
    )
    whatsapp_verify_token: SecretStr = Field(
        SecretStr("change-me"), validation_alias=_env("WHATSAPP_VERIFY_TOKEN")
    )
    whatsapp_access_token: SecretStr = Field(
        SecretStr("change-me"), validation_alias=_env("WHATSAPP_ACCESS_TOKEN")
    )
    whatsapp_phone_number_id: str = Field(
        "000000000000000", validation_alias=_env("WHATSAPP_PHONE_NUMBER_ID")
    )
    whatsapp_graph_url: str = Field(DEFAULT_GRAPH_URL, validation_alias=_env("WHATSAPP_GRAPH_URL"))
    # Development only (refused in production): accept webhook POSTs without a signature.
    whatsapp_allow_unsigned: bool = Field(
        False, validation_alias=_env("QUITA_WHATSAPP_ALLOW_UNSIGNED")
    )
    # Meta documents 3 MB as the largest webhook payload; anything bigger is refused (413).
    whatsapp_max_body_bytes: int = Field(
        3 * 1024 * 1024, gt=0, validation_alias=_env("QUITA_WHATSAPP_MAX_BODY_BYTES")
    )
    # Outbound limits shared by every sender: messages per second from the phone number
    # (Meta's default 80; 0 = no cap) and, per recipient, one message every GAP seconds after
    # a burst of BURST (Meta's pair limit, error 131056).
    whatsapp_mps: float = Field(80.0, ge=0, validation_alias=_env("QUITA_WHATSAPP_MPS"))
    whatsapp_recipient_gap: float = Field(
        6.0, ge=0, validation_alias=_env("QUITA_WHATSAPP_RECIPIENT_GAP")
    )
    whatsapp_recipient_burst: int = Field(
        4, ge=1, validation_alias=_env("QUITA_WHATSAPP_RECIPIENT_BURST")
    )
    # Comma-separated message purposes: those that still go out after an opt-out (legally
    # required notices; none by default), and the replies allowed while the debtor's own
    # 24-hour window is open even after an opt-out.
    whatsapp_mandatory_purposes: str = Field(
        "", validation_alias=_env("QUITA_WHATSAPP_MANDATORY_PURPOSES")
    )
    whatsapp_reply_purposes: str = Field(
        "agent_reply,staff_reply", validation_alias=_env("QUITA_WHATSAPP_REPLY_PURPOSES")
    )
    # Seconds between the cadence ticks of `serve` (embedded) and `worker`; 0 turns them off.
    cadence_tick_seconds: float = Field(
        300.0, ge=0, validation_alias=_env("QUITA_CADENCE_TICK_SECONDS")
    )

    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"))
    llm_model: str = Field("gpt-4o-mini", validation_alias=_env("QUITA_LLM_MODEL"))
    # Seconds an LLM call may take before the offline brain answers instead.
    llm_timeout: float = Field(20.0, gt=0, validation_alias=_env("QUITA_LLM_TIMEOUT"))

    # Bearer token of the staff API (/api/...); without one the API is closed.
    staff_token: SecretStr | None = Field(None, validation_alias=_env("QUITA_STAFF_TOKEN"))

    # POST /webhooks/pix authenticates with the shared secret, or with a header the TLS
    # proxy sets after verifying the PSP's client certificate; with neither, development only.
    pix_webhook_secret: SecretStr | None = Field(
        None, validation_alias=_env("QUITA_PIX_WEBHOOK_SECRET")
    )
    pix_mtls_header: str | None = Field(None, validation_alias=_env("QUITA_PIX_MTLS_HEADER"))
    pix_mtls_value: str = Field("SUCCESS", validation_alias=_env("QUITA_PIX_MTLS_VALUE"))

    @model_validator(mode="after")
    def _refuse_unsigned_webhooks_in_production(self) -> Self:
        if self.mode == "production" and self.whatsapp_allow_unsigned:
            raise ValueError(
                "QUITA_WHATSAPP_ALLOW_UNSIGNED is refused in production mode: every WhatsApp "
                "webhook must carry a valid X-Hub-Signature-256"
            )
        return self

    @model_validator(mode="after")
    def _refuse_placeholders_outside_development(self) -> Self:
        if self.mode == "development":
            return self
        placeholders = [name for name, value in self._secrets().items() if _is_placeholder(value)]
        if placeholders:
            raise ValueError(
                "placeholder secrets are refused outside development mode: "
                + ", ".join(placeholders)
                + " (set real values, or QUITA_MODE=development for a local demo)"
            )
        return self

    def _secrets(self) -> dict[str, SecretStr | None]:
        secrets: dict[str, SecretStr | None] = {
            "WHATSAPP_APP_SECRET": self.whatsapp_app_secret,
            "WHATSAPP_VERIFY_TOKEN": self.whatsapp_verify_token,
            "WHATSAPP_ACCESS_TOKEN": self.whatsapp_access_token,
        }
        if self.brain == "openai" or self.openai_api_key is not None:
            secrets["OPENAI_API_KEY"] = self.openai_api_key
        if self.pix_webhook_secret is not None:
            secrets["QUITA_PIX_WEBHOOK_SECRET"] = self.pix_webhook_secret
        if self.staff_token is not None:
            secrets["QUITA_STAFF_TOKEN"] = self.staff_token
        return secrets

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file inside the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'quita.db').resolve()}"

    @property
    def is_embedded(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def _is_placeholder(value: SecretStr | None) -> bool:
    return value is None or value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call `get_settings.cache_clear()`."""
    try:
        return Settings()
    except ValueError as error:
        raise SettingsError(str(error)) from error
