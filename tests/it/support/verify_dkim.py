"""Verifies a message's DKIM signature the way a receiving server does, with the public key
record given instead of looked up in DNS.

Usage: verify_dkim.py MESSAGE DNS_TXT_RECORD_FILE   Exits 0 when the signature verifies.
"""
import sys

import dkim


def main():
    message = open(sys.argv[1], "rb").read()
    record = open(sys.argv[2], "rb").read().strip()
    ok = dkim.verify(message, dnsfunc=lambda name, timeout=5: record)
    print("verified" if ok else "not verified")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
