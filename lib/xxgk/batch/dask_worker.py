"""A Dask worker ready for xxgk before its first run: `dask worker ... --preload xxgk.batch.dask_worker`.

Without it a fresh worker imports the notebook stack, and its machine's zygote imports everything a review
needs, during the worker's first run and on that run's clock. With it each worker imports the stack on a thread
as it starts, and the first worker of its machine (the one that takes a machine-wide lock for its user) begins a
zygote, which the driver then chooses to serve the machine's kernels (run._Dask prefers a worker with one ready).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from pathlib import Path

from xxgk import yamlfile
from xxgk.batch import zygote

CONFIG_DIR = Path(__file__).parent / "dask"  # Dask settings for an xxgk cluster (DASK_CONFIG may point here)

_READY = threading.Event()  # this worker's notebook stack is imported
_held: list[int] = []  # the machine lock's descriptor, held for this process's life once taken


def dask_setup(worker=None) -> None:
    """Dask's preload hook, called in the worker's main thread as it starts (the zygote's parent-death signal
    follows that thread, which lives as long as the worker)."""
    if _take_machine_lock():
        zygote.prestart()
    threading.Thread(target=_import_stack, daemon=True, name="xxgk-warm-driver").start()


def config() -> dict[str, object]:
    """The settings of CONFIG_DIR as dotted keys, for `dask.config.set` around a cluster started in Python (a
    nested mapping given to it would replace whole sections of Dask's defaults)."""
    def flat(prefix: str, value) -> dict[str, object]:
        if not isinstance(value, dict):
            return {prefix: value}
        return {k: v for key, sub in value.items() for k, v in flat(f"{prefix}.{key}" if prefix else key, sub).items()}

    out: dict[str, object] = {}
    for path in sorted(CONFIG_DIR.glob("*.yaml")):
        out.update(flat("", yamlfile.load(path)))
    return out


def wait_ready(timeout: float = 120.0) -> bool:
    """Wait for this worker's imports and, on the machine's first worker, its zygote's (for benchmarks and tests
    that time a cluster only once it has settled)."""
    ready = _READY.wait(timeout)
    return ready and (not _held or zygote.prestarted_ready(timeout))


def _import_stack() -> None:
    """What a worker's reviews and year task import besides the zygote's: the driver side of a review (papermill,
    the page exporter), the notices' python-docx, the year's workbook (openpyxl) and the registry frame the year
    task receives (pandas)."""
    import importlib

    from xxgk.batch.run import warm_driver

    try:
        warm_driver()
        for name in ("xxgk.batch.overview", "xxgk.batch.handover", "docx", "openpyxl", "pandas"):
            importlib.import_module(name)
    finally:
        _READY.set()


def _take_machine_lock() -> bool:
    """One worker per machine and user prestarts a zygote: the one holding an exclusive lock on a private file
    in the temp folder (released when its process ends). A file another user owns, or a link, means none here."""
    path = Path(tempfile.gettempdir()) / f"xxgk-dask-zygote-{os.getuid()}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError:
        return False
    try:
        if os.fstat(fd).st_uid != os.getuid():
            raise OSError("not ours")
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    _held.append(fd)
    return True
