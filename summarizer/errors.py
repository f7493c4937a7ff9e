"""One root error and its three families: configuration, input and runtime (LLM)."""

from __future__ import annotations


class SummarizerError(Exception):
    """Root of every error the package raises on purpose.

    The CLI maps it to a one-line message and ``exit_code``.
    """

    exit_code = 1


class ConfigError(SummarizerError):
    """The settings, the environment or an installed asset is wrong."""

    exit_code = 3


class ModelNotInstalledError(ConfigError):
    """The embedded model's weights are not installed yet."""


class PromptError(ConfigError):
    """A prompt file is malformed or a template variable is missing."""


class InputError(SummarizerError):
    """An input article cannot be read: missing, empty, binary, undecodable or too large."""

    exit_code = 2

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class LLMError(SummarizerError):
    """The model endpoint failed in a way retries did not fix."""

    exit_code = 4


class LLMUnavailableError(LLMError):
    """The endpoint could not be reached, timed out, or kept answering 429/5xx."""


class LLMOutputTruncatedError(LLMError):
    """The model's answer was cut off at ``max_tokens``.

    Attributes:
        usage: Token usage of the calls that produced the cut-off answer (a ``Usage``).
        partial: The text of the cut-off answer.
        generation_s: Seconds the model spent generating it.

    """

    def __init__(
        self, message: str, usage: object = None, partial: str = "", generation_s: float = 0.0
    ) -> None:
        super().__init__(message)
        self.usage = usage
        self.partial = partial
        self.generation_s = generation_s


class LLMOutputInvalidError(LLMError):
    """The model's answer was not valid JSON for the schema, even after re-asking."""
