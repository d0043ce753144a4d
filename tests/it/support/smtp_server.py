"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1).

Writes every message it accepts, as raw RFC 5322 bytes, into OUT_DIR. Recipients listed in
--reject get 550, so a test can check that one bad address fails only that delivery; with
--tempfail N the first N recipients get 451 (try again later).
Usage: smtp_server.py PORT OUT_DIR [--reject ADDR ...] [--tempfail N]
"""
import argparse
import asyncio
import os
import time
import uuid

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, out_dir, reject, tempfail):
        self.out_dir = out_dir
        self.reject = set(reject)
        self.tempfail = tempfail

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        if self.tempfail > 0:
            self.tempfail -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Named by arrival time, so that sorting the names gives the order they came in.
        name = os.path.join(self.out_dir, f"{time.time_ns():020d}-{uuid.uuid4().hex}.eml")
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(name + ".tmp", name)
        return "250 Message accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("out_dir")
    parser.add_argument("--reject", nargs="*", default=[])
    parser.add_argument("--tempfail", type=int, default=0)
    args = parser.parse_args()
    controller = Controller(Handler(args.out_dir, args.reject, args.tempfail), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
