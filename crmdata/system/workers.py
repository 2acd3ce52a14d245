"""Worker processes that cannot outlive the `crm` that started them.

A parse worker blocks on its queue until it is given work; if `crm` ends without stopping it (killed
by CI's cancellation, by Ctrl-C, by the out-of-memory killer), it would wait there forever, an orphan
under PID 1. Two mechanisms make that impossible:

- each worker asks the kernel, as its first act, to be killed when its parent ends (Linux
  `prctl(PR_SET_PDEATHSIG)`; elsewhere a thread that watches the parent's pid). This holds whatever
  the parent does or suffers, SIGKILL included;
- the pool is a context manager: leaving it by an exception (SIGTERM is turned into one by the CLI,
  SIGINT is one) kills the workers at once instead of waiting for the queued work to finish.

Workers ignore the stop signals (SIGINT, SIGTERM, SIGHUP): Ctrl-C in a terminal and a job runner's
group kill reach every process of the group, and the parent alone decides what happens (the workers
then die with it, without a traceback each). The parent holds those signals back for the instant it
forks the workers: Python runs after-fork hooks in which an exception raised by a signal handler is
printed and then ignored, and the stop would be lost.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1
"""From <linux/prctl.h>: the signal the calling process gets when its parent (thread) ends."""
_STOP_SIGNALS = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}
_WATCH_INTERVAL = 0.5
"""Seconds between two looks at the parent's pid where the kernel cannot be asked to do it."""


@contextmanager
def worker_pool(max_workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers die with this process, and are killed when the block is left by an
    exception (or a generator holding the pool is closed early).

    On Linux the workers are forked: the parent a worker watches is then this process, whatever
    Python's default start method becomes.
    """
    import multiprocessing  # here, with the pool: loading a small repository starts no workers
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    pool = ProcessPoolExecutor(
        max_workers=max_workers, mp_context=context, initializer=_bind_to_parent, initargs=(os.getpid(),)
    )
    try:
        with _stop_signals_held():
            pool.submit(os.getpid)  # forks the workers now (all of them, with fork), while signals wait
        yield pool
    except BaseException:
        _kill(pool)
        raise
    else:
        pool.shutdown(wait=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now and forget the queued work: the caller is on its way out."""
    processes = list((pool._processes or {}).values())  # private: no public way before Python 3.14
    for process in processes:
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold the stop signals back (they stay pending) in this thread, and let them in afterwards."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _bind_to_parent(parent: int) -> None:
    """Worker initializer: die when `parent` ends; leave the stop signals to the parent."""
    for number in _STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # held back by the parent while forking
    if not _die_with_parent_by_kernel():
        threading.Thread(target=_watch_parent, args=(parent,), name="crm-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent ended before the kernel was asked to watch it
        os._exit(1)


def dying_with_this_process() -> Callable[[], None] | None:
    """For subprocess.Popen(preexec_fn=…): a program crm starts (Pagefind) is killed by the kernel when this
    process ends, SIGKILL included, instead of running on as an orphan that writes into a folder crm has
    given up. Only on Linux and while this process runs one thread: code run between fork and exec with
    other threads about could wait forever on a lock one of them held (then None: no such guard)."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def die_with_parent() -> None:  # in the child, before exec: a C call, nothing allocated
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent ended before the kernel was asked to watch it
            os._exit(1)

    return die_with_parent


def _die_with_parent_by_kernel() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; False where that cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """End this worker once its parent is gone (it is then adopted: its parent pid changes)."""
    while os.getppid() == parent:
        time.sleep(_WATCH_INTERVAL)
    os._exit(1)
