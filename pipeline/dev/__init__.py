"""Development tools, apart from the production code path.

Owns: the embedded Kafka-protocol broker (`broker`: Tansu on 127.0.0.1, in
memory), a cuttable proxy in front of it for outages (`proxy`), `make demo`
(`demo`), `make run`'s launcher (`live`), the throw-away Redis server the
tests and benchmarks use (`redis_server`), Beam's local job service and
worker pool on loopback for the portable-runner test (`portable`) and the
hostile corpus of `make chaos` (`hostile`).
May import anything in `pipeline`; nothing in `pipeline` outside `dev`
imports it except the CLI's `broker` command.
"""
