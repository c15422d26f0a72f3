"""The zygote: a warm child process that imports what every review needs once, then forks one kernel per request.

Only the standard library here, so that a run can start it before it imports anything heavy itself; the
process runs kernels.py's main loop, and kernels.py lets jupyter_client use the kernels it forks.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path


class Zygote:
    """A child process that imports WARM_MODULES once, then forks one kernel per request.

    The process is spawned from a thread of its own that lives until close(), or taken from prestart(), whose
    caller's thread lives as long as the process: Linux's parent-death signal follows the thread that spawned
    it, so the zygote and its kernels die with that thread (or with the whole driver), never with whichever batch
    or Dask worker thread happened to ask first. `warm` calls
    (`module:function`, args...) run in it after its first start only, at start() or the first fork: a zygote
    that died (perhaps in a warm call) starts again bare, and its kernels do what they find undone. Unless
    `lazy`, its imports begin at once, in the background (a batch reads its reports meanwhile); with `lazy`
    it starts on the first fork, so a run with nothing to render never pays for it.
    """

    def __init__(self, warm: tuple[tuple, ...] = (), lazy: bool = False) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._lock = threading.Lock()
        self._warm = tuple(warm)
        self._owner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xxgk-zygote")
        remove_stale_socket_folders()
        self._proc: subprocess.Popen | None = None
        self._starting: subprocess.Popen | None = None  # a process not yet ready, for close() to kill
        self._spawning = None if lazy else self._owner.submit(self._start)

    def warm_with(self, calls: tuple[tuple, ...]) -> None:
        """Calls to run in it before its first kernel, when they are known only after it began its imports."""
        with self._lock:
            self._warm = tuple(calls)

    def _ensure(self) -> subprocess.Popen:
        """The running zygote, (re)started if it is not, warmed the first time; called with the lock held."""
        if self._proc is None and self._spawning is not None:
            spawning, self._spawning = self._spawning, None
            self._proc = spawning.result()
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._owner.submit(self._start).result()
        if self._warm:
            warm, self._warm = self._warm, ()
            for target, *args in warm:
                self._call(target, args)
        return self._proc

    def _start(self) -> subprocess.Popen:
        global _prestarted
        with _PRESTART_LOCK:  # the process prestart() began, if it is still there and alive
            proc, _prestarted = _prestarted, None
        if proc is None or proc.poll() is not None:
            proc = _spawn()
        self._starting = proc
        ready = proc.stdout.readline()
        self._starting = None
        if not ready.startswith("ready"):
            proc.kill()
            proc.wait()
            raise RuntimeError(f"kernel zygote failed to start: {ready!r}")
        return proc

    def fork(self, connection_file: str, cwd: str | None) -> int:
        """A new kernel's pid; a zygote that died (OOM-killed, crashed) is started again once, so one bad
        agency does not fail every agency after it."""
        request = json.dumps({"connection_file": connection_file, "cwd": cwd}) + "\n"
        with self._lock:
            for attempt in (1, 2):
                proc = self._ensure()
                try:
                    proc.stdin.write(request)
                    reply = proc.stdout.readline()
                except (BrokenPipeError, OSError, ValueError):
                    reply = ""
                if reply:
                    return int(json.loads(reply)["pid"])
                proc.kill()
                proc.wait()
        raise RuntimeError("kernel zygote died twice in a row")

    def _call(self, target: str, args) -> None:
        """A failure or a dead zygote only loses the head start, since each review still does whatever it
        finds undone."""
        try:
            self._proc.stdin.write(json.dumps({"call": target, "args": list(args)}) + "\n")
            self._proc.stdout.readline()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def start(self) -> None:
        """Start (and warm) it now if it is not running, rather than at the first fork."""
        with self._lock:
            self._ensure()

    def close(self) -> None:
        with self._lock:
            if self._spawning is not None:  # closed before any use: end the zygote, ready or not
                spawning, self._spawning = self._spawning, None
                starting = self._starting
                if starting is not None:
                    starting.kill()
                with contextlib.suppress(RuntimeError, OSError):
                    self._proc = spawning.result()
            if self._proc is not None and self._proc.poll() is None:
                self._proc.stdin.close()
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
        self._owner.shutdown(wait=False)


_prestarted: subprocess.Popen | None = None  # begun by prestart(), not yet taken by a Zygote
_PRESTART_LOCK = threading.Lock()


def _spawn() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xxgk.batch.kernels"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, bufsize=1)


def prestart() -> None:
    """Begin a zygote process now, for this process's next Zygote to take: `xxgk run` calls it before its own
    imports, so that the zygote's imports run beside them. Only from a thread that lives as long as the
    process (the command's main thread): the zygote's parent-death signal follows the thread that spawned it."""
    global _prestarted
    with _PRESTART_LOCK:
        if _prestarted is None:
            _prestarted = _spawn()


def has_prestarted() -> bool:
    """Whether a prestarted zygote is waiting here, alive, for this process's next Zygote."""
    with _PRESTART_LOCK:
        return _prestarted is not None and _prestarted.poll() is None


def prestarted_ready(timeout: float) -> bool:
    """Wait up to `timeout` seconds for the prestarted zygote's imports (its "ready" line, left unread for the
    Zygote that takes it); False if there is none, it died, or it is still importing."""
    import select

    with _PRESTART_LOCK:
        proc = _prestarted
    return proc is not None and bool(select.select([proc.stdout], [], [], timeout)[0]) and proc.poll() is None


def discard_prestarted() -> None:
    """End a prestarted zygote no Zygote took (the run rendered nothing)."""
    global _prestarted
    with _PRESTART_LOCK:
        proc, _prestarted = _prestarted, None
    if proc is not None:
        proc.kill()
        proc.wait()


SOCKET_PREFIX = "xxgk-kernel-"  # + the driver's pid: the IPC socket folder of one kernel


def new_socket_folder() -> Path:
    """A private folder for one kernel's IPC sockets, named for this process so that a run killed before it
    removed it leaves it to remove_stale_socket_folders."""
    return Path(tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}{os.getpid()}-"))


def remove_stale_socket_folders() -> list[Path]:
    """Remove socket folders that killed runs left in the temp directory: only ours, only of dead drivers."""
    import shutil

    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{SOCKET_PREFIX}*-*"):
        pid = folder.name[len(SOCKET_PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.is_symlink() or folder.lstat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:  # its driver is gone
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except OSError:  # alive under another user, or vanished meanwhile
            continue
    return removed
