"""Downloads public corpora: resumable, checksum-verified, extracted without path traversal.

The registry below names each archive's public URL and, where it is known, its size and
SHA-256. The LibriSpeech digests are the ones published for the OpenSLR archives by other
projects and checked there against the downloaded files. FSDD is fetched as a GitHub source
archive of a fixed commit; GitHub does not publish checksums for such archives, so none is
stored: its digest is computed and recorded next to the archive (`<archive>.sha256`), not
verified. Nothing here can tell a tampered FSDD archive from a genuine one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from speech_lstm.atomic import TEMPORARY_MARK, temporary_name, write_text

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
_FSDD_COMMIT = "26eb9aaf76e81b692f806f9140c2d2777410d7a1"


class DownloadError(RuntimeError):
    """A download that failed or was interrupted; a `.partial` file may be left to resume."""


class ChecksumError(ValueError):
    """A downloaded file whose size or SHA-256 is not the published one (it is deleted)."""


class UnsafeArchiveError(ValueError):
    """An archive with a member that would be written outside the destination folder."""


@dataclass(frozen=True)
class ArchiveSource:
    """One downloadable archive.

    Attributes:
        url: the public URL.
        extracted: the folder, relative to the destination, that extraction creates and that
            `scripts/prepare_data.py` reads as `source=`.
        sha256: the published digest, or None when there is none to verify against.
        size: the archive's size in bytes, or None when unknown.
    """

    url: str
    extracted: str
    sha256: str | None = None
    size: int | None = None

    @property
    def file_name(self) -> str:
        """The archive's file name (the last part of the URL's path)."""
        return PurePosixPath(urlsplit(self.url).path).name


_LIBRISPEECH_SHA256 = {
    "dev-clean": "76f87d090650617fca0cac8f88b9416e0ebf80350acb97b343a85fa903728ab3",
    "dev-other": "12661c48e8c3fe1de2c1caa4c3e135193bfb1811584f11f569dd12645aa84365",
    "test-clean": "39fde525e59672dc6d1551919b1478f724438a95aa55f874b576be21967e6c23",
    "test-other": "d09c181bba5cf717b3dee7d4d592af11a3ee3a09e08ae025c5506f6ebe961c29",
    "train-clean-100": "d4ddd1d5a6ab303066f14971d768ee43278a5f2a0aa43dc716b0e64ecbbbf6e2",
    "train-clean-360": "146a56496217e96c14334a160df97fffedd6e0a04e66b9c5af0d40be3c792ecf",
    "train-other-500": "ddb22f27f96ec163645d53215559df6aa36515f26e01dd70798188350adcb6d2",
}
_LIBRISPEECH_SIZE = {"dev-clean": 337_926_286}

DOWNLOADS: dict[str, dict[str, ArchiveSource]] = {
    "librispeech": {
        subset: ArchiveSource(
            url=f"https://www.openslr.org/resources/12/{subset}.tar.gz",
            extracted=f"LibriSpeech/{subset}",
            sha256=digest,
            size=_LIBRISPEECH_SIZE.get(subset),
        )
        for subset, digest in _LIBRISPEECH_SHA256.items()
    },
    "fsdd": {
        "all": ArchiveSource(
            url="https://github.com/Jakobovski/free-spoken-digit-dataset/archive/"
            f"{_FSDD_COMMIT}.zip",
            extracted=f"free-spoken-digit-dataset-{_FSDD_COMMIT}",
        )
    },
}


@dataclass
class DownloadConfig:
    """Options of `scripts/download.py`.

    Attributes:
        dataset: the `conf/dataset/` entry whose corpus to fetch (only its `name` is used).
        subset: which archive of the corpus (LibriSpeech: dev-clean, train-clean-100, ...);
            null when the corpus has a single one.
        dest: folder receiving the archive and its extracted files.
        base_url: fetch from this server instead of the public one (a mirror, or a local
            test server); the archive's file name is appended.
        timeout: seconds to wait for the server before giving up.
    """

    dataset: Any = "???"
    subset: str | None = None
    dest: str = "data"
    base_url: str | None = None
    timeout: float = 60.0


def find_source(dataset: str, subset: str | None) -> ArchiveSource:
    """The registry entry for `dataset` and `subset` (null when the dataset has one archive)."""
    if dataset not in DOWNLOADS:
        raise ValueError(
            f"No download for this dataset; choose one of {sorted(DOWNLOADS)}. "
            f"Received: {dataset!r}"
        )
    subsets = DOWNLOADS[dataset]
    if subset is None and len(subsets) == 1:
        return next(iter(subsets.values()))
    if subset not in subsets:
        raise ValueError(f"{dataset} subset must be one of {sorted(subsets)}. Received: {subset!r}")
    return subsets[subset]


def download_dataset(config: DownloadConfig) -> Path:
    """Fetches, verifies and extracts the archive `config` names; returns the extracted folder."""
    source = find_source(config.dataset.name, config.subset)
    return fetch_and_extract(source, Path(config.dest), config.base_url, config.timeout)


def fetch_and_extract(
    source: ArchiveSource, dest: Path, base_url: str | None = None, timeout: float = 60.0
) -> Path:
    """Downloads `source` into `dest` (resuming), verifies it, and extracts it safely.

    Each step whose result exists is skipped: a finished download is not fetched again, and
    an archive already extracted (marked by `<archive>.extracted`) is not extracted again.

    Returns:
        `dest / source.extracted`.

    Raises:
        DownloadError: the server failed or the transfer broke off (run again to resume).
        ChecksumError: the file is not the published one; it has been deleted.
        UnsafeArchiveError: a member would land outside `dest`; nothing was extracted.
    """
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / source.file_name
    marker = archive.with_name(archive.name + ".extracted")
    target = dest / source.extracted
    if marker.is_file() and target.exists():
        log.info("%s is already extracted in %s", archive.name, target)
        return target
    if not archive.is_file():
        fetch(archive_url(source, base_url), archive, timeout)
    verify_archive(archive, source)
    extract_archive(archive, dest)
    write_text(marker, f"{source.url}\n")
    return target


def archive_url(source: ArchiveSource, base_url: str | None) -> str:
    """The URL to fetch: the public one, or `base_url` followed by the archive's file name."""
    return f"{base_url.rstrip('/')}/{source.file_name}" if base_url else source.url


def fetch(url: str, path: Path, timeout: float = 60.0) -> None:
    """Downloads `url` to `path` through `<path>.partial`, resuming it with an HTTP Range.

    A server that ignores the Range request (answers 200) makes the download start over.
    """
    partial = path.with_name(path.name + ".partial")
    offset = partial.stat().st_size if partial.is_file() else 0
    headers = {"User-Agent": "speech-lstm-download"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urlopen(Request(url, headers=headers), timeout=timeout)
    except HTTPError as error:
        if error.code == 416 and offset:
            log.info("%s: the partial download is already complete", path.name)
            partial.replace(path)
            return
        raise DownloadError(f"HTTP {error.code} {error.reason} fetching {url}") from None
    except (URLError, OSError) as error:
        raise DownloadError(f"Cannot reach {url}: {error}") from None
    with response:
        resumed = offset > 0 and response.status == 206
        if resumed and _range_start(response) != offset:
            raise DownloadError(
                f"{url} answered a resume from byte {offset} with another range. "
                f"Received: Content-Range {response.headers.get('Content-Range')!r}"
            )
        if offset and not resumed:
            log.info("%s: the server did not resume at byte %d; starting over", url, offset)
        expected = _expected_length(response, offset if resumed else 0)
        _copy_body(response, partial, append=resumed, url=url)
    written = partial.stat().st_size
    if expected is not None and written < expected:
        raise DownloadError(
            f"Download of {url} broke off at byte {written} of {expected}; run again to resume "
            f"from {partial}"
        )
    partial.replace(path)


def _range_start(response: Any) -> int | None:
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return int(match.group(1)) if match else None


def _expected_length(response: Any, offset: int) -> int | None:
    """The file's full size as the response announces it (None when it does not say)."""
    length = response.headers.get("Content-Length")
    return offset + int(length) if length is not None and length.isdigit() else None


def _copy_body(response: Any, partial: Path, append: bool, url: str) -> None:
    written = partial.stat().st_size if append else 0
    log.info("Downloading %s%s", url, f" from byte {written}" if written else "")
    next_report = written + 64 * CHUNK_BYTES
    try:
        with partial.open("ab" if append else "wb") as out:
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                written += len(chunk)
                if written >= next_report:
                    log.info("%s: %.0f MB", partial.name, written / 1e6)
                    next_report += 64 * CHUNK_BYTES
    except (HTTPException, OSError) as error:
        raise DownloadError(
            f"Download of {url} broke off after {written} bytes ({error!r}); run again to "
            f"resume from {partial}"
        ) from None


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def verify_archive(path: Path, source: ArchiveSource) -> str:
    """Checks size and SHA-256 against `source`; records the digest when none is published.

    Returns:
        The file's SHA-256.

    Raises:
        ChecksumError: on a mismatch, after deleting the file so the next run fetches it anew.
    """
    size = path.stat().st_size
    if source.size is not None and size != source.size:
        path.unlink()
        raise ChecksumError(
            f"{path.name} has {size} bytes, expected {source.size}; deleted it, run again to "
            f"download it anew. Received: {size} bytes from {source.url}"
        )
    digest = sha256_of(path)
    if source.sha256 is None:
        write_text(path.with_name(path.name + ".sha256"), f"{digest}  {path.name}\n")
        log.warning(
            "%s has no published checksum: recorded its SHA-256 %s, not verified", path.name, digest
        )
    elif digest != source.sha256:
        path.unlink()
        raise ChecksumError(
            f"{path.name} is corrupt or not the published file: SHA-256 should be "
            f"{source.sha256}; deleted it, run again to download it anew. Received: {digest}"
        )
    return digest


def extract_archive(archive: Path, dest: Path) -> None:
    """Extracts a .tar(.gz/.bz2/.xz), .tgz or .zip archive into `dest`, refusing unsafe members.

    Every member is checked before anything is written: absolute names, `..` components,
    links whose target leaves `dest`, and device or FIFO entries are refused. Tar archives
    are then extracted with Python's `data` filter where the interpreter has it, which
    re-checks the same at write time.

    The archive is extracted into a temporary folder inside `dest` first (`.NAME.tmp-PID`,
    see `speech_lstm.atomic`; a killed run's is removed by the next) and moved into place
    only once whole: a folder the archive creates appears complete or not at all, so an
    extraction killed or failed part-way never leaves half a corpus under its real name.

    Raises:
        UnsafeArchiveError: naming the first unsafe member.
        ValueError: when the file is neither a tar nor a zip archive.
    """
    dest = dest.resolve()
    name = archive.name.lower()
    if name.endswith(".zip"):
        extract = _extract_zip
    elif name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        extract = _extract_tar
    else:
        raise ValueError(
            f"Unsupported archive type (want .tar[.gz|.bz2|.xz], .tgz or .zip). Received: {archive}"
        )
    dest.mkdir(parents=True, exist_ok=True)
    for stale in dest.glob(f".{archive.name}{TEMPORARY_MARK}*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = temporary_name(dest / archive.name)
    staging.mkdir()
    try:
        extract(archive, staging)
        _move_into(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into(source: Path, dest: Path) -> None:
    """Moves everything under `source` into `dest`: an entry new to `dest` with one rename
    (a folder whole), a folder both hold by merging into it, a file both hold by replacing it."""
    for entry in sorted(source.iterdir()):
        target = dest / entry.name
        entry_is_dir = entry.is_dir() and not entry.is_symlink()
        if target.is_dir() and not target.is_symlink():
            if entry_is_dir:
                _move_into(entry, target)
                continue
            shutil.rmtree(target)
        elif entry_is_dir and (target.exists() or target.is_symlink()):
            target.unlink()
        os.replace(entry, target)


def _inside(dest: Path, relative: str) -> bool:
    """Whether `relative`, joined to `dest` and normalised lexically, stays below `dest`."""
    joined = os.path.normpath(os.path.join(dest, relative))
    return joined == str(dest) or joined.startswith(str(dest) + os.sep)


def check_member_name(name: str, dest: Path) -> None:
    """Refuses an archive member name that is absolute, climbs with `..`, or leaves `dest`."""
    for pure in (PurePosixPath(name), PureWindowsPath(name)):
        if pure.is_absolute() or pure.drive or pure.root or ".." in pure.parts:
            raise UnsafeArchiveError(
                f"Refusing archive member outside the destination. Received: {name!r}"
            )
    if not _inside(dest, name):
        raise UnsafeArchiveError(f"Refusing archive member outside {dest}. Received: {name!r}")


def _check_tar_member(member: tarfile.TarInfo, dest: Path) -> None:
    check_member_name(member.name, dest)
    if member.isdev() or member.isfifo():
        raise UnsafeArchiveError(
            f"Refusing device or FIFO archive member. Received: {member.name!r}"
        )
    if member.issym():
        base = os.path.dirname(member.name)
        if os.path.isabs(member.linkname) or not _inside(dest, os.path.join(base, member.linkname)):
            raise UnsafeArchiveError(
                f"Refusing symlink {member.name!r} pointing outside the "
                f"destination. Received: {member.linkname!r}"
            )
    if member.islnk() and (os.path.isabs(member.linkname) or not _inside(dest, member.linkname)):
        raise UnsafeArchiveError(
            f"Refusing hard link {member.name!r} pointing outside the "
            f"destination. Received: {member.linkname!r}"
        )


def _extract_tar(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for member in members:
            _check_tar_member(member, dest)
        log.info("Extracting %d members of %s into %s", len(members), archive.name, dest)
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:
            tar.extractall(dest, members=members)


def _extract_zip(archive: Path, dest: Path) -> None:
    with zipfile.ZipFile(archive) as zipped:
        members = zipped.infolist()
        for member in members:
            check_member_name(member.filename, dest)
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise UnsafeArchiveError(
                    f"Refusing symbolic link in zip archive. Received: {member.filename!r}"
                )
        log.info("Extracting %d members of %s into %s", len(members), archive.name, dest)
        zipped.extractall(dest, members=members)
