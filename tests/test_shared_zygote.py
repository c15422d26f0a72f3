"""Dask workers of one run on one machine fork their kernels from one shared zygote, and carry on without it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import nbformat

from xxgk.batch import shared_zygote

# A second worker process: its zygote for the run, then for each line on stdin one notebook run whose kernel
# prints its parent's pid (the zygote it was forked from).
WORKER = """
import sys
import papermill as pm
from xxgk.batch import shared_zygote
from xxgk.batch.kernels import ForkedKernelManager

zygote = shared_zygote.for_run(sys.argv[1], (), lazy=True)
print(type(zygote).__name__, flush=True)
manager = type("WorkerKernelManager", (ForkedKernelManager,), {"zygote": zygote})
for _ in sys.stdin:
    out = pm.execute_notebook(sys.argv[2], None, kernel_name="python3", progress_bar=False,
                              kernel_manager_class=manager, execution_timeout=60)
    print(out.cells[0].outputs[0]["text"].strip(), flush=True)
zygote.close()
"""


def _probe(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nprint(os.getppid())")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "probe.ipynb")
    return tmp_path / "probe.ipynb"


def test_a_second_worker_forks_from_the_first_workers_zygote_and_from_its_own_once_that_is_gone(tmp_path):
    run_id = uuid.uuid4().hex
    first = shared_zygote.for_run(run_id, (), lazy=False)
    worker = subprocess.Popen([sys.executable, "-c", WORKER, run_id, str(_probe(tmp_path))], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    try:
        assert worker.stdout.readline().strip() == "_Client"
        first.start()
        shared = first._proc.pid
        worker.stdin.write("run\n")
        worker.stdin.flush()
        assert int(worker.stdout.readline()) == shared
        first.close()  # the first worker's run ended (or it died): its zygote and folder are gone
        assert not any(Path(tempfile.gettempdir()).glob(f"{shared_zygote.FOLDER_PREFIX}*{run_id}"))
        worker.stdin.write("run\n")
        worker.stdin.flush()
        own = int(worker.stdout.readline())
        assert own != shared and own != worker.pid
    finally:
        first.close()
        worker.stdin.close()
        assert worker.wait(timeout=60) == 0


def test_folders_of_shared_zygotes_nobody_serves_any_more_are_removed():
    stale = Path(tempfile.gettempdir()) / f"{shared_zygote.FOLDER_PREFIX}{os.getuid()}-{uuid.uuid4().hex}"
    stale.mkdir(mode=0o700)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(stale / "sock"))
    listener.close()  # its worker died without closing the run
    starting = Path(tempfile.gettempdir()) / f"{shared_zygote.FOLDER_PREFIX}{os.getuid()}-{uuid.uuid4().hex}"
    starting.mkdir(mode=0o700)  # a first worker that has not bound its socket yet
    try:
        removed = shared_zygote.remove_stale_folders()
        assert stale in removed and not stale.exists()
        assert starting.exists() and starting not in removed
    finally:
        starting.rmdir()
