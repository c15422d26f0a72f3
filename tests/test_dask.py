"""`xxgk run --dask`: a year on a LocalCluster of two worker processes gives the local run's pages; the cluster
settings (lib/xxgk/batch/dask/) reach Dask by each route the README gives."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import dask
import pytest

from conftest import data_subset
from xxgk.batch import run as batch
from xxgk.batch import dask_worker, zygote

pytestmark = pytest.mark.slow

AGENCIES = ("qh-gov", "qh-commerce", "qh-education", "qh-hefeng")
_DATE = re.compile(r"生成日期：\d{4}-\d{2}-\d{2}")  # the only thing a page may change from one run to the next


def _profiled_and_tick(dask_worker):
    return "profile" in dask_worker.periodic_callbacks, dask_worker.periodic_callbacks["tick"].callback_time


def test_the_cluster_settings_are_settings_dask_has():
    """A key Dask renamed or dropped would be set and silently do nothing: each must be one of Dask's defaults."""
    import distributed  # noqa: F401  (its defaults join dask.config.defaults on import)

    defaults = dask.config.merge(*dask.config.defaults)
    settings = dask_worker.config()
    assert "distributed.worker.profile.enabled" in settings
    missing = object()
    assert [k for k in settings if dask.config.get(k, missing, config=defaults) is missing] == []


def test_dask_config_pointing_at_the_folder_gives_the_settings():
    """The README's route for `dask worker` and `dask scheduler`: DASK_CONFIG names the folder, Dask reads it."""
    settings = dask_worker.config()
    code = "import json, sys, dask, distributed; print(json.dumps([dask.config.get(k) for k in sys.argv[1:]]))"
    env = {**os.environ, "DASK_CONFIG": str(dask_worker.CONFIG_DIR)}
    out = subprocess.run([sys.executable, "-c", code, *settings], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == list(settings.values())


def _pages(out_year):
    return {p.name: _DATE.sub("生成日期：-", p.read_text(encoding="utf-8")) for p in sorted(out_year.glob("*.html"))}


def test_a_local_cluster_renders_the_pages_of_the_local_run(tmp_path):
    from distributed import LocalCluster

    data = data_subset(tmp_path, AGENCIES)
    local = batch.run(2021, jobs=2, out_dir=tmp_path / "local", data_root=data)
    def spare():
        return zygote._prestarted.pid if zygote._prestarted is not None and zygote._prestarted.poll() is None else None

    # Started the documented way (the cluster settings, `--preload xxgk.batch.dask_worker`): one worker of the
    # machine begins a zygote.
    with dask.config.set(dask_worker.config()), LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
            preload=["xxgk.batch.dask_worker"]) as cluster:
        client = cluster.get_client()
        assert all(client.run(dask_worker.wait_ready).values())
        # The settings reached the worker processes: no task profiler, event loops checked each second.
        assert set(client.run(_profiled_and_tick).values()) == {(False, 1000)}
        preloaded = client.run(spare)
        assert len([w for w, pid in preloaded.items() if pid]) == 1
        on_dask = batch.run(2021, dask_address=cluster.scheduler_address, out_dir=tmp_path / "dask", data_root=data)
        workers = cluster.scheduler_info["workers"]
        # The workers forked their kernels from the machine's one zygote for the run (the preloaded one: its worker
        # served), and let it go when it ended; the worker that served it began the next run's zygote.
        assert len(workers) == 2
        assert client.run(lambda: dict(batch._WORKER_KERNELS)) == {w: {} for w in workers}
        spares = client.run(spare)
        server = next(w for w, pid in spares.items() if pid)
        assert [w for w, pid in spares.items() if pid] == [server]
        assert preloaded[server] and spares[server] != preloaded[server]
        again = batch.run(2021, dask_address=cluster.scheduler_address, out_dir=tmp_path / "again", data_root=data)
        after = client.run(spare)  # the same worker served again: it took that zygote and began another
        assert [w for w, pid in after.items() if pid] == [server] and after[server] != spares[server]
    assert {r.agency_id: r.status for r in on_dask.results} == {r.agency_id: r.status for r in local.results}
    assert {r.status for r in on_dask.results} == {"rendered"}
    assert len({r.agency_id for r in on_dask.results}) == len(AGENCIES)
    local_pages, dask_pages = _pages(tmp_path / "local" / "2021"), _pages(tmp_path / "dask" / "2021")
    assert {f"{a}.html" for a in AGENCIES} | {"index.html", "overview.html"} <= set(local_pages)
    assert dask_pages == local_pages
    assert {r.status for r in again.results} == {"rendered"}
    assert _pages(tmp_path / "again" / "2021") == local_pages
