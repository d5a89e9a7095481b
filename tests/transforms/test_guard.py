"""The guard at the DoFn boundary: one message's failure is data, a
service's failure is not."""
import sqlite3

import apache_beam as beam
import pytest

from pipeline.kafka.headers import Failure, Message
from pipeline.transforms.guard import DEAD_LETTER, GuardedDoFn, is_infrastructure

MESSAGE = Message("raw", 0, 1, b"k", b"v", (), 0)


class Halve(GuardedDoFn):
    stage = "halve"

    def handle(self, element):
        message, n = element
        yield message, "first output, dropped if a later step fails"
        yield message, 10 // n


@pytest.mark.parametrize("n, outcome", [(2, "ok"), (0, "ZeroDivisionError")])
def test_an_element_either_passes_whole_or_becomes_one_failure(n, outcome):
    outputs = list(Halve().process((MESSAGE, n)))
    if outcome == "ok":
        assert [o[1] for o in outputs] == ["first output, dropped if a later step fails", 5]
        return
    (tagged,) = outputs
    assert isinstance(tagged, beam.pvalue.TaggedOutput) and tagged.tag == DEAD_LETTER
    failure = tagged.value
    assert isinstance(failure, Failure) and failure.message is MESSAGE and failure.stage == "halve"
    assert type(failure.error).__name__ == outcome


@pytest.mark.parametrize("error, infrastructure", [
    (ConnectionRefusedError(), True),
    (sqlite3.OperationalError("database is locked"), True),
    (ValueError("bad date"), False),
    (RecursionError(), False),
    (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), False),
])
def test_failures_of_a_service_are_not_dead_lettered(error, infrastructure):
    assert is_infrastructure(error) == infrastructure

    class Fails(GuardedDoFn):
        def handle(self, element):
            raise error

    if infrastructure:
        with pytest.raises(type(error)):
            list(Fails().process(MESSAGE))
    else:
        (tagged,) = list(Fails().process(MESSAGE))
        assert tagged.value.error is error
