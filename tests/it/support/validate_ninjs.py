"""Validates JSON documents against the IPTC ninjs 2.2 schema (draft 2020-12).

Usage: validate_ninjs.py SCHEMA FILE...   Prints one line per invalid document; exits 1 if any.
"""
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    bad = 0
    for path in sys.argv[2:]:
        for error in validator.iter_errors(json.load(open(path))):
            bad += 1
            print(f"{path}: {error.json_path}: {error.message}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
