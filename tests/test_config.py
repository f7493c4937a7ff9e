from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.config import EMBEDDED_MODEL_NAME, Settings, configured_secrets, redact_url
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
        ({"SUMMARIZER_TIMEOUT_S": "nan"}, "SUMMARIZER_TIMEOUT_S='nan': must be a positive number"),
        ({"SUMMARIZER_SEED": "-1"}, "SUMMARIZER_SEED='-1': must be at least 0"),
    ],
)
def test_bad_values_are_config_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Settings.resolve(env=env)


ENDPOINT = "http://127.0.0.1:9/v1"  # never contacted: the settings fail first


@pytest.mark.parametrize(
    ("env", "message"),
    [
        # the endpoint URL
        (
            {"SUMMARIZER_BASE_URL": "http://127.0.0.1:99999/v1"},
            "SUMMARIZER_BASE_URL='http://127.0.0.1:99999/v1': not a valid URL (Port out of range",
        ),
        (
            {"SUMMARIZER_BASE_URL": "http://[::1"},
            "SUMMARIZER_BASE_URL='http://[::1': not a valid URL (Invalid IPv6 URL)",
        ),
        (
            {"SUMMARIZER_BASE_URL": "http://exa mple.com/v1"},
            "SUMMARIZER_BASE_URL='http://exa mple.com/v1': contains a space",
        ),
        (
            {"SUMMARIZER_BASE_URL": "ftp://x/v1"},
            "SUMMARIZER_BASE_URL='ftp://x/v1': must start with http:// or https://",
        ),
        (
            {"SUMMARIZER_BASE_URL": "localhost:8080/v1"},
            "SUMMARIZER_BASE_URL='localhost:8080/v1': must start with http:// or https://",
        ),
        ({"SUMMARIZER_BASE_URL": "http:///v1"}, "SUMMARIZER_BASE_URL='http:///v1': has no host"),
        (
            {"SUMMARIZER_BASE_URL": "http://a:b@127.0.0.1:0/v1?key=sk-1"},
            "SUMMARIZER_BASE_URL='http://***@127.0.0.1:0/v1?key=***': port must be",
        ),
        (
            {"SUMMARIZER_BASE_URL": "http://127.0.0.1:8080/v1?api-version=1"},
            "must not have a query string",
        ),
        # numbers: zero, negative, not finite, not numeric
        ({"SUMMARIZER_TIMEOUT_S": "0"}, "SUMMARIZER_TIMEOUT_S='0': must be a positive number"),
        (
            {"SUMMARIZER_GENERATION_BUDGET_S": "-5"},
            "SUMMARIZER_GENERATION_BUDGET_S='-5': must be a positive number",
        ),
        ({"SUMMARIZER_TIMEOUT_S": "inf"}, "SUMMARIZER_TIMEOUT_S='inf': must be a positive number"),
        ({"SUMMARIZER_FETCH_TIMEOUT_S": "nan"}, "SUMMARIZER_FETCH_TIMEOUT_S='nan': must be"),
        ({"SUMMARIZER_HTTP_ATTEMPTS": "-1"}, "SUMMARIZER_HTTP_ATTEMPTS='-1': must be at least 1"),
        ({"SUMMARIZER_THREADS": "0"}, "SUMMARIZER_THREADS='0': must be at least 1"),
        ({"SUMMARIZER_SEED": "-1"}, "SUMMARIZER_SEED='-1': must be at least 0"),
        ({"SUMMARIZER_CONCURRENCY": "0"}, "SUMMARIZER_CONCURRENCY='0': must be from 1 to 64"),
        ({"SUMMARIZER_MAX_OUTPUT_TOKENS": "0"}, "SUMMARIZER_MAX_OUTPUT_TOKENS='0': must be"),
        ({"SUMMARIZER_CONTEXT_TOKENS": "4k"}, "SUMMARIZER_CONTEXT_TOKENS='4k' is not a valid"),
        ({"SUMMARIZER_MAX_REASKS": "one"}, "SUMMARIZER_MAX_REASKS='one' is not a valid value"),
        # paths of the wrong kind
        ({"SUMMARIZER_MODEL_PATH": "{dir}"}, "SUMMARIZER_MODEL_PATH='{dir}': is a directory"),
        ({"SUMMARIZER_CACHE_DIR": "{file}"}, "SUMMARIZER_CACHE_DIR='{file}': is a file"),
        ({"SUMMARIZER_DATA_DIR": "{file}"}, "SUMMARIZER_DATA_DIR='{file}': is a file"),
        ({"SUMMARIZER_PRICES": "{dir}"}, "SUMMARIZER_PRICES='{dir}': is a directory"),
    ],
)
def test_bad_settings_end_the_cli_with_exit_3_and_one_line_naming_them(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    places = {"dir": str(tmp_path / "a-dir"), "file": str(tmp_path / "a-file")}
    (tmp_path / "a-dir").mkdir()
    (tmp_path / "a-file").write_text("x")
    article = tmp_path / "article.txt"
    article.write_text("Each side returned 270 servicemen.", encoding="utf-8")
    env = {k: v.format(**places) for k, v in env.items()}
    message = message.format(**places)
    full_env = {"SUMMARIZER_BASE_URL": ENDPOINT, "SUMMARIZER_MODEL": "fake", **env}
    result = CliRunner().invoke(app, ["summarise", str(article)], env=full_env)
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert line.startswith("summarizer: error: ")
    assert message in line


@pytest.mark.parametrize("command", [["model", "status"], ["model", "path"]])
def test_model_commands_report_bad_settings_in_one_line(command: list[str]) -> None:
    result = CliRunner().invoke(app, command, env={"SUMMARIZER_TIMEOUT_S": "soon"})
    assert result.exit_code == 3
    assert result.stderr == "summarizer: error: SUMMARIZER_TIMEOUT_S='soon' is not a valid value\n"


def test_good_endpoint_urls_pass() -> None:
    for url in (
        "http://127.0.0.1:8080/v1",
        "https://user:pw@api.example.test/v1",
        "http://[::1]:8080/v1",
        "http://my_service:8000/openai/v1",
        "https://api.例え.jp/v1",
    ):
        assert Settings.resolve(env={"SUMMARIZER_BASE_URL": url}).base_url == url
    # A newline kept from $(cat file) is not part of the URL.
    assert Settings.resolve(env={"SUMMARIZER_BASE_URL": ENDPOINT + "\n"}).base_url == ENDPOINT


def test_configured_secrets_are_the_key_and_the_base_url_password() -> None:
    env = {"OPENAI_API_KEY": "sk-1", "SUMMARIZER_BASE_URL": "http://u:pw-2@h/v1"}
    assert configured_secrets(env) == ("sk-1", "pw-2")
    assert configured_secrets({"SUMMARIZER_BASE_URL": "http://[::1"}) == ()


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
        ("http://[::1]:8080/v1", "http://[::1]:8080/v1"),
        ("http://u:pw@127.0.0.1:99999/v1?key=k", "http://***@127.0.0.1:99999/v1?key=***"),
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
