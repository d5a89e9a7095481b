"""Development tools, apart from the production code path.

Owns: the embedded Kafka-protocol broker (`broker`: Tansu on 127.0.0.1, in
memory), `make demo` (`demo`), `make run`'s launcher (`live`) and the
throw-away Redis server the tests and benchmarks use (`redis_server`).
May import anything in `pipeline`; nothing in `pipeline` outside `dev`
imports it except the CLI's `broker` command.
"""
