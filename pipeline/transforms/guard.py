"""One boundary for every failure of one message: errors are data.

`GuardedDoFn.process` runs a subclass's `handle(element)`; whatever it
raises for that element becomes a `Failure` on the dead-letter output (the
message, the stage, the real exception), and the bundle goes on. Only
failures of the infrastructure (the duplicate store, the broker, the disk)
propagate: they are not the message's fault, so the bundle fails, nothing is
committed, and the message is read again once the cause is gone.

Why our own wrapper rather than Beam's `with_exception_handling()`: that one
puts the failed element and a formatted error on its own output, losing the
exception object, and its outputs cannot carry our other tags (duplicates)
in one ParDo; here the same Failure reaches WriteDeadLetters from every step.
"""
from __future__ import annotations

import apache_beam as beam

from ..kafka.headers import Failure, Message
from .metrics import Counter

DEAD_LETTER = "dead_letter"

# Libraries whose exceptions are about a service, not about the message
# being handled: never dead-lettered (see the module docstring).
_INFRASTRUCTURE_MODULES = ("sqlite3", "redis", "kafka")


def is_infrastructure(exc: BaseException) -> bool:
    """Is `exc` a failure of a service or the machine rather than of the message?"""
    if isinstance(exc, OSError):
        return True
    return type(exc).__module__.split(".")[0] in _INFRASTRUCTURE_MODULES


def message_of(element) -> Message:
    """The Message an element carries (the element itself, or its first item)."""
    return element if isinstance(element, Message) else element[0]


class GuardedDoFn(beam.DoFn):
    """A DoFn whose `handle(element)` may fail for one element without
    failing the bundle. Subclasses set `stage` (named in the dead letter
    unless the exception carries its own `stage`) and implement `handle`,
    yielding outputs (TaggedOutputs too); outputs of an element that then
    fails are dropped, so a message is either processed or dead-lettered."""

    stage = "process"

    def __init__(self):
        super().__init__()
        self.failed = Counter(f"failed_{self.stage}")

    def handle(self, element):
        raise NotImplementedError

    def process(self, element):
        try:
            outputs = list(self.handle(element))
        except Exception as exc:  # noqa: BLE001 - the boundary: becomes a dead letter, or re-raised by failure()
            yield self.failure(element, exc)
            return
        yield from outputs

    def failure(self, element, exc: Exception):
        """`element` failed with `exc` -> its dead-letter output; re-raises
        a failure of the infrastructure (see the module docstring)."""
        if is_infrastructure(exc):
            raise exc
        self.failed.inc()
        return beam.pvalue.TaggedOutput(DEAD_LETTER, Failure(message_of(element), getattr(exc, "stage", self.stage), exc))
