"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1).

Writes every message it accepts, as raw RFC 5322 bytes, into OUT_DIR. Recipients listed in
--reject get 550, so a test can check that one bad address fails only that delivery; with
--tempfail N the first N recipients get 451 (try again later).
With --tls CERT KEY it requires STARTTLS, and with --auth USER:PASS a login after it.
Usage: smtp_server.py PORT OUT_DIR [--reject ADDR ...] [--tempfail N] [--tls CERT KEY] [--auth USER:PASS]
"""
import argparse
import asyncio
import os
import ssl
import time
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


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
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth")
    args = parser.parse_args()
    options = {}
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok)

        options.update(authenticator=authenticate, auth_required=True)
    controller = Controller(Handler(args.out_dir, args.reject, args.tempfail), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
