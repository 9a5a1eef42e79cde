"""Runs the orders service: `python3 -m app`, configured by HOST and PORT."""

import os
import signal
import threading

from .server import make_server


def main():
    server = make_server(os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8080")))
    host, port = server.server_address[:2]
    # Containers stop with SIGTERM; shutdown() must run off the thread that serves.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"orders listening on http://{host}:{port}", flush=True)
    with server:
        server.serve_forever()


if __name__ == "__main__":
    main()
