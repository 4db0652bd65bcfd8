"""One forked worker process that runs calls in order, and the socket pair to it.

Why not ``concurrent.futures.ProcessPoolExecutor``: a page must stay in one process between calls,
which takes one single-process executor per worker, and forked executors inherit each other's
pipes. When one worker is killed while it sends a result, its executor waits for the rest of the
message for ever (a sibling, or the parent itself, still holds the pipe's writing end); a crawl
that should fail then hangs instead. Here each worker has one socket pair: the parent closes the
worker's end right after the fork, and every worker closes the parent's ends of its siblings, so a
dead worker is an end-of-file at once, and every call waiting on it fails.

Calls are sent by a thread (a 1 MB page must not block the reactor while the worker is busy) and
answers read by another, so neither side of the crawl waits on the other. Calls and answers are
pickled where they are made, so one that cannot be pickled (or unpickled) fails only its own call.
"""

from __future__ import annotations

import itertools
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, InvalidStateError
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any


class WorkerDied(RuntimeError):
    """The worker process ended (killed, or out of memory) before answering."""


class RemoteTraceback(Exception):
    """Where in the worker a call failed (set as the ``__cause__`` of the error it raised)."""

    def __str__(self) -> str:
        return str(self.args[0])


def serve(conn: Connection, inherited: Sequence[Connection], initializer: Callable[..., None] | None,
          initargs: tuple[Any, ...]) -> None:
    """The worker's loop: answer pickled ``(call id, function, args)`` until ``None`` or end-of-file."""
    for other in inherited:  # the parent's ends of the sibling workers' socket pairs
        other.close()
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            message = pickle.loads(conn.recv_bytes())
        except EOFError:
            return
        if message is None:
            return
        call_id, work, args = message
        try:
            answer = _pickled(True, work(*args))
        except Exception as exc:  # the caller gets it, with where it happened
            answer = _pickled(False, (exc, traceback.format_exc()))
        conn.send_bytes(pickle.dumps((call_id, answer), protocol=pickle.HIGHEST_PROTOCOL))


def _pickled(ok: bool, value: Any) -> bytes:
    try:
        return pickle.dumps((ok, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an answer that cannot be pickled: say so instead
        error = RuntimeError(f"an answer that cannot be sent back: {exc!r}")
        return pickle.dumps((False, (error, traceback.format_exc())), protocol=pickle.HIGHEST_PROTOCOL)


class WorkerProcess:
    def __init__(self, context: BaseContext, name: str, siblings: Sequence[WorkerProcess] = (),
                 initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()) -> None:
        parent_end, worker_end = context.Pipe(duplex=True)
        inherited = [sibling.conn for sibling in siblings if not sibling.conn.closed]
        self.process = context.Process(  # type: ignore[attr-defined]
            target=serve, args=(worker_end, inherited, initializer, initargs), name=name, daemon=True,
        )
        try:
            self.process.start()
        finally:
            worker_end.close()
        self.conn = parent_end
        self.name = name
        self._calls = itertools.count()
        self._pending: dict[int, Future[Any]] = {}
        self._lock = threading.Lock()
        self._dead: WorkerDied | None = None
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_calls, name=f"{name}-send", daemon=True)
        self._receiver = threading.Thread(target=self._receive_answers, name=f"{name}-receive", daemon=True)
        self._sender.start()
        self._receiver.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def submit(self, work: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._dead is not None:
                future.set_exception(self._dead)
                return future
            call_id = next(self._calls)
            try:
                message = pickle.dumps((call_id, work, args), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                future.set_exception(exc)
                return future
            self._pending[call_id] = future
        self._outbox.put(message)
        return future

    def stop(self) -> None:
        """Ask the worker to end once the calls sent so far are answered (see ``join``)."""
        self._outbox.put(None)

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` s for the worker to end after ``stop``, then kill it."""
        self.process.join(timeout)
        self.kill()
        self._sender.join(timeout)
        self._receiver.join(timeout)
        self.conn.close()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def _send_calls(self) -> None:
        while True:
            message = self._outbox.get()
            try:
                self.conn.send_bytes(pickle.dumps(None) if message is None else message)
            except (OSError, ValueError):  # the worker is gone (its end closed): the receiver notices
                return
            if message is None:
                return

    def _receive_answers(self) -> None:
        try:
            while True:
                try:
                    call_id, answer = pickle.loads(self.conn.recv_bytes())
                except (EOFError, OSError):
                    return
                with self._lock:
                    future = self._pending.pop(call_id)
                try:
                    ok, value = pickle.loads(answer)
                except Exception as exc:  # an answer this side cannot unpickle fails its call only
                    ok, value = False, (RuntimeError(f"an answer that cannot be read: {exc!r}"), "")
                if ok:
                    _settle(future, result=value)
                else:
                    error, remote_traceback = value
                    error.__cause__ = RemoteTraceback(remote_traceback)
                    _settle(future, error=error)
        finally:
            self._fail_pending(WorkerDied(f"{self.name} (pid {self.pid}) ended"))

    def _fail_pending(self, error: WorkerDied) -> None:
        with self._lock:
            self._dead = error
            pending, self._pending = self._pending, {}
        for future in pending.values():
            _settle(future, error=error)


def _settle(future: Future[Any], result: Any = None, error: BaseException | None = None) -> None:
    """Set a call's outcome, unless its caller gave up on it (cancelled)."""
    try:
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
    except InvalidStateError:
        pass
