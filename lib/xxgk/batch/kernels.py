"""Fresh kernels in milliseconds: forked from a warm parent that has already imported the heavy modules.

Every review still runs in its own new kernel process, so nothing (variables, rcParams, caches) can
leak from one agency into another; but a forked kernel skips the interpreter start and the pandas /
matplotlib / package imports (about 1.7 s per kernel on a 2-core machine). Kernels talk over IPC
sockets, not TCP ports, which avoids port races when many start at once.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import DottedObjectName, Type

from xxgk.batch.zygote import Zygote, new_socket_folder

# What every review imports; forked kernels get them for free.
WARM_MODULES = (
    "IPython",
    "ipykernel.debugger",  # pulls in debugpy: half of a bare kernel's start-up
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "xxgk.review.review",
    "xxgk.rules",
    "xxgk.rules.causes",
    "xxgk.score",
    "xxgk.review.views",
    "xxgk.file_dates",
    "pandas.core.methods.to_dict",
    "encodings.utf_8_sig",
)
# Agency-independent warm-ups run once in the zygote: fonts and first-figure set-up, the rule modules,
# the catalog, layouts and boilerplate read from their YAML.
WARM_CALLS = ("xxgk.review.charts:warm_up", "xxgk.rules:load_rules", "xxgk.rules.similarity:boilerplate")


def rehearse(agency_id: str, year: int, data_dir: str, output_dir: str) -> None:
    """Make one agency's review pieces in the zygote and throw them away. What no agency-independent warm-up
    reaches is then paid once per run instead of in every forked kernel: regular expressions compiled at their
    first match, page templates, matplotlib's text and tick caches for each kind of chart (benchmarks/batch.py
    measures the run with it). Nothing is written; the caches it fills are
    keyed by what they were computed from, so no review sees another's results."""
    from xxgk.review import review

    rv = review.load(agency_id, year, data_dir=data_dir, output_dir=output_dir)
    for piece in (rv.header(), rv.narrative(), rv.findings_view(), rv.tables_view(), rv.charts()):
        getattr(piece, "_repr_html_", piece.__str__)()


class _ForkedProcess:
    """Popen-like handle on a kernel that is the zygote's child (the zygote reaps it)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
                with open(f"/proc/{self.pid}/stat") as fh:  # a zombie counts as gone
                    if fh.read().split(") ", 1)[1].startswith("Z"):
                        self.returncode = 0
            except (ProcessLookupError, FileNotFoundError):
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkedProvisioner(LocalProvisioner):
    zygote: Zygote | None = None

    async def wait(self) -> int | None:
        """Like LocalProvisioner.wait, but polls every 10 ms: an immediate kill ends at once."""
        import asyncio

        while self.process is not None and self.process.poll() is None:
            await asyncio.sleep(0.01)
        self.process = None
        return 0

    async def launch_kernel(self, cmd, **kwargs):
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pool = self.parent.pool
        spare = pool.take(cwd) if pool is not None else None
        if spare is not None:  # already started: the manager takes its connection (_reconcile_connection_info)
            pid, info = spare
            with contextlib.suppress(OSError):  # the socket folder made for a kernel of its own, never used
                Path(self.parent.ip).parent.rmdir()
        else:
            pid, info = self.zygote.fork(self.parent.connection_file, cwd), self.connection_info
        self.process = _ForkedProcess(pid)
        self.pid = self.pgid = pid
        return info


class KernelPool:
    """Kernels forked ahead of their reviews, as many as reviews run at once: a review takes one whose kernel
    app is already set up and listening, instead of forking and waiting for it, and the next is forked while
    that review runs. Each is still a new process that ran nothing before its review; those left at the end
    are killed with their socket folders."""

    def __init__(self, zygote: Zygote, size: int, cwd: str) -> None:
        self.zygote, self.size, self.cwd = zygote, size, cwd
        self._spares: list[tuple[int, dict]] = []
        self._fillers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def fill(self) -> None:
        """Fork kernels until there are `size` waiting (the zygote warmed by now)."""
        while True:
            with self._lock:
                if self._closed or len(self._spares) >= self.size:
                    return
            try:
                spare = self._fork()
            except (OSError, RuntimeError):  # a review that finds none forks its own, and says what failed
                return
            with self._lock:
                if not self._closed:
                    self._spares.append(spare)
                    continue
            _discard(spare)
            return

    def _fork(self) -> tuple[int, dict]:
        from jupyter_client.connect import write_connection_file
        from jupyter_client.session import new_id_bytes

        import shutil

        folder = new_socket_folder()
        try:
            path, info = write_connection_file(str(folder / "kernel.json"), transport="ipc", ip=str(folder / "k"),
                                               key=new_id_bytes())
            pid = self.zygote.fork(path, self.cwd)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return pid, {**info, "key": info["key"].encode()}

    def take(self, cwd: str) -> tuple[int, dict] | None:
        """A started kernel (pid, connection info) for a review in `cwd`, if one waits; another is forked."""
        spare = None
        with self._lock:
            while not self._closed and cwd == self.cwd and self._spares and spare is None:
                spare = self._spares.pop(0)
                if _ForkedProcess(spare[0]).poll() is not None:  # died with a zygote that died since
                    _discard(spare)
                    spare = None
            if spare is not None:  # the next one, forked while this review runs (it waits for the lock)
                filler = threading.Thread(target=self.fill, daemon=True, name="xxgk-kernel-pool")
                filler.start()
                self._fillers = [f for f in self._fillers if f.is_alive()] + [filler]
        return spare

    def close(self) -> None:
        """Before the zygote closes: a kernel being forked now is waited for, then killed with the rest."""
        with self._lock:
            self._closed = True
            fillers = list(self._fillers)
        for filler in fillers:
            filler.join(timeout=30)
        with self._lock:
            spares, self._spares = self._spares, []
        for spare in spares:
            _discard(spare)


def _discard(spare: tuple[int, dict]) -> None:
    """Kill a kernel nobody took and remove its socket folder."""
    import shutil

    pid, info = spare
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(Path(info["ip"]).parent, ignore_errors=True)


class QuickKernelClient(AsyncKernelClient):
    """A client that is ready when the kernel is: no fixed 0.2 s idle wait on IOPub after kernel_info.

    jupyter_client's wait_for_ready flushes IOPub until 0.2 s pass without a message; on a kernel
    that was forked a moment ago nothing is pending, so that wait is pure loss on every review.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        import time
        from queue import Empty

        deadline = time.monotonic() + (timeout if timeout is not None else 60)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:  # IOPub is connected once it delivers the status messages of that request
                    await self.iopub_channel.get_msg(timeout=0.5)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:  # drain what is already there, without waiting for more
            try:
                await self.iopub_channel.get_msg(timeout=0.005)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready

    def _create_connected_socket(self, channel: str, identity: bytes | None = None):
        """jupyter_client's socket, retrying a connect made before the forked kernel has bound its end after 5 ms
        instead of ZMQ's default 100 ms, which every review's first request waited out; later retries back off
        to 100 ms, so a dead kernel's sockets are not polled every 5 ms."""
        import zmq

        self.context.setsockopt(zmq.RECONNECT_IVL, 5)
        self.context.setsockopt(zmq.RECONNECT_IVL_MAX, 100)
        return super()._create_connected_socket(channel, identity)


class ForkedKernelManager(AsyncKernelManager):
    """A KernelManager (usable as papermill's kernel_manager_class) whose kernels come from a Zygote."""

    zygote: Zygote | None = None  # set by the caller before use
    pool: KernelPool | None = None  # kernels forked ahead, if the caller keeps some
    started: list | None = None  # when a list, every manager of this class appends itself (for watchdogs)

    client_class = DottedObjectName("xxgk.batch.kernels.QuickKernelClient")
    client_factory = Type(klass=AsyncKernelClient, default_value=QuickKernelClient)

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
        if self.transport == "ipc":
            self.ip = str(new_socket_folder() / "k")

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id or "", kernel_spec=self.kernel_spec, parent=self)
            self.provisioner.zygote = self.zygote
        if self.started is not None:
            self.started.append(self)
        return await super()._async_pre_start_kernel(**kw)

    def kill_now(self) -> None:
        """Kill the kernel at once (a whole-notebook time limit ran out)."""
        if self.provisioner is not None and self.provisioner.process is not None:
            self.provisioner.process.kill()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self.transport == "ipc":
            base = Path(self.ip).parent
            for p in base.glob("*"):
                p.unlink(missing_ok=True)
            base.rmdir()


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies: a killed run leaves no orphan kernel."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the zygote still ends at EOF on its stdin
        pass


def call(target: str, *args) -> None:
    """Call a function named "module:function" (the zygote's warm-ups and the calls the driver sends it)."""
    module, func = target.split(":")
    getattr(importlib.import_module(module), func)(*args)


def warm_up() -> None:
    """What every kernel would otherwise import and prepare itself, done once in the zygote (and by
    benchmarks/fork_memory.py, which measures what its forks then cost)."""
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    for target in WARM_CALLS:
        try:
            call(target)
        except Exception:  # a warm-up only saves time; the review reports real problems itself
            pass
    gc.freeze()  # the kernels' collector leaves the zygote's objects alone: fewer copied pages per fork


def _serve() -> None:
    """Zygote main loop: warm up, then fork a kernel for each request line."""
    _die_with_parent()
    if os.getppid() == 1:  # the driver died before we got here
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle; we end when it does
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # debugpy, imported ahead for the kernels, otherwise warns on stderr about frozen modules at every run.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    warm_up()
    print("ready", flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        if "call" in req:
            try:
                with contextlib.redirect_stdout(sys.stderr):  # stdout carries the replies
                    call(req["call"], *req["args"])
                gc.freeze()
                print(json.dumps({"done": True}), flush=True)
            except Exception as exc:  # see Zygote.call
                print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
            continue
        pid = os.fork()
        if pid == 0:
            _become_kernel(req)
        print(json.dumps({"pid": pid}), flush=True)


def _become_kernel(req: dict) -> None:
    try:
        os.setsid()
        _die_with_parent()
        if os.getppid() == 1:  # the zygote died between fork and prctl
            os._exit(0)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the zygote ignored it; interrupts need it
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        if req.get("cwd"):
            os.chdir(req["cwd"])
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        # No history database: hundreds of short-lived kernels would only contend for its lock.
        app.initialize(["-f", req["connection_file"], "--HistoryManager.enabled=False"])
        app.start()
    finally:
        os._exit(0)


if __name__ == "__main__":
    _serve()
