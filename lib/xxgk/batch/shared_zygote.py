"""One zygote per machine for the Dask worker processes of one run, instead of one per worker process.

A machine runs several single-threaded workers (`--nworkers N --nthreads 1`); each starting its own zygote
would import and warm the same modules and read the same reports N times, and hold N copies of them. The
worker the driver chooses for the machine (the same one every run, so it can keep the next run's zygote
imported between runs) makes a private folder named for the run, starts the zygote, or takes the one it kept,
and answers the other workers' fork requests on a Unix socket in that folder; they fork their kernels through it.
Kernels stay separate processes, each under its own worker's watchdog: a kernel is killed by pid, which is
why the socket is shared only by processes that see the same pids (the same PID namespace, and user).
A worker that cannot reach the shared zygote, or loses it (its worker died), starts a zygote of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

from xxgk.batch.zygote import Zygote

FOLDER_PREFIX = "xxgk-zygote-"  # + the user's id and the run's id: the folder of one run's shared zygote
_CONNECT_WAIT = 10.0  # seconds a worker waits for the serving worker to open the socket


def for_run(run_id: str, warm: tuple, lazy: bool, serve: bool | None = None):
    """This worker's zygote for the run: the machine's shared one, else a zygote of its own. Either has
    Zygote's fork / start / close. `serve`: whether the driver chose this worker to serve its machine (it
    serves if no other worker already does); False, it waits for the chosen one; None (a worker that joined
    after the run began), it serves if it is the first."""
    remove_stale_folders()
    folder = Path(tempfile.gettempdir()) / f"{FOLDER_PREFIX}{os.getuid()}-{run_id}"
    if serve is not False:
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError:  # no usable temp folder: nothing to share through
            return Zygote(warm, lazy=lazy)
        else:
            return Served(folder, warm, lazy)
    client = _Client.connect(folder, warm)
    return client if client is not None else Zygote(warm, lazy=lazy)


def remove_stale_folders() -> list[Path]:
    """Remove the folders of shared zygotes whose worker died without closing them: ours, with a socket that
    no one listens on any more."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}{os.getuid()}-*"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if folder.is_symlink() or folder.lstat().st_uid != os.getuid():
                continue
            sock.connect(str(folder / "sock"))
        except ConnectionRefusedError:  # bound once, nobody listening now
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except OSError:  # not bound yet (its worker is starting), or vanished meanwhile
            continue
        finally:
            sock.close()
    return removed


def _namespace() -> str:
    """Which pids this process sees: processes that share a kernel by pid must see the same ones."""
    try:
        st = os.stat("/proc/self/ns/pid")
        return f"{st.st_dev}:{st.st_ino}:{os.getuid()}"
    except OSError:
        return f"-:{os.getuid()}"


class Served(Zygote):
    """The zygote of the worker that serves its machine's other workers in the run."""

    def __init__(self, folder: Path, warm: tuple, lazy: bool) -> None:
        super().__init__(warm, lazy=lazy)
        self._folder = folder
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(folder / "sock"))
        self._listener.listen()
        threading.Thread(target=self._accept, daemon=True, name="xxgk-zygote-server").start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        """One worker's requests, a JSON line each: hello, start (warm before its first review), fork."""
        with conn, conn.makefile("rwb") as stream:
            for line in stream:
                try:
                    req = json.loads(line)
                    if "fork" in req:
                        reply = {"pid": self.fork(req["fork"]["connection_file"], req["fork"]["cwd"])}
                    elif "start" in req:
                        self.start()
                        reply = {"started": True}
                    else:
                        reply = {"namespace": _namespace()}
                except Exception as exc:  # the asking worker falls back to a zygote of its own
                    reply = {"error": f"{type(exc).__name__}: {exc}"}
                stream.write(json.dumps(reply).encode("utf-8") + b"\n")
                stream.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        shutil.rmtree(self._folder, ignore_errors=True)
        super().close()


class _Client:
    """Another worker's way to the shared zygote; on any failure, a zygote of its own for the rest of the run."""

    def __init__(self, sock: socket.socket, warm: tuple) -> None:
        self._sock, self._stream = sock, sock.makefile("rwb")
        self._warm = warm
        self._lock = threading.Lock()
        self._own: Zygote | None = None

    @classmethod
    def connect(cls, folder: Path, warm: tuple) -> _Client | None:
        """None unless the folder is ours and its zygote answers from the same pid namespace."""
        deadline = time.monotonic() + _CONNECT_WAIT
        path = folder / "sock"
        while True:
            try:
                st = folder.lstat()
                if folder.is_symlink() or st.st_uid != os.getuid() or st.st_mode & 0o077:
                    return None
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    sock.connect(str(path))
                except OSError:
                    sock.close()
                    raise
                break
            except (FileNotFoundError, ConnectionRefusedError):  # the serving worker has not bound it yet
                if time.monotonic() > deadline:
                    return None
                time.sleep(0.01)
            except OSError:
                return None
        client = cls(sock, warm)
        if client._ask({}).get("namespace") != _namespace():
            client.close()
            return None
        return client

    def _ask(self, req: dict) -> dict:
        try:
            self._stream.write(json.dumps(req).encode("utf-8") + b"\n")
            self._stream.flush()
            reply = self._stream.readline()
            return json.loads(reply) if reply else {"error": "the shared zygote's worker is gone"}
        except (OSError, ValueError) as exc:
            return {"error": str(exc)}

    def warm_with(self, calls: tuple[tuple, ...]) -> None:
        """The shared zygote is warmed by the worker that serves it; these are for a zygote of this worker's own."""
        self._warm = tuple(calls)

    def _fallback(self) -> Zygote:
        if self._own is None:
            self._own = Zygote(self._warm)
        return self._own

    def start(self) -> None:
        with self._lock:
            if self._own is None and "error" not in self._ask({"start": True}):
                return
            own = self._fallback()
        own.start()

    def fork(self, connection_file: str, cwd: str | None) -> int:
        with self._lock:
            if self._own is None:
                reply = self._ask({"fork": {"connection_file": connection_file, "cwd": cwd}})
                if "pid" in reply:
                    return int(reply["pid"])
            own = self._fallback()
        return own.fork(connection_file, cwd)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._stream.close()
            self._sock.close()
        if self._own is not None:
            self._own.close()
