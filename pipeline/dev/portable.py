"""Beam's portable runner on this machine: a local job service and an
EXTERNAL worker pool, the Fn API path that Flink and Dataflow use
(pickling, splittable reads, bundle finalizers), for `make test-portable`.

    python -m pipeline.dev.portable job-service --port J     # Beam's local_job_service_main
    python -m pipeline.dev.portable worker-pool --port W     # Beam's worker_pool_main
    python -m pipeline.dev.portable jobs --job-endpoint localhost:J [--cancel]

Run the first two from the workers' environment (its bin first on PATH: the
pool starts each SDK worker as `python`), in a folder that holds no
`pipeline/` (a worker imports the installed package, not a checkout), then
`python -m pipeline run ... --runner PortableRunner --job_endpoint
localhost:J --environment_type EXTERNAL --environment_config localhost:W`.
In EXTERNAL mode the workers install nothing that the job stages: the
environment must already hold the sdist of setup.py and the model wheel.

Both are Beam's own entry points with one change: every gRPC server they
open listens on the loopback interface only (Beam binds `[::]`, every
interface, for the worker pool and for the runner's control, data, state and
logging servers). The local job service cannot stop a running job: Beam's
Cancel only marks it CANCELLED (`jobs --cancel` does that much) and the job
goes on reading and writing. SIGTERM to the job service is what ends it (its
SDK workers exit when it goes); SIGTERM to the worker pool stops the pool
and its SDK workers.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys


def loopback_only() -> None:
    """Make every gRPC server of this process listen on loopback only:
    `[::]:N` and `0.0.0.0:N` become `localhost:N` (127.0.0.1 and ::1)."""
    from grpc import _server

    original = _server._Server.add_insecure_port
    if getattr(original, "loopback_only", False):
        return

    def add_insecure_port(self, address):
        host, _, port = address.rpartition(":")
        if host in ("[::]", "0.0.0.0", ""):
            address = f"localhost:{port}"
        return original(self, address)

    add_insecure_port.loopback_only = True
    _server._Server.add_insecure_port = add_insecure_port


def job_service(port: int) -> None:
    """Beam's local job service on localhost:`port`; SIGTERM ends it and the jobs it runs."""
    loopback_only()
    from apache_beam.runners.portability import local_job_service_main

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # as its own __main__ does
    logging.basicConfig()
    logging.getLogger().setLevel(logging.INFO)
    local_job_service_main.run(["--port", str(port)])


def worker_pool(port: int) -> None:
    """Beam's worker pool for EXTERNAL environments on localhost:`port`; its
    SDK workers are processes (`python` from PATH). SIGTERM stops them and it."""
    loopback_only()
    from apache_beam.runners.worker import worker_pool_main

    # SystemExit runs the pool's atexit hook, which stops its SDK workers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    worker_pool_main.main(["--service_port", str(port)])


def job_states(endpoint: str, timeout: float = 10.0) -> dict[str, str]:
    """job id -> state name (RUNNING, DONE, CANCELLED, ...) of every job the
    job service at `endpoint` knows."""
    import grpc
    from apache_beam.portability.api import beam_job_api_pb2, beam_job_api_pb2_grpc

    with grpc.insecure_channel(endpoint) as channel:
        service = beam_job_api_pb2_grpc.JobServiceStub(channel)
        jobs = service.GetJobs(beam_job_api_pb2.GetJobsRequest(), timeout=timeout).job_info
        return {job.job_id: beam_job_api_pb2.JobState.Enum.Name(job.state) for job in jobs}


def cancel(endpoint: str, job_id: str, timeout: float = 10.0) -> str:
    """Ask the job service to cancel `job_id` (what PipelineResult.cancel()
    sends); returns the state it then reports."""
    import grpc
    from apache_beam.portability.api import beam_job_api_pb2, beam_job_api_pb2_grpc

    with grpc.insecure_channel(endpoint) as channel:
        service = beam_job_api_pb2_grpc.JobServiceStub(channel)
        state = service.Cancel(beam_job_api_pb2.CancelJobRequest(job_id=job_id), timeout=timeout).state
        return beam_job_api_pb2.JobState.Enum.Name(state)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.dev.portable", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, what in (("job-service", "Beam's local job service"), ("worker-pool", "an EXTERNAL worker pool")):
        command = commands.add_parser(name, help=f"{what} on localhost:PORT", allow_abbrev=False)
        command.add_argument("--port", type=int, required=True)
    jobs = commands.add_parser("jobs", help="list the jobs of a job service and their states", allow_abbrev=False)
    jobs.add_argument("--job-endpoint", required=True, metavar="HOST:PORT")
    jobs.add_argument("--cancel", action="store_true",
                      help="ask it to cancel every job not yet finished (the local job service only marks them)")
    args = parser.parse_args(argv)
    if args.command == "job-service":
        job_service(args.port)
    elif args.command == "worker-pool":
        worker_pool(args.port)
    else:
        for job_id, state in sorted(job_states(args.job_endpoint).items()):
            if args.cancel and state not in ("DONE", "FAILED", "CANCELLED", "UPDATED", "DRAINED"):
                state = f"{state} -> {cancel(args.job_endpoint, job_id)}"
            print(f"{job_id}\t{state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
