"""Kernel faults stay contained: a dead zygote is started again, killed runs leave no socket folders."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill as pm

from xxgk.batch.kernels import ForkedKernelManager
from xxgk.batch.zygote import Zygote, remove_stale_socket_folders


def test_dead_zygote_is_restarted(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nprint('kernel', os.getpid())")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp_path / "probe.ipynb"
    nbformat.write(nb, src)
    zygote = Zygote()
    try:
        zygote.start()  # its imports began in the background; wait for it
        manager = type("RestartKernelManager", (ForkedKernelManager,), {"zygote": zygote})
        first = zygote._proc.pid
        zygote._proc.kill()  # as the OOM killer would
        zygote._proc.wait()
        out = pm.execute_notebook(str(src), None, kernel_name="python3", progress_bar=False,
                                  kernel_manager_class=manager, execution_timeout=60)
        assert "kernel" in out.cells[0].outputs[0]["text"] and zygote._proc.pid != first
    finally:
        zygote.close()


def test_stale_socket_folders_of_dead_drivers_are_removed():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = Path(tempfile.mkdtemp(prefix=f"xxgk-kernel-{gone.pid}-"))
    (stale / "k-1").write_text("", encoding="utf-8")
    live = Path(tempfile.mkdtemp(prefix=f"xxgk-kernel-{os.getpid()}-"))
    try:
        removed = remove_stale_socket_folders()
        assert stale in removed and not stale.exists()
        assert live.exists() and live not in removed
    finally:
        live.rmdir()


def test_a_zygote_closed_while_it_still_imports_is_killed_not_waited_for():
    """A run with nothing to render (or a cluster run that ends early) must not wait for imports it will not use."""
    import signal
    import time

    zygote = Zygote()
    deadline = time.monotonic() + 30
    while zygote._starting is None and zygote._proc is None and time.monotonic() < deadline:
        time.sleep(0.001)
    starting = zygote._starting  # spawned; its imports take far longer than this loop's millisecond
    assert starting is not None
    zygote.close()
    assert starting.wait(timeout=10) == -signal.SIGKILL
