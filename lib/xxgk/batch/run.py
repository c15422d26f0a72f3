"""Review many agencies: in parallel, incrementally, each in its own fresh kernel, never half-written.

One long-lived driver runs the jobs on threads; every review executes in a new kernel forked from a
warm zygote (see kernels.py). An agency is re-rendered only when its inputs or the code changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from xxgk import parse_cache, registry

from xxgk.batch.summaries import RUN_FILE
from xxgk.review import inputs
from xxgk.config import DATA_DIR, NOTEBOOKS_DIR, OUTPUT_DIR, PACKAGE_DIR, code_files

DEFAULT_TIMEOUT = 300  # seconds for one agency's whole notebook
# A rehearsed zygote saves each forked review a little CPU, but the rehearsal (one whole review) holds the first
# fork: it pays only when many reviews share it (benchmarks/batch.py: 13 agencies run faster without).
REHEARSE_FROM = 40


@dataclass
class Job:
    agency_id: str
    year: int
    out_dir: str
    data_root: str  # holds agencies.csv, waivers.csv and reports/<year>/
    timeout: float = DEFAULT_TIMEOUT

    @property
    def reports_dir(self) -> Path:
        return registry.data_paths(self.data_root)[1]


@dataclass
class JobResult:
    agency_id: str
    year: int
    status: str  # rendered, skipped, failed, no_report
    seconds: float = 0.0
    error: str = ""
    html: str = ""


@dataclass
class RunSummary:
    year: int
    started: str
    index_html: str = ""
    seconds: float = 0.0
    results: list[JobResult] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)  # report files no registry row names

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]


class RunLocked(RuntimeError):
    """Another `xxgk run` holds the output folder."""


@contextmanager
def output_lock(out_dir: Path):
    """One run per output folder at a time; a second run refuses rather than interleaving writes."""
    from xxgk.files import open_no_follow

    out_dir.mkdir(parents=True, exist_ok=True)
    try:  # never truncated, never through a planted symlink
        fh = os.fdopen(open_no_follow(out_dir / ".lock", os.O_WRONLY | os.O_CREAT), "w")
    except OSError as exc:
        raise ValueError(f"{out_dir / '.lock'}: 无法创建锁文件（{exc.strerror}；若是符号链接请删除）") from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise RunLocked(f"{out_dir}: 另一个 xxgk run 正在写入该目录，请等它结束后再运行") from None
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def code_fingerprint() -> str:
    """Hash of everything that shapes a review: the package (the sample generator aside), its data files and the notebook."""
    h = hashlib.sha256()
    files = code_files()
    for p in [*files, NOTEBOOKS_DIR / "review.ipynb"]:
        if p.exists():
            h.update(str(p.relative_to(PACKAGE_DIR.parent.parent)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def select_agencies(agencies, agency_ids=None, region=None) -> list[str]:
    ids = list(agencies.index)
    if agency_ids:
        unknown = [a for a in agency_ids if a not in agencies.index]
        if unknown:
            raise ValueError(f"未登记的机关：{', '.join(unknown)}（见 data/agencies.csv）")
        ids = [a for a in ids if a in agency_ids]
    if region:
        ids = [a for a in ids if agencies.loc[a, "region"] == region]
    return ids


def run_one(job: Job, kernel_manager_class=None) -> JobResult:
    """Render one agency's review; any failure becomes a status, never an exception."""
    from xxgk.batch import handover
    from xxgk.review.render import render_review

    start = time.monotonic()
    watchdog = None
    if kernel_manager_class is not None:
        # A per-job subclass records its kernels so the whole-notebook limit can kill them; a kernel that
        # starts after the limit ran out (a slow start, a tiny limit) is killed as soon as it exists.
        expired = threading.Event()

        async def _async_post_start_kernel(self, **kw):
            await super(job_manager, self)._async_post_start_kernel(**kw)
            if expired.is_set():
                self.kill_now()

        job_manager = kernel_manager_class = type("JobKernelManager", (kernel_manager_class,), {
            "started": [], "_async_post_start_kernel": _async_post_start_kernel})

        def expire() -> None:
            expired.set()
            for km in job_manager.started:
                km.kill_now()

        watchdog = threading.Timer(job.timeout, expire)
        watchdog.daemon = True
        watchdog.start()
    try:
        html = render_review(
            job.agency_id, job.year, Path(job.out_dir), data_dir=Path(job.data_root), timeout=job.timeout,
            kernel_manager_class=kernel_manager_class,
        )
        # Its 整改通知.docx now, beside the other reviews' kernels, not one after another at the year's end
        # (which writes any notice still missing or older than its summary, and reports a failure there): the
        # review itself rendered, whatever happens to its notice here.
        with suppress(Exception):
            handover.write_agency(Path(job.out_dir) / str(job.year), job.agency_id, job.year)
        return JobResult(job.agency_id, job.year, "rendered", time.monotonic() - start, html=str(html))
    except Exception as exc:  # one agency never stops the batch
        seconds = time.monotonic() - start
        error = _short_error(exc)
        if seconds >= job.timeout:
            error = f"超过整本笔记本的时间上限 {job.timeout:g}s，已终止内核（{error}）"
        return JobResult(job.agency_id, job.year, "failed", seconds, error=error)
    finally:
        if watchdog is not None:
            watchdog.cancel()


# Errors whose message already says in Chinese what went wrong: shown as they are.
_OWN_ERRORS = {"ReviewError", "ReadError", "ReaderFailure", "RegistryError", "RenderError"}
_REASONS = {
    "DeadKernelError": "审查进程意外退出（可能内存不足或被终止）",
    "CellTimeoutError": "笔记本单元格运行超时",
    "BrokenPipeError": "审查进程的连接中断",
}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DIRECTORIES = re.compile(r"(?:/[^/\s:：，,；;（）()“”'\"]+)+/")  # the folders of an absolute path


def _short_error(exc: BaseException) -> str:
    """The index's reason: one line in Chinese, no traceback, no class name of ours, no server path.

    papermill's PapermillExecutionError carries the kernel's exception as ename/evalue.
    """
    name = getattr(exc, "ename", None) or type(exc).__name__
    text = str(getattr(exc, "evalue", None) or exc)
    lines = [ln.strip() for ln in _ANSI.sub("", text).splitlines() if ln.strip()]
    text = _DIRECTORIES.sub("", lines[-1] if lines else "")
    if name in _OWN_ERRORS and text:
        return text[:300]
    if name in _REASONS:
        return _REASONS[name]
    return f"审查出错（{name}{'：' + text if text else ''}）"[:300]


class _Progress:
    """A bar with counts and ETA on a terminal; plain log lines otherwise."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.tty = stream.isatty()
        self.start = time.monotonic()
        self.lock = threading.Lock()

    def update(self, result: JobResult) -> None:
        with self.lock:
            self.done += 1
            elapsed = time.monotonic() - self.start
            eta = elapsed / self.done * (self.total - self.done)
            if self.tty:
                width = 30
                filled = int(width * self.done / max(self.total, 1))
                self.stream.write(
                    f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                    f"剩余约 {eta:4.0f}s  {result.agency_id:<24.24}"
                )
                if self.done == self.total:
                    self.stream.write("\n")
            else:
                extra = f" — {result.error}" if result.error else ""
                self.stream.write(
                    f"{time.strftime('%H:%M:%S')} {self.done}/{self.total} {result.agency_id} {result.year} "
                    f"{result.status} {result.seconds:.1f}s{extra}\n"
                )
            self.stream.flush()


def run(
    year: int,
    agency_ids=None,
    region=None,
    jobs: int = 2,
    force: bool = False,
    dask_address: str | None = None,
    out_dir: Path = OUTPUT_DIR,
    data_root: Path = DATA_DIR,
    timeout: float = DEFAULT_TIMEOUT,
    progress_stream=sys.stderr,
    pdf: bool = False,
) -> RunSummary:
    """Review the selected agencies for one year and write reports/<year>/ (see module docstring)."""
    from xxgk.batch import overview
    from xxgk.files import write_atomic

    out_year = Path(out_dir) / str(year)
    agencies = registry.load_agencies(registry.data_paths(data_root)[0])
    selected = select_agencies(agencies, agency_ids, region)
    summary = RunSummary(year, time.strftime("%Y-%m-%dT%H:%M:%S"), str(out_year / "index.html"))
    reports_dir = registry.data_paths(data_root)[1]
    summary.unregistered = [p.name for p in registry.unregistered_reports(year, agencies.index, reports_dir)]
    t0 = time.monotonic()
    with output_lock(Path(out_dir)):
        out_year.mkdir(parents=True, exist_ok=True)
        state_dir = out_year / ".state"
        state_dir.mkdir(exist_ok=True)
        with _executor(dask_address, jobs) as executor:  # a cluster's zygotes begin their imports now
            code = code_fingerprint()
            data = inputs.Data(data_root)  # registry files read once for every agency's check
            todo: list[Job] = []
            for agency_id in selected:
                job = Job(agency_id, year, str(out_dir), str(data_root), timeout)
                if registry.report_file(agency_id, year, job.reports_dir) is None:
                    summary.results.append(JobResult(agency_id, year, "no_report"))
                    continue
                state = _read_state(state_dir / f"{agency_id}.json")  # the code and what the last review read
                if (not force and state.get("code") == code and (out_year / f"{agency_id}.html").exists()
                        and not inputs.changed(state.get("inputs"), data)):
                    summary.results.append(JobResult(agency_id, year, "skipped"))
                    continue
                todo.append(job)
            progress = _Progress(len(todo), progress_stream)
            # The year's reports read and shingled, and for many reviews one review rehearsed, once in each zygote
            # before the forks; locally, no zygote at all unless a review or the overview is rendered.
            executor.begin(warm_calls(year, data_root, out_dir, [j.agency_id for j in todo]) if todo else ())
            if todo:  # each report read once, in sandboxed children, before any review (or warm-up) needs it
                from xxgk.review.review import CACHE_SUBDIR

                parse_cache.prepare(_report_files([j.agency_id for j in todo], year, agencies, reports_dir),
                                    Path(out_dir) / CACHE_SUBDIR, jobs)
                executor.warm()
            for result in executor.reviews(todo, progress):
                summary.results.append(result)
                if result.status == "rendered":  # the review recorded what it read (review.write_summary)
                    recorded = _read_state(state_dir / f"{result.agency_id}.inputs.json").get("inputs")
                    write_atomic(state_dir / f"{result.agency_id}.json",
                                 json.dumps({"code": code, "inputs": recorded}, ensure_ascii=False).encode("utf-8"))
            executor.year_outputs(out_year, year, agencies, summary, Path(data_root))
        if pdf:  # Chromium prints only pages newer than their PDF
            from xxgk.batch.handover import print_reviews

            print_reviews(out_year, [r.agency_id for r in summary.results if r.status in ("rendered", "skipped")])
        summary.seconds = time.monotonic() - t0
        write_atomic(out_year / RUN_FILE, json.dumps(_summary_json(summary), ensure_ascii=False, indent=2).encode("utf-8"))
        overview.write_root(Path(out_dir), Path(data_root))
    return summary


def warm_calls(year: int, data_root, out_dir, agency_ids: list[str]) -> tuple[tuple, ...]:
    """What a zygote runs before its first fork ("module:function", *args): the year's reports read and shingled,
    and, for REHEARSE_FROM reviews or more, one review rehearsed."""
    calls = [("xxgk.review.review:warm", year, str(data_root), str(out_dir), list(agency_ids))]
    if len(agency_ids) >= REHEARSE_FROM:
        calls.append(("xxgk.batch.kernels:rehearse", agency_ids[0], year, str(data_root), str(out_dir)))
    return tuple(calls)


def _forked_kernels(zygote, spares: int = 0) -> type:
    """A kernel manager class whose kernels fork from this zygote, `spares` of them forked ahead (KernelPool)."""
    from xxgk.batch.kernels import ForkedKernelManager, KernelPool

    pool = KernelPool(zygote, spares, str(NOTEBOOKS_DIR)) if spares else None
    return type("BatchKernelManager", (ForkedKernelManager,), {"zygote": zygote, "pool": pool})


@contextmanager
def _executor(dask_address: str | None, jobs: int):
    if not dask_address:
        executor = _Local(jobs)
    else:
        from distributed import Client

        try:
            client = Client(dask_address)
        except OSError as exc:  # unreachable or refusing: one line naming the address, not a traceback
            raise ValueError(f"{dask_address}: 无法连接 Dask 调度器（{str(exc).splitlines()[0] if str(exc) else exc!r}）") from None
        executor = _Dask(client)
    try:
        yield executor
    finally:
        executor.close()


class _Local:
    """Reviews on `jobs` threads of this process, every kernel forked from one zygote; the overview too. The
    zygote starts at once when there are reviews (its imports beside the reading of the reports; warm() waits
    for it, so no review's time limit pays for it), otherwise only if the overview is rendered again."""

    def __init__(self, jobs: int):
        self.jobs, self.manager = jobs, None

    def begin(self, warm: tuple):
        """The zygote, its imports begun at once when there are reviews (`xxgk run` began it even earlier)."""
        from xxgk.batch.zygote import Zygote

        self.manager = _forked_kernels(Zygote(warm, lazy=not warm), spares=max(1, self.jobs) if warm else 0)

    def warm(self):
        """Wait for the zygote's imports and run its warm-up (reports read by now), before any time limit runs;
        meanwhile this process imports papermill and compiles its page exporter."""
        driver = threading.Thread(target=warm_driver, daemon=True)
        driver.start()
        self.manager.zygote.start()
        if self.manager.pool is not None:
            self.manager.pool.fill()
        driver.join()

    def reviews(self, todo, progress):
        if not todo:
            return
        pool = ThreadPoolExecutor(max_workers=max(1, self.jobs))
        try:
            futures = [pool.submit(run_one, job, self.manager) for job in todo]
            for fut in as_completed(futures):
                result = fut.result()
                progress.update(result)
                yield result
        finally:  # on Ctrl-C: start nothing more; running kernels die with the zygote
            pool.shutdown(wait=False, cancel_futures=True)

    def year_outputs(self, out_year, year, agencies, summary, data_root):
        from xxgk.batch import overview

        overview.write_year(out_year, year, agencies, summary, data_root=data_root, kernel_manager_class=self.manager)

    def close(self):
        if self.manager is not None:
            if self.manager.pool is not None:
                self.manager.pool.close()
            self.manager.zygote.close()


def warm_driver() -> None:
    """What the first reviews would otherwise wait for in this process: the notebook stack's imports, the page
    exporter's compiled template, the notebook validators (compiled on first use, unlocked, so at times by both of the
    first reviews' threads) and the notices' Word package; reading and exporting the unexecuted review notebook
    makes the middle two."""
    from xxgk.review import render  # first: it defers a slow grammar build that nbformat's import does
    import nbformat
    import papermill  # noqa: F401

    from xxgk.batch import word

    render.to_html(nbformat.read(render.REVIEW_NOTEBOOK, as_version=4))
    word.document_bytes([])


class _Dask:
    """Reviews as tasks on a Dask cluster: the worker processes of a machine fork them from one zygote
    (shared_zygote: warmed as the run begins, closed at its end, the next one imported between runs), each under
    its own whole-notebook watchdog; the year's overview and files are one more such task. Data and output
    folders must be the same paths on every worker (shared storage)."""

    def __init__(self, client):
        import uuid

        self.client, self.warm_calls, self.run_id = client, (), uuid.uuid4().hex
        # One worker per machine serves the machine's zygote: one with a zygote already imported if there is one
        # (it began it at the end of the last run, or as it started: dask_worker), else the first by address.
        from xxgk.batch.zygote import has_prestarted

        prestarted = client.run(has_prestarted)
        servers: dict[str, str] = {}
        for address, worker in sorted(client.scheduler_info()["workers"].items(),
                                      key=lambda item: (not prestarted.get(item[0]), item[0])):
            servers.setdefault(worker.get("host", address), address)
        client.run(_start_worker_kernels, self.run_id, sorted(servers.values()))

    def begin(self, warm: tuple):
        """The warm-up each machine's zygote runs before its first review, once the reviews are known."""
        self.warm_calls = warm
        if warm:
            self.client.run(_warm_worker_kernels, self.run_id, warm)

    def warm(self):
        """Nothing to wait for here: each worker warms its zygote at its first review, before the time limit."""

    def reviews(self, todo, progress):
        if not todo:
            return
        from distributed import as_completed as dask_completed

        futures = {self.client.submit(_review_on_worker, job, self.run_id, self.warm_calls, pure=False): job
                   for job in todo}
        for fut in dask_completed(futures):
            try:
                result = fut.result()
            except Exception as exc:  # a worker died
                job = futures[fut]
                result = JobResult(job.agency_id, job.year, "failed", error=_short_error(exc))
            progress.update(result)
            yield result

    def year_outputs(self, out_year, year, agencies, summary, data_root):
        # The registry frame and the summary go as one pickle: the scheduler unpickles a task's arguments, and a
        # DataFrame among them made it import pandas, on the run's clock, before it would hand the task on.
        frozen = pickle.dumps((agencies, summary), protocol=pickle.HIGHEST_PROTOCOL)
        self.client.submit(_year_outputs_on_worker, self.run_id, out_year, year, frozen, data_root, pure=False).result()

    def close(self):
        try:
            self.client.run(_close_worker_kernels, self.run_id, on_error="ignore")
        finally:
            self.client.close()


_WORKER_KERNELS: dict[str, type] = {}  # in a Dask worker process: this run's kernel manager class, by run id
_WORKER_LOCK = threading.Lock()


def _worker_kernels(run_id: str, warm: tuple = (), lazy: bool = True, serve: bool | None = None) -> type:
    """This worker process's kernel manager for the run (its zygote starts when first needed, unless not lazy)."""
    from xxgk.batch import shared_zygote

    with _WORKER_LOCK:
        manager = _WORKER_KERNELS.get(run_id)
        if manager is None:
            zygote = shared_zygote.for_run(run_id, warm, lazy=lazy, serve=serve)
            manager = _WORKER_KERNELS[run_id] = _forked_kernels(zygote, spares=1)  # one review at a time
    return manager


def _start_worker_kernels(run_id: str, servers: list[str], dask_worker=None) -> None:
    """On every worker as a run begins (Client.run): the machine's zygote begins its imports (or takes the one
    its server began at the last run's end), and a thread of the worker imports the notebook stack and compiles
    its page exporter, while the driver decides what to render and reads the reports. A zygote a worker that does
    not serve began (another worker served its machine before) is ended: one idle zygote per machine."""
    from xxgk.batch import zygote

    serve = dask_worker is not None and dask_worker.address in servers
    if not serve:
        zygote.discard_prestarted()
    _worker_kernels(run_id, lazy=False, serve=serve)
    threading.Thread(target=warm_driver, daemon=True, name="xxgk-warm-driver").start()


def _warm_worker_kernels(run_id: str, warm: tuple) -> None:
    _worker_kernels(run_id, warm).zygote.warm_with(warm)


def _review_on_worker(job: Job, run_id: str, warm: tuple) -> JobResult:
    manager = _worker_kernels(run_id, warm)
    manager.zygote.start()  # before run_one arms the watchdog: no agency's time limit pays for the start-up
    manager.pool.fill()
    return run_one(job, manager)


def _year_outputs_on_worker(run_id, out_year, year, frozen: bytes, data_root) -> None:
    from xxgk.batch import overview

    agencies, summary = pickle.loads(frozen)  # the driver's own pickle (_Dask.year_outputs)
    overview.write_year(out_year, year, agencies, summary, data_root=data_root,
                        kernel_manager_class=_worker_kernels(run_id))


def _close_worker_kernels(run_id: str) -> None:
    """The run's zygote ends; a worker that served its machine begins the next run's at once, so that run finds
    its imports done (a standing cluster serves run after run; the warm-up with the run's data still waits)."""
    from xxgk.batch import shared_zygote, zygote

    with _WORKER_LOCK:
        manager = _WORKER_KERNELS.pop(run_id, None)
    if manager is not None:
        manager.pool.close()
        manager.zygote.close()
        if isinstance(manager.zygote, shared_zygote.Served):
            zygote.prestart()


def _report_files(agency_ids: list[str], year: int, agencies, reports_dir: Path) -> list[tuple[Path, int, str]]:
    """review.reports_needed as (path, year, registry name); links out of the data folder are left for the
    review to refuse."""
    from xxgk.files import inside
    from xxgk.review.review import reports_needed

    return [(path, y, agencies.loc[a, "name"] or a) for a, y, path in reports_needed(agency_ids, year, agencies, reports_dir)
            if inside(path, reports_dir)]


def _read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _summary_json(summary: RunSummary) -> dict:
    counts: dict[str, int] = {}
    for r in summary.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    rendered = [r.seconds for r in summary.results if r.status == "rendered"]
    return {
        "year": summary.year,
        "started": summary.started,
        "seconds": round(summary.seconds, 3),
        "counts": counts,
        "seconds_per_rendered_agency": round(sum(rendered) / len(rendered), 3) if rendered else None,
        "results": [asdict(r) for r in summary.results],
    }
