"""The pipeline's Beam transforms: small composites named for what they mean.

    ReadArticleMessages -> DecodeArticles -> NormalizeArticles -> DropDuplicates -> AnnotateArticles -> WriteArticles
                               |                  |                 |                 |
                               +------------------+-----------------|-----------------+-> WriteDeadLetters
                                                                    +-> WriteDuplicateEvents (if asked)
    AnnotateArticles -> WriteQuoteEvents, WriteEntityEvents (if asked)
    (the reader commits a bundle's offsets once its writes have succeeded)

Owns: the composites and their DoFns (`read`, `understand`, `duplicates`,
`write`) and the counters (`metrics`). May import: apache_beam and the
packages below it (news, dedup, kafka). The domain logic lives there; these
classes only wire it into Beam. Heavy resources (spaCy, Kafka clients) are
made in DoFn.setup(). Nothing here is specific to a runner.
"""
from .duplicates import DUPLICATES, DropDuplicates
from .metrics import counters
from .read import RESTART, STOP, ReadArticleMessages, request_stop
from .understand import DEAD_LETTER, AnnotateArticles, DecodeArticles, NormalizeArticles
from .write import WriteArticles, WriteDeadLetters, WriteDuplicateEvents, WriteEntityEvents, WriteQuoteEvents

__all__ = [
    "DEAD_LETTER", "DUPLICATES", "RESTART", "STOP", "AnnotateArticles", "DecodeArticles", "DropDuplicates",
    "NormalizeArticles", "ReadArticleMessages", "WriteArticles", "WriteDeadLetters", "WriteDuplicateEvents",
    "WriteEntityEvents", "WriteQuoteEvents", "counters", "request_stop",
]
