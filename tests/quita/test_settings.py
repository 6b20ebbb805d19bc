"""Settings: environment names from the contract, secrets masked, placeholders refused."""

from datetime import date

import pytest

from quita.settings import Settings, SettingsError, get_settings

REAL_SECRETS = {
    "WHATSAPP_APP_SECRET": "9f0c1d2e3b4a5968",
    "WHATSAPP_VERIFY_TOKEN": "a-long-random-verify-token",
    "WHATSAPP_ACCESS_TOKEN": "EAAG-real-looking-token",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        *REAL_SECRETS,
        "QUITA_MODE",
        "QUITA_DATABASE_URL",
        "QUITA_TODAY",
        "OPENAI_API_KEY",
        "QUITA_BRAIN",
    ):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Production mode with real-looking WhatsApp secrets; tests then spoil one setting."""
    for name, value in REAL_SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("QUITA_MODE", "production")
    return monkeypatch


def test_development_mode_runs_with_no_configuration() -> None:
    settings = Settings()

    assert settings.mode == "development"
    assert settings.is_embedded
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.brain == "offline"


def test_contract_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUITA_DATABASE_URL", "postgresql+psycopg://quita@db/quita")
    monkeypatch.setenv("QUITA_TODAY", "2026-11-20")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "123456789012345")
    monkeypatch.setenv("QUITA_LLM_MODEL", "llama3.1")

    settings = Settings()

    assert settings.resolved_database_url == "postgresql+psycopg://quita@db/quita"
    assert not settings.is_embedded
    assert settings.today == date(2026, 11, 20)
    assert settings.whatsapp_phone_number_id == "123456789012345"
    assert settings.llm_model == "llama3.1"


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in REAL_SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop")

    shown = repr(Settings())

    assert all(value not in shown for value in REAL_SECRETS.values())
    assert "sk-test-abcdefghijklmnop" not in shown


@pytest.mark.parametrize("placeholder", ["change-me", "CHANGEME", "secret", ""])
def test_production_refuses_a_placeholder_secret(
    production: pytest.MonkeyPatch, placeholder: str
) -> None:
    production.setenv("WHATSAPP_APP_SECRET", placeholder)

    with pytest.raises(SettingsError, match="WHATSAPP_APP_SECRET"):
        get_settings()


def test_production_refuses_the_default_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUITA_MODE", "production")

    with pytest.raises(SettingsError) as refused:
        get_settings()

    assert "WHATSAPP_VERIFY_TOKEN" in str(refused.value)
    assert "WHATSAPP_ACCESS_TOKEN" in str(refused.value)


def test_production_refuses_a_missing_llm_key_when_the_openai_brain_is_chosen(
    production: pytest.MonkeyPatch,
) -> None:
    production.setenv("QUITA_BRAIN", "openai")

    with pytest.raises(SettingsError, match="OPENAI_API_KEY"):
        get_settings()


def test_production_accepts_real_secrets(production: pytest.MonkeyPatch) -> None:

    assert get_settings().mode == "production"


def test_production_refuses_a_placeholder_pix_webhook_secret(
    production: pytest.MonkeyPatch,
) -> None:
    production.setenv("QUITA_PIX_WEBHOOK_SECRET", "changeme")

    with pytest.raises(SettingsError, match="QUITA_PIX_WEBHOOK_SECRET"):
        get_settings()
