from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.config import EMBEDDED_MODEL_NAME, Settings, redact_url
from summarizer.errors import ConfigError


def test_defaults_use_the_embedded_model() -> None:
    settings = Settings.resolve(env={})
    assert settings.uses_embedded_model
    assert settings.model_name == EMBEDDED_MODEL_NAME
    assert settings.use_cache


def test_precedence_argument_over_env_over_default() -> None:
    env = {
        "SUMMARIZER_MODEL": "env-model",
        "SUMMARIZER_BASE_URL": "http://127.0.0.1:1/v1",
        "SUMMARIZER_TIMEOUT_S": "9.5",
        "SUMMARIZER_USE_CACHE": "no",
        "SUMMARIZER_CACHE_DIR": "/tmp/c",
    }
    settings = Settings.resolve(env=env, model="arg-model")
    assert settings.model_name == "arg-model"
    assert settings.base_url == "http://127.0.0.1:1/v1"
    assert settings.timeout_s == 9.5
    assert settings.use_cache is False
    assert settings.cache_dir == Path("/tmp/c")
    assert Settings.resolve(env=env, model=None).model_name == "env-model"


def test_api_key_from_env_is_never_in_repr() -> None:
    settings = Settings.resolve(env={"OPENAI_API_KEY": "sk-test-secret-value-1234567890"})
    assert settings.api_key == "sk-test-secret-value-1234567890"
    assert "secret" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SUMMARIZER_TIMEOUT_S": "soon"}, "SUMMARIZER_TIMEOUT_S='soon' is not a valid value"),
        ({"SUMMARIZER_USE_CACHE": "maybe"}, "SUMMARIZER_USE_CACHE='maybe'"),
        ({"SUMMARIZER_HTTP_ATTEMPTS": "0"}, "at least 1"),
        ({"SUMMARIZER_CONTEXT_TOKENS": "512"}, "at least 2048"),
    ],
)
def test_bad_values_are_config_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Settings.resolve(env=env)


def test_remote_endpoint_needs_a_model_name() -> None:
    settings = Settings.resolve(env={"SUMMARIZER_BASE_URL": "http://127.0.0.1:1/v1"})
    with pytest.raises(ConfigError, match="SUMMARIZER_MODEL"):
        _ = settings.model_name


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:sk-secret@api.example.test/v1", "https://api.example.test/v1"),
        ("http://127.0.0.1:8080/v1?api_key=sk-secret", "http://127.0.0.1:8080/v1"),
        ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1"),
        ("http://[::1]:8080/admin?token=x", "http://[::1]:8080/admin"),
    ],
)
def test_endpoint_urls_are_printed_without_credentials(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_private_links_are_allowed_only_when_asked() -> None:
    assert Settings.resolve(env={}).allow_private_links is False
    env = {"SUMMARIZER_ALLOW_PRIVATE_LINKS": "1"}
    assert Settings.resolve(env=env).allow_private_links is True
    with pytest.raises(ConfigError, match="SUMMARIZER_ALLOW_PRIVATE_LINKS='perhaps'"):
        Settings.resolve(env={"SUMMARIZER_ALLOW_PRIVATE_LINKS": "perhaps"})
