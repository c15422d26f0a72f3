"""Read one report in a child process under an address-space, a CPU and a wall-clock limit.

Reports come from outside: a decompression bomb, a pathological table or a reader bug can take any
amount of memory or time, and an out-of-memory kill or a crash must end only that one read, never the
batch driver or a review kernel. Each read forks from a small server process that imported the readers
once (a few milliseconds, not an interpreter start per file), sets its limits, and sends the report
back as JSON; the server turns a time-out, a kill or a crash into the file's one-line reason. One server per
process serves all its threads: requests carry a number, and the server runs their children side by side
(one import of the readers, not one per thread), passing each child's JSON on unparsed.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

from xxgk.jsonsafe import dumps
from xxgk.read import TIME_LIMIT, ReadError, read_report

READ_MEMORY_MB = 2048  # address space a reading child may map (real reports need < 300 MB)
GRACE = 5.0  # the reader stops itself after its seconds; the child is killed this much later

_server = None  # this process's read server (_Server), started at its first read
_owner = os.getpid()
_lock = threading.Lock()


class ServerUnavailable(RuntimeError):
    """No read server could be started or kept (its one-line reason): the file was not read, so nothing about
    it may be remembered."""


def read_limits() -> tuple[float, int]:
    """(seconds, bytes) one read may take: XXGK_READ_SECONDS / XXGK_READ_MEMORY_MB, else TIME_LIMIT / READ_MEMORY_MB.

    Taken from the environment at each read, so a batch's kernels (forked later) use the driver's limits.
    """
    def positive(name: str, default: float) -> float:
        try:
            value = float(os.environ.get(name, default))
        except ValueError:
            return default
        return value if 0 < value < float("inf") else default

    return positive("XXGK_READ_SECONDS", TIME_LIMIT), int(positive("XXGK_READ_MEMORY_MB", READ_MEMORY_MB) * 1024**2)


def read_sandboxed(path, year: int, name: str) -> dict:
    """read_report in a limited child: {"report": …} or {"error": one line}; a failure that a limit
    decided also carries the limits, so that larger limits read the file again."""
    try:
        return json.loads(read_sandboxed_json(path, year, name))
    except ServerUnavailable as exc:
        return {"error": str(exc)}


def read_sandboxed_json(path, year: int, name: str) -> bytes:
    """read_sandboxed's answer as the JSON bytes the reading child wrote (for a cache that stores them as they
    are); ServerUnavailable when no server could answer."""
    seconds, memory = read_limits()
    request = dumps({"path": str(path), "year": year, "name": name, "seconds": seconds, "memory": memory,
                     "deadline": seconds + GRACE}, ensure_ascii=False).encode("utf-8")
    why = ""
    for _ in range(2):  # a server that died (killed from outside) is replaced once
        server = _current()
        reply = server.ask(request)
        if reply:
            return reply
        why = server.end()
    raise ServerUnavailable(f"{path}: 读取进程无法启动，未读取" + (f"（{why}）" if why else ""))


def _current() -> _Server:
    global _server, _owner
    with _lock:
        if _owner != os.getpid():  # forked (a kernel from the zygote): the parent's server is not ours
            _server, _owner = None, os.getpid()
        if _server is None or _server.gone:
            _server = _Server()
        return _server


class _Server:
    """The read server process and a thread that hands each numbered reply to the thread that asked.

    It ends at EOF on its stdin, that is when this process ends. Its stderr goes to a file, not a pipe that a
    chatty reader could fill: read only if the server dies, for the reason."""

    def __init__(self) -> None:
        self.errors = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-m", "xxgk.sandbox"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.errors)
        self.gone = False
        self._numbers = itertools.count()
        self._waiting: dict[int, list] = {}  # request number -> [event, reply]
        self._lock = threading.Lock()
        threading.Thread(target=self._replies, daemon=True, name="xxgk-read-replies").start()

    def ask(self, request: bytes) -> bytes:
        """The reply to one request line; b"" if the server is gone."""
        slot = [threading.Event(), b""]
        with self._lock:
            if self.gone:
                return b""
            number = next(self._numbers)
            self._waiting[number] = slot
            try:
                self.proc.stdin.write(b"%d %s\n" % (number, request))
                self.proc.stdin.flush()
            except (OSError, ValueError):
                del self._waiting[number]
                return b""
        slot[0].wait()
        return slot[1]

    def _replies(self) -> None:
        for line in self.proc.stdout:
            number, _, reply = line.rstrip(b"\n").partition(b" ")
            with self._lock:
                slot = self._waiting.pop(int(number), None)
            if slot is not None:
                slot[1] = reply
                slot[0].set()
        with self._lock:  # the server is gone: every waiting request gets b""
            self.gone = True
            waiting, self._waiting = self._waiting, {}
        for slot in waiting.values():
            slot[0].set()

    def end(self) -> str:
        """Kill it (it failed to answer) and give the last line it wrote to its stderr (an import error, say),
        cut short: the reason to show."""
        self.gone = True
        self.proc.kill()
        self.proc.wait()
        try:
            self.errors.seek(0)
            lines = [ln.strip() for ln in self.errors.read()[-4096:].decode("utf-8", "replace").splitlines()
                     if ln.strip()]
        except (OSError, ValueError):
            return ""
        finally:
            self.errors.close()
        return lines[-1][:200] if lines else ""


def _serve() -> None:
    """Server loop: numbered request lines in; each read forked at once into its own child; each child's reply
    out, with its number, as the child ends or its time runs out (a single thread: nothing is forked while
    another thread might hold a lock)."""
    import importlib
    import pkgutil

    import xxgk.read

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's; we end with its pipe
    for module in pkgutil.iter_modules(xxgk.read.__path__):  # every reader imported once, not once per file
        try:
            importlib.import_module(f"xxgk.read.{module.name}")
        except ImportError:  # an optional reader's library is missing: that rendering reports it when read
            pass
    _warm_up()
    gc.freeze()  # the children's collector leaves the server's objects alone: fewer copied pages per fork
    reading: dict[int, _Reading] = {}  # by the read end of the child's pipe
    pending = b""
    while True:
        deadline = min((r.deadline for r in reading.values()), default=None)
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        for fd in select.select([0, *reading], [], [], wait)[0]:
            if fd != 0:
                if not reading[fd].pump():
                    _answer(reading.pop(fd))
                continue
            data = os.read(0, 1 << 16)
            if not data:  # our caller is gone: so are the reads it asked for
                for r in reading.values():
                    r.kill()
                    os.waitpid(r.pid, 0)
                return
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                number, _, request = line.partition(b" ")
                r = _Reading(int(number), json.loads(request))
                reading[r.fd] = r
        now = time.monotonic()
        for fd in [fd for fd, r in reading.items() if r.deadline <= now]:  # stuck where the reader's alarm cannot reach
            r = reading.pop(fd)
            r.kill()
            _answer(r)


def _answer(r: _Reading) -> None:
    """The reply line, written whole (a pipe takes a long one in parts)."""
    view = memoryview(b"%d %s\n" % (r.number, r.reply()))
    while view:
        view = view[os.write(1, view):]


def _warm_up() -> None:
    """Read one report the project writes per layout, so the readers' label and header caches are filled
    before the fork: each child starts warm instead of rebuilding them for its one file."""
    from xxgk.samples.synth import consistent_report, render_pipe_text

    with tempfile.TemporaryDirectory(prefix="xxgk-sandbox-") as folder:
        for version, year in (("2019", 2020), ("2021", 2022)):
            path = os.path.join(folder, f"{version}.txt")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(render_pipe_text(consistent_report(version, year)))
            read_report(path, year=year)


class _Reading:
    """One read in a forked child, its JSON gathered from a pipe until the child ends or is killed."""

    def __init__(self, number: int, req: dict) -> None:
        self.number, self.req = number, req
        self.deadline = time.monotonic() + req["deadline"]
        self.chunks: list[bytes] = []
        self.timed_out = False
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                _child(w, req)
            except BaseException:  # no complete reply: the exit status says so
                os._exit(1)
            os._exit(0)
        os.close(w)
        self.fd, self.pid = r, pid

    def pump(self) -> bool:
        """Take what the child wrote; False once its pipe is closed (it ended)."""
        chunk = os.read(self.fd, 1 << 20)
        self.chunks.append(chunk)
        return bool(chunk)

    def kill(self) -> None:
        self.timed_out = True
        os.kill(self.pid, signal.SIGKILL)

    def reply(self) -> bytes:
        """The child's own JSON when it ended well (passed on unparsed), else the one-line reason."""
        os.close(self.fd)
        _, status = os.waitpid(self.pid, 0)
        path, seconds, memory = self.req["path"], self.req["seconds"], self.req["memory"]
        limits = {"limits": [seconds, memory]}
        if self.timed_out:
            return _json({"error": f"{path}: 读取超过 {seconds:g} 秒仍未完成，已终止读取进程", **limits})
        body = b"".join(self.chunks)
        if status == 0 and body.startswith((b'{"report":', b'{"error":')) and body.endswith(b"}"):
            return body  # written whole before the child exited 0 (a failed write exits 1)
        how = (f"被信号 {os.WTERMSIG(status)} 终止" if os.WIFSIGNALED(status)
               else f"退出码 {os.waitstatus_to_exitcode(status)}")
        return _json({"error": f"{path}: 读取进程异常退出（{how}，可能超出 {memory // 1024**2} MB 内存上限或文件损坏）",
                      **limits})


def _json(obj: dict) -> bytes:
    return dumps(obj, ensure_ascii=False).encode("utf-8")


def _child(fd: int, req: dict) -> None:
    """The reading child: limits first, then read, then the result as JSON on the pipe."""
    import resource

    devnull = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):  # a reader's stray output must neither corrupt a reply nor fill the server's error file
        os.dup2(devnull, std)
    path, year, name, seconds, memory = req["path"], req["year"], req["name"], req["seconds"], req["memory"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(req["deadline"]) + 1  # a backstop should the server itself be gone
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    start = time.monotonic()
    try:
        result = {"report": read_report(path, year=year, agency=name, time_limit=seconds).record()}
    except (MemoryError, ReadError) as exc:  # readers wrap what they catch: a MemoryError may be the cause
        limits = {"limits": [seconds, memory]}
        if isinstance(exc, MemoryError) or isinstance(exc.__cause__, MemoryError):
            result = {"error": f"{path}: 读取所需内存超过 {memory // 1024**2} MB 上限，已放弃（可能是解压炸弹或结构异常）",
                      **limits}
        else:
            result = {"error": str(exc), **(limits if time.monotonic() - start >= seconds else {})}
    with os.fdopen(fd, "wb") as out:
        out.write(_json(result))


if __name__ == "__main__":
    _serve()
