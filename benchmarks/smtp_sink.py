"""A minimal SMTP server for benchmarks, in its own process so it does not compete with the
sender for the GIL: accepts every message, counts them, writes the count to a file on SIGTERM.

    python benchmarks/smtp_sink.py PORT COUNT_FILE
"""

import signal
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main() -> None:
    port, count_file = int(sys.argv[1]), Path(sys.argv[2])
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print("ready", flush=True)
    done.wait()
    controller.stop()
    count_file.write_text(str(handler.count))


if __name__ == "__main__":
    main()
