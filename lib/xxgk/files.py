"""Files of a run: written atomically; folders and paths checked once: absolute, apart, and never a way out of the data folder.

papermill changes the driver's working directory, so a relative `--out out` would land in two places;
an output folder inside the data folder would have the next run read its own reviews as reports; a
report symlinked to /etc/shadow would be read, rendered and cached. Every such case is refused here
with one line naming the path.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

from xxgk.read.detect import MAX_BYTES
from xxgk.registry import file_state


def run_folders(data_dir: Path | str, out_dir: Path | str) -> tuple[Path, Path]:
    """(data folder, output folder) made absolute with symlinks resolved; ValueError when one holds the other."""
    data, out = Path(data_dir).expanduser().resolve(), Path(out_dir).expanduser().resolve()
    if out == data or out.is_relative_to(data):
        raise ValueError(f"{out}: 输出目录在数据目录 {data} 之内，下次运行会把审查结果当作报告读取；请换一个输出目录")
    if data.is_relative_to(out):
        raise ValueError(f"{data}: 数据目录在输出目录 {out} 之内，请把两者分开")
    return data, out


def inside(path: Path | str, root: Path | str) -> bool:
    """Does `path`, symlinks followed, stay inside `root`?"""
    return Path(path).resolve().is_relative_to(Path(root).resolve())


def check_inside(path: Path | str, root: Path | str) -> None:
    """ValueError when `path` is a link that leads out of `root` (the data folder is the only thing read)."""
    if not inside(path, root):
        raise ValueError(f"{path}: 是指向数据目录之外（{Path(path).resolve()}）的链接，拒绝读取")


# Digests by the file's state (path, root, and the device, inode, size, modification and change times the path
# leads to; no tool can set the change time back): every review of a region records each peer's file, and a kernel
# forked after the zygote hashed them finds them here.
_DIGESTS: dict[tuple, str] = {}


def file_digest(path: Path | str, root: Path | str) -> str:
    """A content hash for fingerprints that never fails and never reads what a review would refuse.

    A file outside `root`, over the read size limit, not a regular file or unreadable is named by that fact (and its size
    and time) instead of its bytes, so a planted link or a 4 GB sparse file costs nothing. A link moved to another
    file leads to another inode, so a remembered answer is never given for it.
    """
    path = path if isinstance(path, Path) else Path(path)  # Path(a Path) parses it again: asked once per peer
    try:
        st = path.stat()
    except OSError as exc:
        return f"outside:{path.name}" if not inside(path, root) else f"unreadable:{exc.errno}"
    key = (str(path), str(root), *file_state(st))
    if key not in _DIGESTS:
        _DIGESTS[key] = _digest(path, root, st)
    return _DIGESTS[key]


def _digest(path: Path, root: Path | str, st: os.stat_result) -> str:
    if not inside(path, root):
        return f"outside:{path.name}"
    if st.st_size > MAX_BYTES:
        return f"too-large:{st.st_size}:{st.st_mtime_ns}"
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the open forever
        return f"special:{stat.S_IFMT(st.st_mode)}"
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        return f"unreadable:{exc.errno}"


def open_no_follow(path: Path | str, flags: int, mode: int = 0o600) -> int:
    """os.open that refuses a symlink at `path` (OSError), so a planted link cannot redirect a write."""
    return os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), mode)


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target, then rename: readers see the old file or the new one, never half."""
    with atomic_file(path) as fh:
        fh.write(data)


@contextmanager
def atomic_file(path: Path):
    """A binary file to write `path` through piece by piece (a region's CSVs need not stand in memory whole): made
    next to it and renamed over it only when the block ends without an error, so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reviews are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(path: Path):
    """atomic_file as UTF-8 text, with no newline translation (what the csv module writes to)."""
    with atomic_file(path) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()  # atomic_file closes the file itself
