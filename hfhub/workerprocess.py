"""One forked worker process that runs calls in order, and the socket pair to it.

Why not ``concurrent.futures.ProcessPoolExecutor``: a page must stay in one process between calls,
which takes one single-process executor per worker, and forked executors inherit each other's
pipes. When one worker is killed while it sends a result, its executor waits for the rest of the
message for ever (a sibling, or the parent itself, still holds the pipe's writing end); a crawl
that should fail then hangs instead. Here each worker has one socket pair: the parent closes the
worker's end right after the fork, and every worker closes the parent's ends of its siblings, so a
dead worker is an end-of-file at once, and every call waiting on it fails.

Calls are sent by a thread (a 1 MB page must not block the reactor while the worker is busy) and
answers read by another, so neither side of the crawl waits on the other.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any


class WorkerDied(RuntimeError):
    """The worker process ended (killed, or out of memory) before answering."""


def serve(conn: Connection, inherited: Sequence[Connection], initializer: Callable[..., None] | None,
          initargs: tuple[Any, ...]) -> None:
    """The worker's loop: answer ``(call id, function, args)`` messages until ``None`` or end-of-file."""
    for other in inherited:  # the parent's ends of the sibling workers' socket pairs
        other.close()
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        call_id, work, args = message
        try:
            answer = (call_id, True, work(*args))
        except Exception as exc:  # the caller gets it
            answer = (call_id, False, exc)
        try:
            conn.send(answer)  # pickled whole before anything is written
        except Exception as exc:  # an answer that cannot be pickled: say so instead
            conn.send((call_id, False, RuntimeError(f"{work.__name__} answered what cannot be sent back: {exc!r}")))


class WorkerProcess:
    def __init__(self, context: BaseContext, name: str, siblings: Sequence[WorkerProcess] = (),
                 initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()) -> None:
        parent_end, worker_end = context.Pipe(duplex=True)
        inherited = [sibling.conn for sibling in siblings if not sibling.conn.closed]
        self.process = context.Process(  # type: ignore[attr-defined]
            target=serve, args=(worker_end, inherited, initializer, initargs), name=name, daemon=True,
        )
        self.process.start()
        worker_end.close()
        self.conn = parent_end
        self.name = name
        self._calls = itertools.count()
        self._pending: dict[int, Future[Any]] = {}
        self._lock = threading.Lock()
        self._dead: WorkerDied | None = None
        self._outbox: queue.SimpleQueue[tuple[int, Callable[..., Any], tuple[Any, ...]] | None] = queue.SimpleQueue()
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
            self._pending[call_id] = future
        self._outbox.put((call_id, work, args))
        return future

    def close(self, timeout: float = 30.0) -> None:
        """Let the worker finish the calls sent so far, then end it."""
        self._outbox.put(None)
        self._sender.join(timeout)
        self._receiver.join(timeout)
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()

    def _send_calls(self) -> None:
        while True:
            message = self._outbox.get()
            try:
                self.conn.send(message)
            except (OSError, ValueError):  # the worker is gone (its end closed): the receiver notices
                return
            if message is None:
                return

    def _receive_answers(self) -> None:
        while True:
            try:
                call_id, ok, value = self.conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future = self._pending.pop(call_id)
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        self.process.join(5.0)
        self._fail_pending(WorkerDied(f"{self.name} (pid {self.pid}) ended, exit code {self.process.exitcode}"))

    def _fail_pending(self, error: WorkerDied) -> None:
        with self._lock:
            self._dead = error
            pending, self._pending = self._pending, {}
        for future in pending.values():
            future.set_exception(error)
