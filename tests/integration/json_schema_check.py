# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Checks the documents test_json_schema.sh collected.

Usage: json_schema_check.py SCHEMA MANIFEST HELP_JSON

MANIFEST: one run a line, tab-separated: name, arguments, definition
("-" for none: only an error document), expected exit, actual exit,
expected error code ("-" for none), file of its stdout.  Every line of
that file is one JSON document.  Prints one line per check for the shell's
TAP: "PASS|NAME" or "FAIL|NAME|EXPECTED|ACTUAL".
"""
import json
import sys

import jsonschema


def say(ok, name, exp="", act=""):
    flat = [str(x).replace("\n", " ").replace("|", "/") for x in (name, exp, act)]
    print("PASS|" + flat[0] if ok else "FAIL|" + "|".join(flat))


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError("key %s twice" % ", ".join(dup))
    return dict(pairs)


def dashed_keys(value, path="$"):
    """Every key, at any depth, that holds a '-'."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if "-" in k:
                found.append(path + "." + k)
            found += dashed_keys(v, path + "." + k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += dashed_keys(v, "%s[%d]" % (path, i))
    return found


def validator(schema, name):
    """A validator of definition NAME of the schema, its $defs in reach."""
    sub = {"$schema": schema["$schema"], "$defs": schema["$defs"],
           "$ref": "#/$defs/" + name}
    return jsonschema.validators.validator_for(schema)(sub)


def problems(v, doc):
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "$", e.message)
            for e in v.iter_errors(doc)]


def check_run(schema, run):
    """One run: its documents, in order; returns its parsed documents."""
    name, args, defn, want, rc, code, path = run
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f.read().split("\n") if l]
    docs, errs = [], []
    for i, l in enumerate(lines):
        try:
            docs.append(json.loads(l, object_pairs_hook=no_duplicates))
        except ValueError as e:
            errs.append("line %d not JSON (%s): %s" % (i + 1, e, l[:200]))
    body = docs[:-1] if code != "-" else docs
    if code != "-" and not docs:
        errs.append("no error document")
    if defn != "-" and not body:
        errs.append("no %s document" % defn)
    if defn == "-" and body:
        errs.append("%d documents before the error one" % len(body))
    if defn != "-":
        v = validator(schema, defn)
        for i, d in enumerate(body):
            errs += ["document %d (%s): %s" % (i + 1, defn, p) for p in problems(v, d)]
    if code != "-" and docs:
        errs += ["error document: " + p for p in problems(validator(schema, "error"), docs[-1])]
        got = docs[-1].get("error", {}).get("code") if isinstance(docs[-1].get("error"), dict) else None
        if got != code:
            errs.append("error code %s, expected %s" % (got, code))
    if code == "-":
        errs += ["an error document: %s" % json.dumps(d["error"]) for d in docs
                 if isinstance(d, dict) and "error" in d]
    said = (["documents valid (%s)" % defn] if defn != "-" else []) + \
        (["error %s" % code] if code != "-" else [])
    exp = "exit %s, %s" % (want, ", then ".join(said))
    if rc != want:
        errs.insert(0, "exit %s" % rc)
    say(not errs, "%s: %s" % (name, exp), exp, "; ".join(errs)[:2000])
    return docs


def main():
    schema_path, manifest, help_path = sys.argv[1:4]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
        say(True, "the schema is a valid %s schema" % schema["$schema"])
    except jsonschema.exceptions.SchemaError as e:
        say(False, "the schema is a valid schema", "valid", e.message)
        return
    with open(manifest, encoding="utf-8") as f:
        runs = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    dashed, ran = [], set()
    for run in runs:
        for d in check_run(schema, run):
            dashed += ["%s: %s" % (run[0], k) for k in dashed_keys(d)]
        if run[4] == run[3] and run[5] == "-":
            ran.add(run[1])
    say(not dashed, "no key of any document holds a '-'", "none", ", ".join(dashed[:20]))
    with open(help_path, encoding="utf-8") as f:
        table = [c["name"] for c in json.load(f)["commands"]]
    done = set()
    for args in ran:
        words = args.split()
        for w in words:
            if w in table:
                done.add(w)
                break
        if "--version" in words:
            done.add("--version")
    missing = [c for c in table + ["--version"] if c not in done]
    say(not missing and len(table) > 0,
        "every command of -j help (%d) and --version ran and succeeded" % len(table),
        "none missing", "missing: " + " ".join(missing))


if __name__ == "__main__":
    main()
