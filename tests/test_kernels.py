"""Forked kernels: real papermill runs, each in a fresh process, nothing leaking between them."""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest

from xxgk.batch.kernels import ForkedKernelManager
from xxgk.batch.zygote import Zygote


@pytest.fixture(scope="module")
def manager():
    zygote = Zygote()
    yield type("TestKernelManager", (ForkedKernelManager,), {"zygote": zygote})
    zygote.close()


def _notebook(path, source: str):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("agency = 'none'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _stdout(nb_path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")


def test_each_run_gets_a_fresh_process_and_state(tmp_path, manager):
    src = _notebook(
        tmp_path / "probe.ipynb",
        "import os, matplotlib\n"
        "print('pid', os.getpid())\n"
        "print('leaked', globals().get('secret'), matplotlib.rcParams['lines.linewidth'])\n"
        "secret = agency\n"
        "matplotlib.rcParams['lines.linewidth'] = 9\n",
    )
    outs = []
    for agency in ("a", "b"):
        out = tmp_path / f"{agency}.ipynb"
        pm.execute_notebook(str(src), str(out), parameters={"agency": agency}, progress_bar=False,
                            kernel_manager_class=manager, shutdown_kernel="immediate")
        outs.append(_stdout(out))
    pids = [o.split()[1] for o in outs]
    assert pids[0] != pids[1]
    default_width = __import__("matplotlib").rcParamsDefault["lines.linewidth"]
    for text in outs:
        assert f"leaked None {default_width}" in text


def test_charts_render_inline_in_forked_kernels(tmp_path, manager):
    src = _notebook(tmp_path / "plot.ipynb", "import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4]);")
    out = tmp_path / "plot.out.ipynb"
    pm.execute_notebook(str(src), str(out), progress_bar=False, kernel_manager_class=manager, shutdown_kernel="immediate")
    nb = nbformat.read(out, as_version=4)
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_a_dead_kernel_fails_the_run_without_hanging(tmp_path, manager):
    src = _notebook(tmp_path / "die.ipynb", "import os\nos._exit(3)")
    with pytest.raises(Exception):
        pm.execute_notebook(str(src), str(tmp_path / "die.out.ipynb"), progress_bar=False,
                            kernel_manager_class=manager, shutdown_kernel="immediate", execution_timeout=60)


def test_a_prestarted_zygote_serves_the_next_zygote_and_one_never_taken_is_ended(tmp_path):
    """`xxgk run` begins the zygote before its own imports: the run's Zygote forks from that process, and a
    run with nothing to render kills it rather than leaving it importing."""
    from xxgk.batch import zygote as zygote_module

    zygote_module.prestart()
    early = zygote_module._prestarted
    taker = Zygote()
    try:
        taker.start()
        assert taker._proc is early and early.poll() is None
        assert zygote_module._prestarted is None
    finally:
        taker.close()
    zygote_module.prestart()
    unused = zygote_module._prestarted
    zygote_module.discard_prestarted()
    assert unused.poll() is not None and zygote_module._prestarted is None


def test_a_rehearsal_makes_a_review_and_writes_nothing(tmp_path):
    """What a zygote runs before the forks of a large run: one agency's review pieces, thrown away."""
    from xxgk.batch.kernels import rehearse
    from xxgk.config import DATA_DIR

    out = tmp_path / "out"
    rehearse("qh-gov", 2022, str(DATA_DIR), str(out))
    written = [p.relative_to(out).parts[0] for p in out.rglob("*") if p.is_file()]
    assert set(written) <= {".cache"}  # the parsed reports it read, nothing a reviewer sees


def test_pooled_kernels_are_fresh_started_ahead_and_the_untaken_are_killed_with_their_folders(tmp_path):
    """A review takes a kernel forked before it asked (already listening) and never used before; another is
    forked for the next review; what is left at the end is killed and its socket folder removed."""
    import time
    from pathlib import Path

    from xxgk.batch.kernels import KernelPool, _ForkedProcess

    zygote = Zygote()
    pool = KernelPool(zygote, 1, str(tmp_path))
    manager = type("PooledKernelManager", (ForkedKernelManager,), {"zygote": zygote, "pool": pool})
    src = _notebook(tmp_path / "probe.ipynb",
                    "import os\nprint('pid', os.getpid())\nprint('leaked', globals().get('secret'))\nsecret = agency\n")
    try:
        zygote.start()
        pool.fill()
        pids = []
        for agency in ("a", "b"):
            waiting = pool._spares[0][0]  # forked before this review asked for a kernel
            out = tmp_path / f"{agency}.ipynb"
            pm.execute_notebook(str(src), str(out), parameters={"agency": agency}, progress_bar=False,
                                kernel_manager_class=manager, shutdown_kernel="immediate", cwd=str(tmp_path))
            text = _stdout(out)
            assert f"pid {waiting}" in text and "leaked None" in text
            pids.append(waiting)
        assert pids[0] != pids[1]
        deadline = time.monotonic() + 30
        while not pool._spares and time.monotonic() < deadline:  # the next one, forked meanwhile
            time.sleep(0.01)
        left, info = pool._spares[0]
        folder = Path(info["ip"]).parent
        assert folder.is_dir() and left not in pids
        pool.close()
        assert not folder.exists()
        _ForkedProcess(left).wait(timeout=10)
    finally:
        pool.close()
        zygote.close()
