#!/usr/bin/env python3
"""Loads every spec (*.yaml) under the given folders with PyYAML's safe_load (YAML 1.1) and
fails when one does not load or holds a value no spec means: a date or timestamp (an unquoted
`2017-11-31T06:32:31Z`), bytes, or a key that is not a string. tests/yaml11.rs checks the same
files against the spec loader with the YAML 1.1 rules written out; this is the real reader.

Usage: yaml11.py DIR...
"""
import datetime
import pathlib
import sys

import yaml


def odd_value(value, at):
    """The path of the first value JSON cannot hold, or None."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{at}: key {key!r} is a {type(key).__name__}"
            found = odd_value(item, f"{at}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = odd_value(item, f"{at}[{index}]")
            if found:
                return found
    elif isinstance(value, (datetime.date, datetime.datetime, bytes)):
        return f"{at}: {value!r} is a {type(value).__name__}"
    return None


def main(folders):
    loaded, failed = 0, []
    for folder in folders:
        for path in sorted(pathlib.Path(folder).rglob("*.yaml")):
            try:
                document = yaml.safe_load(path.read_text(encoding="utf-8"))
            except Exception as error:  # every reader error counts, whatever its class
                failed.append(f"{path}: {error}")
                continue
            odd = odd_value(document, "")
            if odd:
                failed.append(f"{path}{odd}")
            else:
                loaded += 1
    for failure in failed:
        print(failure, file=sys.stderr)
    print(f"PyYAML {yaml.__version__} safe_load: {loaded} specs read as written, {len(failed)} not")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
