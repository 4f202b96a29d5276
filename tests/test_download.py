"""Downloads against a local HTTP server on 127.0.0.1 serving archives built in the test."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import zipfile

import pytest

from speech_lstm.prep.download import (
    DOWNLOADS,
    ArchiveSource,
    ChecksumError,
    DownloadConfig,
    DownloadError,
    UnsafeArchiveError,
    download_dataset,
    extract_archive,
    fetch_and_extract,
    find_source,
)
from speech_lstm.prep.importers import FsddConfig, PrepareDataConfig, prepare_data
from tests.download_fixtures import ArchiveServer, fsdd_zip
from tests.fixtures_corpora import REPO_ROOT, write_audio


@pytest.fixture
def server():
    archive_server = ArchiveServer()
    yield archive_server
    archive_server.close()


def tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def corpus_archive() -> bytes:
    """A LibriSpeech-shaped archive, padded so that a half download is a real half."""
    return tar_gz(
        {
            "LibriSpeech/dev-clean/1/2/1-2.trans.txt": b"1-2-0000 HELLO\n",
            "LibriSpeech/dev-clean/1/2/1-2-0000.flac": bytes(range(256)) * 400,
        }
    )


def source_for(body: bytes, name: str = "dev-clean.tar.gz") -> ArchiveSource:
    return ArchiveSource(
        url=f"https://example.invalid/resources/{name}",
        extracted="LibriSpeech/dev-clean",
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
    )


def test_download_verifies_extracts_and_then_skips(server, tmp_path):
    body = corpus_archive()
    server.files["dev-clean.tar.gz"] = body
    folder = fetch_and_extract(source_for(body), tmp_path / "data", server.url)
    assert folder == tmp_path / "data" / "LibriSpeech" / "dev-clean"
    assert (folder / "1" / "2" / "1-2.trans.txt").read_text() == "1-2-0000 HELLO\n"
    assert not (tmp_path / "data" / "dev-clean.tar.gz.partial").exists()
    assert fetch_and_extract(source_for(body), tmp_path / "data", server.url) == folder
    assert len(server.requests) == 1  # the second call found everything done


def test_interrupted_download_resumes_with_range(server, tmp_path):
    body = corpus_archive()
    server.files["dev-clean.tar.gz"] = body
    server.cut_next_after = len(body) // 2
    with pytest.raises(DownloadError, match="run again to resume"):
        fetch_and_extract(source_for(body), tmp_path, server.url)
    partial = tmp_path / "dev-clean.tar.gz.partial"
    assert partial.stat().st_size == len(body) // 2
    fetch_and_extract(source_for(body), tmp_path, server.url)
    assert server.requests[-1] == ("dev-clean.tar.gz", f"bytes={len(body) // 2}-")
    assert (tmp_path / "dev-clean.tar.gz").read_bytes() == body
    assert (tmp_path / "LibriSpeech" / "dev-clean" / "1" / "2" / "1-2-0000.flac").is_file()


def test_server_ignoring_range_restarts_the_download(server, tmp_path):
    body = corpus_archive()
    server.files["dev-clean.tar.gz"] = body
    server.honour_range = False
    (tmp_path / "dev-clean.tar.gz.partial").write_bytes(body[:1000])
    fetch_and_extract(source_for(body), tmp_path, server.url)
    assert (tmp_path / "dev-clean.tar.gz").read_bytes() == body


def test_complete_partial_file_is_finished_on_http_416(server, tmp_path):
    body = corpus_archive()
    server.files["dev-clean.tar.gz"] = body
    (tmp_path / "dev-clean.tar.gz.partial").write_bytes(body)
    fetch_and_extract(source_for(body), tmp_path, server.url)
    assert server.requests == [("dev-clean.tar.gz", f"bytes={len(body)}-")]
    assert (tmp_path / "LibriSpeech" / "dev-clean" / "1" / "2" / "1-2.trans.txt").is_file()


def test_corrupted_download_is_deleted_with_a_clear_error(server, tmp_path):
    body = corpus_archive()
    corrupt = bytearray(body)
    corrupt[len(body) // 3] ^= 0xFF
    server.files["dev-clean.tar.gz"] = bytes(corrupt)
    with pytest.raises(ChecksumError, match="corrupt or not the published file"):
        fetch_and_extract(source_for(body), tmp_path, server.url)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing kept, nothing extracted


def test_wrong_size_is_deleted(server, tmp_path):
    body = corpus_archive()
    server.files["dev-clean.tar.gz"] = body + b"junk"
    with pytest.raises(ChecksumError, match="expected"):
        fetch_and_extract(source_for(body), tmp_path, server.url)
    assert not list(tmp_path.iterdir())


def test_http_error_is_reported(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch_and_extract(source_for(b"x"), tmp_path, server.url)


def _tar_with(member: tarfile.TarInfo, data: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        good = tarfile.TarInfo("corpus/ok.txt")
        good.size = 2
        tar.addfile(good, io.BytesIO(b"ok"))
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def _link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


MALICIOUS_TARS = {
    "parent": lambda outside: _tar_with(tarfile.TarInfo("corpus/../../evil.txt"), b"pwned"),
    "absolute": lambda outside: _tar_with(tarfile.TarInfo(str(outside / "evil.txt")), b"pwned"),
    "symlink": lambda outside: _tar_with(_link("corpus/esc", "../../outside", tarfile.SYMTYPE)),
    "abs-symlink": lambda outside: _tar_with(_link("corpus/esc", str(outside), tarfile.SYMTYPE)),
    "hardlink": lambda outside: _tar_with(_link("corpus/hard", "../evil.txt", tarfile.LNKTYPE)),
}


@pytest.mark.parametrize("kind", sorted(MALICIOUS_TARS))
def test_malicious_tar_members_are_refused(server, tmp_path, kind):
    outside = tmp_path / "outside"
    outside.mkdir()
    server.files["evil.tar.gz"] = MALICIOUS_TARS[kind](outside)
    dest = tmp_path / "box" / "dest"
    source = ArchiveSource("https://example.invalid/evil.tar.gz", "corpus", None, None)
    with pytest.raises(UnsafeArchiveError, match="Refusing"):
        fetch_and_extract(source, dest, server.url)
    assert not (dest / "corpus").exists()  # checked before anything was written
    assert not list(outside.iterdir())
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "box" / "evil.txt").exists()
    assert not (dest / "evil.tar.gz.extracted").exists()


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "C:/evil.txt", "a/../../e"])
def test_malicious_zip_members_are_refused(tmp_path, name):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("fine/ok.txt", "ok")
        zipped.writestr(zipfile.ZipInfo(name), "pwned")
    dest = tmp_path / "dest"
    with pytest.raises(UnsafeArchiveError):
        extract_archive(archive, dest)
    assert not dest.exists() or not any(dest.rglob("*"))
    assert not (tmp_path / "evil.txt").exists()


def test_fsdd_download_records_its_checksum_and_imports(server, tmp_path, caplog):
    for take in (0, 5):
        write_audio(tmp_path / "rec" / f"3_jackson_{take}.wav", 0.3, 8000)
    name, body = fsdd_zip(tmp_path / "rec")
    server.files[name] = body
    config = DownloadConfig(dataset=FsddConfig(), dest=str(tmp_path / "data"), base_url=server.url)
    folder = download_dataset(config)
    recorded = (tmp_path / "data" / f"{name}.sha256").read_text().split()[0]
    assert recorded == hashlib.sha256(body).hexdigest()
    assert "not verified" in caplog.text
    output = tmp_path / "fsdd" / "train.jsonl"
    report = prepare_data(PrepareDataConfig(FsddConfig(), str(folder), str(output)))
    assert report.written == 1


def test_an_extraction_that_fails_part_way_leaves_no_half_corpus(tmp_path):
    """A zip whose second member is corrupt: the first is extracted, then reading the second
    fails; nothing appears under the archive's folder, and no temporary is left. The folder
    of an earlier subset beside it is kept, and a later good archive merges into it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("Corpus/part-a/1.txt", "one\n")
        zipped.writestr("Corpus/part-a/2.txt", "two " * 100)
    data = bytearray(buffer.getvalue())
    data[data.find(b"two two") + 3] ^= 0xFF  # a flipped byte in the second member's data
    archive = tmp_path / "part-a.zip"
    archive.write_bytes(bytes(data))
    dest = tmp_path / "data"
    (dest / "Corpus" / "part-b").mkdir(parents=True)
    (dest / "Corpus" / "part-b" / "kept.txt").write_text("b")
    with pytest.raises(zipfile.BadZipFile):
        extract_archive(archive, dest)
    assert not (dest / "Corpus" / "part-a").exists()
    assert sorted(p.name for p in dest.iterdir()) == ["Corpus"]  # no temporary left
    archive.write_bytes(buffer.getvalue())
    extract_archive(archive, dest)
    assert (dest / "Corpus" / "part-a" / "2.txt").read_text() == "two " * 100
    assert (dest / "Corpus" / "part-b" / "kept.txt").read_text() == "b"


def test_registry_has_the_public_sources():
    source = find_source("librispeech", "dev-clean")
    assert source.url == "https://www.openslr.org/resources/12/dev-clean.tar.gz"
    assert source.sha256 is not None and len(source.sha256) == 64
    assert all(s.sha256 for s in DOWNLOADS["librispeech"].values())
    assert "Jakobovski/free-spoken-digit-dataset" in find_source("fsdd", None).url
    with pytest.raises(ValueError, match="subset must be one of"):
        find_source("librispeech", None)
    with pytest.raises(ValueError, match="No download"):
        find_source("kaldi", None)


def run_download_script(*overrides: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(REPO_ROOT / "scripts" / "download.py"), *overrides]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_download_script_fetches_fsdd(server, tmp_path):
    write_audio(tmp_path / "rec" / "3_jackson_0.wav", 0.3, 8000)
    name, body = fsdd_zip(tmp_path / "rec")
    server.files[name] = body
    dest, run_dir = tmp_path / "data", tmp_path / "run"
    result = run_download_script(
        "dataset=fsdd", f"dest={dest}", f"base_url={server.url}", f"hydra.run.dir={run_dir}"
    )
    assert result.returncode == 0, result.stderr
    folder = dest / find_source("fsdd", None).extracted
    assert f"fsdd is in {folder}" in result.stdout
    assert (folder / "recordings" / "3_jackson_0.wav").is_file()


def test_download_script_refuses_a_file_that_is_not_the_published_one(server, tmp_path):
    # The registry holds the real LibriSpeech digest, which a fixture archive cannot match.
    server.files["dev-clean.tar.gz"] = corpus_archive()
    result = run_download_script(
        "dataset=librispeech",
        "subset=dev-clean",
        f"dest={tmp_path / 'data'}",
        f"base_url={server.url}",
        f"hydra.run.dir={tmp_path / 'run'}",
    )
    assert result.returncode != 0
    assert "ChecksumError" in result.stderr and "run again" in result.stderr
    assert server.requests == [("dev-clean.tar.gz", None)]
    assert not (tmp_path / "data" / "dev-clean.tar.gz").exists()
