"""Racing the same change from several database connections at once (PostgreSQL tests)."""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(
    calls: list[Callable[[], object]],
    *,
    refused: type[Exception] | tuple[type[Exception], ...] = (),
    done: str | None = None,
) -> list[object]:
    """Run ``calls`` in threads released together; their outcomes, in the order they ended.

    An outcome is ``done`` (or the call's return value when ``done`` is None), or the message
    of a ``refused`` error; any other error fails the test. Each thread has its own database
    connection and closes it.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = []
    failures: list[BaseException] = []

    def attempt(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            result = call()
            outcomes.append(result if done is None else done)
        except refused as error:
            outcomes.append(str(error))
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return outcomes
