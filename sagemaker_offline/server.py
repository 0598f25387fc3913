"""The offline AWS on a loopback port, for processes other than the kernel: the AWS CLI in `!aws ...` cells and
terminals (notebook 03, Step 8), and the kernels of the AWS-mode rehearsal (tests/test_aws_rehearsal.py).

It is moto's own server running in the kernel's process, so it answers from the same moto backends as the kernel's
`mock_aws` and goes through the same patched SageMaker responses: a job created by the CLI really runs, and the
kernel sees it. It listens on 127.0.0.1 only; nothing outside this machine can reach it.
"""
from __future__ import annotations

import os
from pathlib import Path

LOOPBACK = "127.0.0.1"
# moto accepts any keys; these say what they are when a learner prints them.
STAND_IN_ACCESS_KEY = "OFFLINEACCESSKEYEXAMPLE"
STAND_IN_SECRET_KEY = "offline-secret-key-no-aws-account"


def _quiet_request_handler():
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietRequestHandler(MotoRequestHandler):
        """moto's handler without werkzeug's access log, which would print a line per CLI request in a cell."""

        def log_request(self, *args, **kwargs) -> None:
            pass

    return QuietRequestHandler


class LoopbackServer:
    """moto's ThreadedMotoServer on 127.0.0.1 and a free port, with a short poll so stopping it is instant."""

    def __init__(self):
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer

        handler = _quiet_request_handler()

        class Server(ThreadedMotoServer):
            def _server_entry(self) -> None:  # moto's, with our request handler and a 50 ms shutdown poll
                from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
                from werkzeug.serving import make_server

                app = DomainDispatcherApplication(create_backend_app)
                self._server = make_server(self._ip_address, self._port, app, True, request_handler=handler)
                self._server_ready_event.set()
                self._server.serve_forever(poll_interval=0.05)

        self._server = Server(ip_address=LOOPBACK, port=0, verbose=False)  # port 0: the system picks a free one
        self.url = ""

    def start(self) -> "LoopbackServer":
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.stop()
        if self._server._server is not None:
            self._server._server.server_close()  # release the port now, not at garbage collection


def cli_variables(url: str, region: str, config_file: Path) -> dict[str, str]:
    """The environment that sends an AWS CLI (or any SDK) in another process to the server at `url`."""
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": STAND_IN_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": STAND_IN_SECRET_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_CONFIG_FILE": str(config_file),
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,  # the learner's own keys stay out of offline mode
        "AWS_EC2_METADATA_DISABLED": "true",  # never ask an instance-metadata address for credentials
        "AWS_PAGER": "",  # AWS CLI v2 would page long output, which a notebook cell cannot scroll
    }


def write_cli_config(path: Path, region: str) -> Path:
    """The kit's AWS config file for offline mode: region and JSON output, as `aws configure` would write them."""
    path.write_text(f"# Written by the course kit for the offline AWS; removed when it stops.\n"
                    f"[default]\nregion = {region}\noutput = json\n")
    return path
