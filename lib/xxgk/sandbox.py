"""Read one report in a child process under an address-space, a CPU and a wall-clock limit.

Reports come from outside: a decompression bomb, a pathological table or a reader bug can take any
amount of memory or time, and an out-of-memory kill or a crash must end only that one read, never the
batch driver or a review kernel. Each read forks from a small server process that imported the readers
once (a few milliseconds, not an interpreter start per file), sets its limits, and sends the report
back as JSON; the server turns a time-out, a kill or a crash into the file's one-line reason.
"""

from __future__ import annotations

import gc
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

_idle: list[subprocess.Popen] = []  # servers not in use, owned by process _owner
_owner = os.getpid()
_lock = threading.Lock()


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
    seconds, memory = read_limits()
    request = dumps({"path": str(path), "year": year, "name": name, "seconds": seconds, "memory": memory,
                     "deadline": seconds + GRACE}, ensure_ascii=False).encode("utf-8") + b"\n"
    why = ""
    for _ in range(2):  # a server that died (killed from outside) is replaced once
        server = _take()
        try:
            server.stdin.write(request)
            server.stdin.flush()
            reply = server.stdout.readline()
        except (OSError, ValueError):
            reply = b""
        if reply:
            _give(server)
            return json.loads(reply)
        server.kill()
        server.wait()
        why = _last_error_line(server)
    return {"error": f"{path}: 读取进程无法启动，未读取" + (f"（{why}）" if why else "")}


def _last_error_line(server: subprocess.Popen) -> str:
    """The last line a dead server wrote to its stderr (an import error, say), cut short: the reason to show."""
    try:
        server.errors.seek(0)
        lines = [ln.strip() for ln in server.errors.read()[-4096:].decode("utf-8", "replace").splitlines() if ln.strip()]
    except (OSError, ValueError):
        return ""
    finally:
        server.errors.close()
    return lines[-1][:200] if lines else ""


def _take() -> subprocess.Popen:
    global _owner
    with _lock:
        if _owner != os.getpid():  # forked (a kernel from the zygote): the parent's servers are not ours
            _idle.clear()
            _owner = os.getpid()
        if _idle:
            return _idle.pop()
    # Ends at EOF on its stdin, that is when this process ends. Its stderr goes to a file, not a pipe that a
    # chatty reader could fill: read only if the server dies, for the reason.
    errors = tempfile.TemporaryFile()
    server = subprocess.Popen([sys.executable, "-m", "xxgk.sandbox"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=errors)
    server.errors = errors
    return server


def _give(server: subprocess.Popen) -> None:
    with _lock:
        if _owner == os.getpid():
            _idle.append(server)


def _serve() -> None:
    """Server loop: one request line in, one forked read, one reply line out."""
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
    for line in sys.stdin.buffer:
        reply = dumps(_read_in_child(json.loads(line)), ensure_ascii=False).encode("utf-8")
        sys.stdout.buffer.write(reply + b"\n")
        sys.stdout.buffer.flush()


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


def _read_in_child(req: dict) -> dict:
    path, seconds, memory = req["path"], req["seconds"], req["memory"]
    limits = {"limits": [seconds, memory]}
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            _child(w, req)
        finally:
            os._exit(0)
    os.close(w)
    chunks, deadline, timed_out = [], time.monotonic() + req["deadline"], False
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([r], [], [], left)[0]:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        chunk = os.read(r, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if timed_out:  # stuck where the reader's own alarm cannot reach (C code)
        return {"error": f"{path}: 读取超过 {seconds:g} 秒仍未完成，已终止读取进程", **limits}
    try:
        result = json.loads(b"".join(chunks))
    except ValueError:
        result = None
    if status == 0 and isinstance(result, dict) and ("report" in result or "error" in result):
        return result
    how = (f"被信号 {os.WTERMSIG(status)} 终止" if os.WIFSIGNALED(status)
           else f"退出码 {os.waitstatus_to_exitcode(status)}")
    return {"error": f"{path}: 读取进程异常退出（{how}，可能超出 {memory // 1024**2} MB 内存上限或文件损坏）",
            **limits}


def _child(fd: int, req: dict) -> None:
    """The reading child: limits first, then read, then the result as JSON on the pipe."""
    import resource
    from dataclasses import asdict

    devnull = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):  # a reader's stray output must neither corrupt a reply nor fill the server's error file
        os.dup2(devnull, std)
    path, year, name, seconds, memory = req["path"], req["year"], req["name"], req["seconds"], req["memory"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(req["deadline"]) + 1  # a backstop should the server itself be gone
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    start = time.monotonic()
    try:
        result = {"report": asdict(read_report(path, year=year, agency=name, time_limit=seconds))}
    except (MemoryError, ReadError) as exc:  # readers wrap what they catch: a MemoryError may be the cause
        limits = {"limits": [seconds, memory]}
        if isinstance(exc, MemoryError) or isinstance(exc.__cause__, MemoryError):
            result = {"error": f"{path}: 读取所需内存超过 {memory // 1024**2} MB 上限，已放弃（可能是解压炸弹或结构异常）",
                      **limits}
        else:
            result = {"error": str(exc), **(limits if time.monotonic() - start >= seconds else {})}
    with os.fdopen(fd, "wb") as out:
        out.write(dumps(result, ensure_ascii=False).encode("utf-8"))


if __name__ == "__main__":
    _serve()
