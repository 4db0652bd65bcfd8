"""The worker loop (hfhub.workerprocess.serve): which call it runs next."""

from __future__ import annotations

import multiprocessing
import pickle

from hfhub.workerprocess import serve


def echo(label: str) -> str:
    return label


def test_urgent_calls_run_first_and_the_others_in_the_order_sent():
    parent_end, worker_end = multiprocessing.Pipe(duplex=True)
    calls = [(0, False, "page 0: validate"), (1, False, "page 1: enrich"), (2, True, "page 4: decode"),
             (3, False, "page 0: enrich"), (4, True, "page 5: decode")]
    for call_id, urgent, label in calls:  # all there before the loop starts, as when it is busy
        parent_end.send_bytes(pickle.dumps((call_id, urgent, echo, (label,))))
    parent_end.send_bytes(pickle.dumps(None))  # stop, once the calls sent before are answered

    serve(worker_end, [], None, ())  # runs here, in this process, until the stop

    answered = []
    while parent_end.poll():
        call_id, answer = pickle.loads(parent_end.recv_bytes())
        ok, value = pickle.loads(answer)
        assert ok and value == calls[call_id][2]
        answered.append(call_id)
    assert answered == [2, 4, 0, 1, 3]
