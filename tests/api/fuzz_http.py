#!/usr/bin/python3
"""api.fuzz_http: requests generated from api/daemon/openapi.yaml against a running `tavolo serve`.

For every path and operation of the description it sends valid requests (ids from the fixtures,
bodies from the fixtures and generated from the request schemas) and mutated ones (wrong types,
null, missing required members, huge numbers, long, non-ASCII and invalid UTF-8 strings, NUL,
unknown members, bodies that are not JSON, wrong media types; unknown, repeated and malformed
query parameters; long, invalid and traversal-like path ids; every method on every path), each
with a token of every role. Every answer is held to the description:

  - no 5xx, and the daemon still running after every request (it is this script's child);
  - the status is one the operation documents;
  - the media type is one documented for that status, and the body validates against its
    schema (JSON Schema 2020-12, "#/components/..." resolved over the whole document);
  - problem documents carry the status they are sent with, a type of that status and the
    request's path as instance; 401 has WWW-Authenticate, 405 an Allow naming the path's
    operations, 201 a Location, every answer an X-Request-Id;
  - protected routes answer 401 to a request without a valid token;
  - at the end, GET /healthz answers 200.

A daemon that exits is a failure; it is started again so the rest of the run still tests
something. Deterministic for a given seed (TV_FUZZ_SEED, printed) and bounded by a time budget
(TV_FUZZ_SECONDS, default 55) and a request budget (TV_FUZZ_REQUESTS, default 20000); writes
go late in the run and destructive ones last, mostly on records the fuzzer made itself.

Usage: fuzz_http.py --tavolo BIN --spec api/daemon/openapi.yaml --fixtures DIR --tokens FILE --work DIR
The database is the one TAVOLO_DATABASE_URL names, loaded with the fixtures; FILE maps each role
to {"token": ..., "subject": ...}. Exit 0 when every check passes, 1 otherwise.
"""

import argparse
import copy
import datetime
import http.client
import json
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

import jsonschema
import yaml

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")
ROLES = ("admin", "organiser", "investor", "company", "none", "bad")
BAD_TOKEN = "tv_" + "A" * 43  # well formed, unknown
REQUEST_TIMEOUT = 5.0
MAX_RESTARTS = 8
DETAILS_PER_KIND = 2  # failures printed in full per (operation, kind); the rest in one line

# The slug each error status may carry (the Problem schema's description).
PROBLEM_SLUGS = {
    400: {"malformed-json", "invalid-parameter"},
    401: {"unauthorized"},
    403: {"forbidden"},
    404: {"not-found"},
    405: {"method-not-allowed"},
    409: {"conflict"},
    412: {"precondition-failed"},
    413: {"payload-too-large"},
    415: {"unsupported-media-type"},
    422: {"invalid-field"},
    500: {"internal"},
    503: {"unavailable"},
}


def as_instance(path):
    """A raw request path as a problem's instance names it: as it is when it is UTF-8, else
    with its bytes above 0x7F written as %XX (a URI reference either way)."""
    try:
        return path.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(chr(b) if b < 0x80 else "%%%02X" % b for b in path)


# ---- JSON text with pieces Python's json cannot write ----


class Raw:
    """JSON text put into a body as it is: 1e400, invalid UTF-8, a lone surrogate escape."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "Raw(%r)" % self.text


def dump(v):
    """Serialises v (with Raw pieces) to bytes."""
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, dict):
        return b"{" + b", ".join(dump(k) + b": " + dump(x) for k, x in v.items()) + b"}"
    if isinstance(v, list):
        return b"[" + b", ".join(dump(x) for x in v) + b"]"
    return json.dumps(v, ensure_ascii=False).encode("utf-8")


# ---- the description ----


class Op:
    """One operation: where it lives, what it takes and what it may answer."""

    def __init__(self, method, template, doc, path_params, spec):
        self.method = method
        self.template = template
        self.op_id = doc.get("operationId", "%s %s" % (method, template))
        self.secured = doc.get("security", spec.doc.get("security")) != []
        params = [spec.resolve(p) for p in path_params + doc.get("parameters", [])]
        self.path_params = [p for p in params if p["in"] == "path"]
        self.query_params = [p for p in params if p["in"] == "query"]
        self.header_params = [p for p in params if p["in"] == "header"]
        body = spec.resolve(doc["requestBody"]) if "requestBody" in doc else None
        self.body = {m: c.get("schema", {}) for m, c in body["content"].items()} if body else None
        self.responses = {}
        for status, r in doc["responses"].items():
            r = spec.resolve(r)
            self.responses[str(status)] = {
                "content": {m: c.get("schema", {}) for m, c in r.get("content", {}).items()},
                "headers": set(h.lower() for h in r.get("headers", {})),
                # a text answer's documented first line (a CSV's header row)
                "first_lines": {m: str(c["example"]).split("\n", 1)[0]
                                for m, c in r.get("content", {}).items() if "example" in c},
            }

    def response(self, status):
        """The documented response for status (exact, then 4XX-style, then default)."""
        for key in (str(status), "%dXX" % (status // 100), "default"):
            if key in self.responses:
                return self.responses[key]
        return None


class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.resolver = jsonschema.RefResolver("", self.doc)
        self.formats = jsonschema.FormatChecker()
        for name, check in jsonschema.draft202012_format_checker.checkers.items():
            self.formats.checkers[name] = check
        self.formats.checks("json-pointer")(lambda s: not isinstance(s, str) or bool(
            re.fullmatch(r"(/([^~/]|~[01])*)*", s)))
        self.formats.checks("uri-reference")(lambda s: not isinstance(s, str) or not re.search(
            r"[\x00-\x20\x7f]", s))
        self.validators = {}
        self.ops = []
        self.methods = {}  # template -> set of methods
        for template, item in self.doc["paths"].items():
            shared = item.get("parameters", [])
            for method, doc in item.items():
                if method.upper() in METHODS:
                    self.ops.append(Op(method.upper(), template, doc, shared, self))
                    self.methods.setdefault(template, set()).add(method.upper())

    def template_of(self, path):
        """The path template a request path matches, or None."""
        for template in self.methods:
            pattern = re.sub(r"\\\{[^/]+\\\}", "[^/]+", re.escape(template))
            if re.fullmatch(pattern, path):
                return template
        return None

    def resolve(self, obj):
        """Follows local $refs until an object without one."""
        while isinstance(obj, dict) and "$ref" in obj:
            obj = self.resolver.resolve(obj["$ref"])[1]
        return obj

    def errors(self, schema, instance):
        """The validation errors of instance against schema, best first."""
        key = id(schema)
        if key not in self.validators:
            self.validators[key] = jsonschema.Draft202012Validator(
                schema, resolver=self.resolver, format_checker=self.formats)
        errs = list(self.validators[key].iter_errors(instance))
        return sorted(errs, key=lambda e: -len(e.absolute_path))

    def schema(self, name):
        return self.doc["components"]["schemas"][name]


# ---- the daemon, our child ----


class Daemon:
    def __init__(self, tavolo, work, max_body):
        self.tavolo, self.work, self.max_body = tavolo, work, max_body
        self.proc, self.port, self.starts = None, None, 0
        self.log_path = os.path.join(work, "daemon.log")

    def start(self):
        port_file = os.path.join(self.work, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        env = dict(os.environ, TAVOLO_DIGEST_TIME="off")
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.tavolo, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
             "--max-body", str(self.max_body)], stdout=log, stderr=log, env=env)
        log.close()
        with open(os.path.join(self.work, "daemon.pid"), "w") as f:
            f.write("%d\n" % self.proc.pid)  # for the wrapper's clean-up, should we be killed
        self.starts += 1
        self.port = None
        for _ in range(300):
            if self.proc.poll() is not None:
                break
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text.isdigit():
                    self.port = int(text)
                    break
            except OSError:
                pass
            time.sleep(0.05)
        if self.port is None or self.proc.poll() is not None:
            raise RuntimeError("the daemon did not start: " + self.log_tail())
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the daemon does not accept connections: " + self.log_tail())

    def exit_status(self):
        """None while running; else a description of how it ended."""
        rc = self.proc.poll()
        if rc is None:
            return None
        if rc < 0:
            try:
                return "killed by %s" % signal.Signals(-rc).name
            except ValueError:
                return "killed by signal %d" % -rc
        return "exited with status %d" % rc

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_tail(self, n=8):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                lines = f.readlines()
        except OSError:
            return ""
        return "".join(lines[-n:])


# ---- one request ----


class Case:
    """A request to send, and what it was made from."""

    def __init__(self, op, method, path, role, query="", body=None, ctype=None, label="valid",
                 want=None, raw=None, essential=False):
        self.essential = essential  # sent even when its phase is out of time
        self.headers = {}  # further request headers, name -> bytes
        self.template = None  # for a method the path does not serve: the path's template
        self.op = op  # None: a path or method the description does not have
        self.method, self.path, self.role, self.query = method, path, role, query
        self.body, self.ctype, self.label = body, ctype, label
        self.want = want  # statuses this case must get, when the fuzzer knows
        self.raw = raw  # bytes sent as they are on a fresh socket

    def target(self):
        return self.path + ("?" + self.query if self.query else "")

    def key(self):
        if self.op is not None:
            return self.op.op_id
        if self.template is not None:
            return "(405) " + self.template
        return "(no route)"


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())


class Client:
    def __init__(self, daemon, tokens):
        self.daemon, self.tokens = daemon, tokens
        self.conn = None

    def _connect(self):
        self.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port,
                                               timeout=REQUEST_TIMEOUT)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def authorization(self, role):
        if role == "none":
            return None
        if role == "bad":
            return "Bearer " + BAD_TOKEN
        return "Bearer " + self.tokens[role]["token"]

    def send(self, case):
        """The response, or a string saying why there is none."""
        if case.raw is not None:
            return self._send_raw(case.raw)
        for attempt in (0, 1):
            fresh = self.conn is None
            if fresh:
                self._connect()
            try:
                return self._exchange(case)
            except socket.timeout:
                self.close()
                return "no answer within %g s" % REQUEST_TIMEOUT
            except (http.client.HTTPException, OSError) as e:
                self.close()
                # A kept-alive connection the server closed while idle is retried once.
                if fresh or attempt == 1:
                    return "no answer: %s" % (type(e).__name__ + (": %s" % e if str(e) else ""))
        return "no answer"

    def _exchange(self, case):
        c = self.conn
        c.putrequest(case.method, case.target(), skip_accept_encoding=True)
        auth = self.authorization(case.role)
        if auth is not None:
            c.putheader("Authorization", auth)
        if case.ctype is not None:
            c.putheader("Content-Type", case.ctype)
        for name, value in case.headers.items():
            c.putheader(name, value)
        if case.body is not None:
            c.putheader("Content-Length", str(len(case.body)))
        c.endheaders(case.body)
        r = c.getresponse()
        body = r.read()
        headers = {}
        for k, v in r.getheaders():
            headers.setdefault(k.lower(), v)
        if r.will_close:
            self.close()
        return Response(r.status, headers, body)

    def _send_raw(self, data):
        self.close()
        try:
            s = socket.create_connection(("127.0.0.1", self.daemon.port), REQUEST_TIMEOUT)
        except OSError as e:
            return "no connection: %s" % e
        try:
            s.sendall(data)
            r = http.client.HTTPResponse(s, method=data.split(b" ", 1)[0].decode("latin-1"))
            r.begin()
            body = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, body)
        except socket.timeout:
            return "no answer within %g s" % REQUEST_TIMEOUT
        except (http.client.HTTPException, OSError) as e:
            return "no answer: %s: %s" % (type(e).__name__, e)
        finally:
            s.close()


# ---- checks ----


def media_type(value):
    """('type/subtype', {param: value}) of a Content-Type."""
    parts = [p.strip() for p in (value or "").split(";")]
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].lower(), params


def documented_media(resp_doc, ctype):
    """The documented media type of resp_doc that ctype is, or None."""
    mt, params = media_type(ctype)
    for key in resp_doc["content"]:
        kt, kparams = media_type(key)
        if kt == mt and all(params.get(k) == v for k, v in kparams.items()):
            return key
    return None


def strict_json(data):
    def reject(name):
        raise ValueError("not JSON: " + name)

    return json.loads(data.decode("utf-8"), parse_constant=reject)


class Checker:
    """Holds every answer to the description; counts checks; collects failures."""

    def __init__(self, spec):
        self.spec = spec
        self.passed = 0
        self.failures = []  # (case, kind, message, response)

    def check(self, name, ok, case, kind, message, resp):
        """Counts one check ('name' says which, for the reader); a failure is kept with its
        kind, the key of the summary."""
        if ok:
            self.passed += 1
        else:
            self.failures.append((case, kind, message, resp))
        return ok

    def response(self, case, resp):
        """Every check of one answer."""
        if isinstance(resp, str):
            self.check("answered", False, case, "no answer", resp, None)
            return
        self.passed += 1  # answered
        st = resp.status
        self.check("no 5xx", st < 500, case, "status %d" % st,
                   "a server error: %s" % short(resp.body), resp)
        self.check("x-request-id", bool(resp.header("x-request-id")), case,
                   "no X-Request-Id", "the answer has no X-Request-Id header", resp)
        if case.want is not None:
            self.check("wanted", st in case.want, case, "status %d, not %s" % (
                st, "/".join(map(str, sorted(case.want)))),
                "expected %s" % " or ".join(map(str, sorted(case.want))), resp)
        if case.raw is not None:
            # Refused by the HTTP parser, or routed: only a routed error is held to the Problem.
            if st >= 400 and media_type(resp.header("content-type"))[0].endswith("+json"):
                self._problem(case, resp)
            return
        if case.op is None:
            self._unrouted(case, resp)
            return
        if case.op.secured and case.role in ("none", "bad"):
            self.check("401", st in (401, 404, 413, 415), case, "no token: status %d" % st,
                       "a protected route answered %d without a valid token" % st, resp)
        doc = case.op.response(st)
        if not self.check("documented", doc is not None, case,
                          "undocumented status %d" % st,
                          "status %d is not documented for %s" % (st, case.op.op_id), resp):
            if 400 <= st < 600:
                self._problem(case, resp)
            return
        for name in ("location", "etag"):
            if 200 <= st < 300 and name in doc["headers"]:
                self.check(name, bool(resp.header(name)), case, "%d without %s" % (st, name),
                           "the description gives this answer a %s header" % name, resp)
        self._body(case, resp, doc)

    def _unrouted(self, case, resp):
        """A method or path the description does not have: 404 or 405, as a problem."""
        st = resp.status
        if not self.check("404/405", st in (400, 404, 405), case,
                          "status %d for an unknown method or path" % st,
                          "expected 404 (path) or 405 (method)", resp):
            return
        if case.method != "HEAD":
            self._problem(case, resp)
        if st == 405:
            template = case.template or self.spec.template_of(case.path)
            allowed = self.spec.methods.get(template, set())
            got = set(m.strip() for m in (resp.header("allow") or "").split(",") if m.strip())
            self.check("allow", got == allowed, case, "405 Allow differs",
                       "Allow: %s, the description has %s" % (
                           resp.header("allow"), ", ".join(sorted(allowed))), resp)

    def _body(self, case, resp, doc):
        st = resp.status
        if not doc["content"] or case.method == "HEAD":
            self.check("empty body", resp.body == b"", case, "%d with a body" % st,
                       "a documented empty answer has %d bytes" % len(resp.body), resp)
            return
        ctype = resp.header("content-type")
        media = documented_media(doc, ctype)
        if not self.check("media type", media is not None, case,
                          "%d as %s" % (st, media_type(ctype)[0] or "no media type"),
                          "Content-Type %r, documented: %s" % (ctype, ", ".join(doc["content"])),
                          resp):
            if st >= 400:
                self._problem(case, resp)
            return
        schema = doc["content"][media]
        mt = media_type(media)[0]
        if mt == "application/json" or mt.endswith("+json"):
            try:
                value = strict_json(resp.body)
            except ValueError as e:
                self.check("json", False, case, "%d body not JSON" % st, str(e)[:200], resp)
                return
        else:
            try:
                value = resp.body.decode("utf-8")
            except UnicodeDecodeError:
                self.check("utf-8", False, case, "%d body not UTF-8" % st, "", resp)
                return
            self._text(case, resp, mt, value, doc["first_lines"].get(media))
        errs = self.spec.errors(schema, value)
        if errs:
            e = errs[0]
            where = "/" + "/".join(str(p) for p in e.absolute_path)
            rule = "/".join(str(p) for p in list(e.absolute_schema_path)[-2:])
            self.check("schema", False, case, "%d body invalid (%s at %s)" % (
                st, rule, re.sub(r"/\d+", "/N", where)),
                "%s: %s" % (where, e.message[:300]), resp)
        else:
            self.passed += 1
        if isinstance(value, dict) and st >= 400 and mt == "application/problem+json":
            self._problem_fields(case, resp, value)

    def _text(self, case, resp, mt, text, first_line=None):
        if mt == "text/calendar":
            self.check("ics", text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith(
                "END:VCALENDAR\r\n"), case, "agenda not a VCALENDAR",
                "expected BEGIN:VCALENDAR ... END:VCALENDAR with CRLF", resp)
        elif mt == "text/csv":
            self.check("csv", first_line is not None and text.split("\n", 1)[0] == first_line, case,
                       "CSV without its header row",
                       "the first line: %r, documented: %r" % (text[:80], first_line), resp)

    def _problem(self, case, resp):
        """An error answer outside the documented ones must still be a problem document."""
        mt = media_type(resp.header("content-type"))[0]
        if not self.check("problem media", mt == "application/problem+json", case,
                          "%d not a problem document" % resp.status,
                          "Content-Type %r" % resp.header("content-type"), resp):
            return
        try:
            value = strict_json(resp.body)
        except ValueError as e:
            self.check("json", False, case, "%d problem not JSON" % resp.status, str(e), resp)
            return
        errs = self.spec.errors(self.spec.schema("Problem"), value)
        self.check("problem schema", not errs, case, "%d problem invalid" % resp.status,
                   errs[0].message[:300] if errs else "", resp)
        if isinstance(value, dict):
            self._problem_fields(case, resp, value)

    def _problem_fields(self, case, resp, value):
        st = resp.status
        self.check("problem status", value.get("status") == st, case,
                   "problem status member differs",
                   "status member %r in a %d" % (value.get("status"), st), resp)
        slug = str(value.get("type", "")).rsplit(":", 1)[-1]
        self.check("problem type", slug in PROBLEM_SLUGS.get(st, {slug}), case,
                   "%d with type %s" % (st, slug), "type %r" % value.get("type"), resp)
        self.check("problem instance", value.get("instance") == case.path, case,
                   "problem instance is not the path",
                   "instance %r, the path %r" % (value.get("instance"), case.path), resp)
        if st == 503:
            self.check("retry-after", (resp.header("retry-after") or "").isdigit(), case,
                       "503 without Retry-After", "Retry-After %r" % resp.header("retry-after"),
                       resp)
        if st == 401:
            self.check("www-authenticate", resp.header("www-authenticate") == "Bearer", case,
                       "401 without WWW-Authenticate: Bearer",
                       "WWW-Authenticate %r" % resp.header("www-authenticate"), resp)


def short(data, n=300):
    if data is None:
        return ""
    if isinstance(data, bytes):
        text = data[:n].decode("utf-8", "backslashreplace")
    else:
        text = str(data)[:n]
    more = len(data) - n
    return text + ("... (%d more bytes)" % more if more > 0 else "")


# ---- what the fixtures hold ----


class World:
    """Ids to put in requests: the fixtures', the tokens' subjects, and those learnt on the way."""

    def __init__(self, fixtures, tokens):
        self.fixtures = fixtures
        self.tokens = tokens
        self.companies = self._jsonl("companies.jsonl")
        self.investors = self._jsonl("investors.jsonl")
        self.events = {}
        for name in sorted(os.listdir(os.path.join(fixtures, "events"))):
            with open(os.path.join(fixtures, "events", name), encoding="utf-8") as f:
                e = json.load(f)
            self.events[e["id"]] = e
        with open(os.path.join(fixtures, "taxonomy.json"), encoding="utf-8") as f:
            tax = json.load(f)
        self.taxonomy = {k: [t["id"] if isinstance(t, dict) else t for t in v]
                         for k, v in tax.items() if isinstance(v, list)}
        self.event_id = tokens["organiser"]["subject"]
        ev = self.events[self.event_id]
        self.participants = {k: [p["id"] for p in ev["participants"] if p["kind"] == k]
                             for k in ("company", "investor")}
        self.request_ids, self.pending_ids, self.meeting_ids = [], [], []
        self.made = {"company": [], "investor": [], "event": []}  # made by the fuzzer

    def _jsonl(self, name):
        out = {}
        with open(os.path.join(self.fixtures, name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    out[d["id"]] = d
        return out

    def outsider(self, kind):
        """A fixture profile that does not attend the event."""
        pool = self.companies if kind == "company" else self.investors
        return next(i for i in sorted(pool) if i not in self.participants[kind])

    def ids_for(self, kind, role):
        """Valid path ids of a kind as a role would use them: its own, a participant's, an
        outsider's."""
        own = self.tokens.get(role, {}).get("subject")
        ids = [own] if role == kind and own else []
        ids += [self.participants[kind][1], self.outsider(kind)]
        return ids


# ---- values from schemas ----


ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"


class Generator:
    def __init__(self, spec, world, rng):
        self.spec, self.world, self.rng = spec, world, rng

    def types(self, schema):
        t = schema.get("type")
        if t is None:
            return []
        return [t] if isinstance(t, str) else list(t)

    def value(self, schema, depth=0):
        """A value valid under schema, as far as a schema says (taxonomy ids come from the
        taxonomy; cross-field rules may still fail, which the daemon answers with 422)."""
        rng = self.rng
        schema = self.spec.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return rng.choice([v for v in schema["enum"] if v is not None])
        if "anyOf" in schema or "oneOf" in schema:
            return self.value(rng.choice(schema.get("anyOf", schema.get("oneOf"))), depth)
        types = [t for t in self.types(schema) if t != "null"] or ["string"]
        t = rng.choice(types)
        if t == "string":
            return self._string(schema)
        if t == "integer":
            lo, hi = schema.get("minimum", 0), schema.get("maximum", 1000)
            return rng.choice([lo, hi, rng.randint(lo, hi)])
        if t == "number":
            lo, hi = schema.get("minimum", 0), schema.get("maximum", 1000)
            return round(rng.uniform(lo, hi), 3)
        if t == "boolean":
            return rng.choice([True, False])
        if t == "array":
            n = 0 if depth > 2 else rng.randint(0, min(3, schema.get("maxItems", 3)))
            items = [self.value(schema.get("items", {}), depth + 1) for _ in range(n)]
            if schema.get("uniqueItems") or "x-tavolo-taxonomy" in self.spec.resolve(
                    schema.get("items", {})):
                items = [json.loads(s) for s in dict.fromkeys(json.dumps(i) for i in items)]
            return items
        return self.object(schema, depth)

    def object(self, schema, depth=0):
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        out = {}
        for name, sub in props.items():
            if name in required or (depth < 3 and self.rng.random() < 0.5):
                out[name] = self.value(sub, depth + 1)
        return out

    def _string(self, schema):
        rng = self.rng
        tax = schema.get("x-tavolo-taxonomy")
        if tax in self.world.taxonomy:
            return rng.choice(self.world.taxonomy[tax])
        pattern = schema.get("pattern", "")
        if schema.get("format") == "date" or pattern.startswith("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"):
            return "2027-01-11"
        if pattern.startswith("^(([01]"):
            return rng.choice(["09:00", "12:30", "17:00"])
        if pattern.startswith("^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01]"):
            return rng.choice(["2027-01-11T09:30", "2027-01-12T14:30"])
        if pattern == "^[A-Z]{2}$":
            return rng.choice(self.world.taxonomy["countries"])
        if "@" in pattern:
            return "fz%d@fuzz.example" % rng.randint(0, 999)
        examples = schema.get("examples")
        if examples and rng.random() < 0.5:
            return str(rng.choice(examples))
        lo = max(schema.get("minLength", 1), 1)
        hi = min(schema.get("maxLength", 24), 24)
        return "fz-" + "".join(rng.choice(ID_CHARS) for _ in range(max(lo, rng.randint(1, hi))))

    def mutants(self, schema, core_only=False):
        """(label, value) pairs that break schema, or probe its edges: every field gets these."""
        schema = self.spec.resolve(schema)
        types = set(self.types(schema))
        out = [("null", None), ("true", True), ("2^63", 2 ** 63), ("-2^63-1", -(2 ** 63) - 1),
               ("1e400", Raw(b"1e400")), ("\"\"", ""), ("{}", {}), ("\"\\u0000\"", "a\u0000b"),
               ("invalid UTF-8", Raw(b'"\xff\xc3(\xa0"'))]
        if "string" in types or not types:
            out += [("12345", 12345), ("[\"x\"]", ["x"])]
        else:
            out += [("\"12\"", "12")]
        if core_only:
            return out
        out += [("-1", -1), ("0", 0), ("1.5", 1.5), ("-1e400", Raw(b"-1e400")),
                ("1e308", 1e308), ("[]", []), ("[null]", [None]),
                ("{\"zz\": 1}", {"zz_unknown": 1}),
                ("long string", "x" * 5000), ("non-ASCII", "Ünïcødé ✓ 🙂 中文 \u202e"),
                ("lone surrogate", Raw(b'"\\ud800"')), ("spaces", "   "),
                ("unknown id", "zz-not-a-term")]
        for bound, delta in (("minimum", -1), ("maximum", 1)):
            if bound in schema:
                out.append(("%s%+d" % (bound, delta), schema[bound] + delta))
        if "maxLength" in schema:
            out.append(("maxLength+1", "a" * (schema["maxLength"] + 1)))
        return out

    def id_mutants(self, schema):
        """For a member holding an id: the edges of the 64 characters a path id may have."""
        schema = self.spec.resolve(schema)
        if "A-Za-z0-9._:/-" not in schema.get("pattern", ""):
            return []
        return [("64 id characters", "i" * 64), ("65 id characters", "i" * 65),
                ("an id with a slash", "fz/" + "s" * 8)]

    def fields(self, schema, value, pointer=(), depth=0):
        """(pointer, schema, required) for every member the schema defines, recursing into
        present objects and the first item of present arrays."""
        schema = self.spec.resolve(schema)
        if "anyOf" in schema:
            schema = self.spec.resolve(schema["anyOf"][0])
        required = set(schema.get("required", []))
        for name, sub in schema.get("properties", {}).items():
            sub = self.spec.resolve(sub)
            here = pointer + (name,)
            yield here, sub, name in required
            v = value.get(name) if isinstance(value, dict) else None
            if depth >= 2:
                continue
            if isinstance(v, dict):
                yield from self.fields(sub, v, here, depth + 1)
            elif isinstance(v, list) and v and "items" in sub:
                item = self.spec.resolve(sub["items"])
                if item.get("type") == "object" or "properties" in item:
                    yield from self.fields(item, v[0], here + (0,), depth + 1)


def set_at(doc, pointer, value, remove=False):
    """A copy of doc with the member at pointer (a tuple) set or removed."""
    doc = copy.deepcopy(doc)
    node = doc
    for p in pointer[:-1]:
        node = node[p]
    if remove:
        node.pop(pointer[-1], None)
    else:
        node[pointer[-1]] = value
    return doc


def jptr(pointer):
    return "/" + "/".join(str(p) for p in pointer)


# ---- the cases ----


def quote(segment):
    return urllib.parse.quote(segment, safe="")


# Path segments as sent (already percent-encoded): invalid, long and traversal-like ids.
BAD_IDS = [
    "%FF", "%C3", "%C3%28", "%F0%9F%99%82", "%00", "a%00b", "%2F", "a%2Fb", "..", "%2E%2E",
    "..%2F..%2Fetc%2Fpasswd", "%2E%2E%2F%2E%2E%2Fv1%2Fcompanies", "%", "%G1", "%25", "%20",
    "a%0Ab", "%27%3B%20DROP%20TABLE%20companies%3B--", "x" * 65, "y" * 300, "z" * 5000,
    "unknown-id", "%E2%80%AE", "%7B%7D", "-", ".",
]
BAD_INTS = ["0", "-1", "9223372036854775808", "99999999999999999999", "1e400", "abc", "1.5",
            "%FF", "%20" + "1", "01", "0x10", "x" * 300]
# Whole bodies that are not what any route takes.
BAD_BODIES = [
    ("empty", b""), ("not JSON", b"{"), ("garbage", b"nul"), ("trailing", b"{}x"),
    ("array", b"[]"), ("string", b'"x"'), ("number", b"1"), ("null", b"null"),
    ("invalid UTF-8", b'{"id": "\xff\xfe"}'), ("BOM", b"\xef\xbb\xbf{}"),
    ("deep nesting", b"[" * 5000 + b"]" * 5000), ("deep objects", b'{"a":' * 3000 + b"1" +
                                                  b"}" * 3000),
    ("duplicate keys", b'{"id": "a", "id": "b"}'), ("NaN", b'{"x": NaN}'),
    ("NUL byte", b'{"id": "a\x00b"}'),
]
BAD_CTYPES = ["text/plain", None, "application/x-www-form-urlencoded", "multipart/form-data",
              "application/json-patch+json", "application/jsonx", "application/xml", "",
              "application/json; charset=latin1", "APPLICATION/JSON", "*/*"]


class Builder:
    """Makes the cases of each phase."""

    def __init__(self, spec, world, gen, rng, max_body):
        self.spec, self.world, self.gen, self.rng = spec, world, gen, rng
        self.max_body = max_body
        self.serial = 0

    def op(self, op_id):
        return next(o for o in self.spec.ops if o.op_id == op_id)

    def path(self, op, values):
        """op's path with its parameters, values already percent-encoded."""
        path = op.template
        for name, v in values.items():
            path = path.replace("{%s}" % name, v)
        return path

    def fresh(self, prefix):
        self.serial += 1
        return "%s-%d" % (prefix, self.serial)

    # --- valid parameters ---

    def path_values(self, op, role):
        """Sets of valid path parameter values (encoded) for op and role."""
        w = self.world
        t = op.template
        if t.startswith("/v1/companies/{id}"):  # a pair's other side: an investor of the event
            return [dict({"id": quote(i)}, **({"investor": quote(w.participants["investor"][1])}
                                              if "{investor}" in t else {}))
                    for i in w.ids_for("company", role)]
        if t.startswith("/v1/investors/{id}"):
            return [dict({"id": quote(i)}, **({"company": quote(w.participants["company"][1])}
                                              if "{company}" in t else {}))
                    for i in w.ids_for("investor", role)]
        if "{rid}" in t:
            rids = w.pending_ids or w.request_ids or [1]
            return [{"id": quote(w.event_id), "rid": str(self.rng.choice(rids))}]
        if "{mid}" in t:
            return [{"id": quote(w.event_id), "mid": str(self.rng.choice(w.meeting_ids or [1]))}]
        if "{feed}" in t:
            # Feeds are made by a signed-in person (api.calendar_feed reads real ones): here
            # a well-formed token that names none, which is 404.
            return [{"feed": "A" * 43 + ".ics"}]
        if "{id}" in t:
            others = [e for e in sorted(w.events) if e != w.event_id]
            return [{"id": quote(w.event_id)}] + [{"id": quote(e)} for e in others[:1]]
        return [{}]

    def query_values(self, op, role):
        """A few valid query strings for op and role."""
        out = [""]
        names = [p["name"] for p in op.query_params]
        # x-tavolo-required-for: the roles that must give the parameter (an admin names the
        # participant whose availability it reads; a participant token is that participant).
        must = [p for p in op.query_params
                if p.get("required") or role in p.get("x-tavolo-required-for", ())]
        if must:
            out = []
        for _ in range(3 if names else 0):
            parts = []
            for p in op.query_params:
                if p in must or self.rng.random() < 0.5:
                    parts.append("%s=%s" % (p["name"], quote(str(self.param_value(p, role)))))
            out.append("&".join(parts))
        return out

    def param_value(self, p, role):
        w = self.world
        name = p["name"]
        if name == "event":
            return w.event_id
        if name == "date":
            return self.rng.choice([datetime.date.today().isoformat(), "2027-01-11"])
        if name == "after":
            return self.rng.choice(sorted(w.companies))
        if name == "participant":
            return w.tokens.get(role, {}).get("subject") or w.participants["company"][0]
        return self.gen.value(p.get("schema", {}))

    # --- phase A: learn the ids the event routes need ---

    def discovery(self):
        w = self.world
        ev = quote(w.event_id)
        return [
            Case(self.op("listRequests"), "GET", "/v1/events/%s/requests" % ev, "admin",
                 want={200}, essential=True),
            Case(self.op("scheduleEvent"), "POST", "/v1/events/%s/schedule" % ev, "admin",
                 want={200}, essential=True),
            Case(self.op("listMeetings"), "GET", "/v1/events/%s/meetings" % ev, "admin",
                 want={200}, essential=True),
        ]

    # --- phase B: reads ---

    def reads(self):
        cases = []
        for op in self.spec.ops:
            if op.method != "GET":
                continue
            cases += self.valid_cases(op)
            cases += self.query_mutants(op)
            cases += self.path_mutants(op)
        return cases

    def valid_cases(self, op):
        cases = []
        for role in ROLES:
            for values in self.path_values(op, role):
                for q in self.query_values(op, role):
                    body, ctype = self.valid_body(op, role, values)
                    want = None
                    if op.secured and role in ("none", "bad"):
                        want = {401}
                    elif role == "admin" and op.method == "GET" and not q:
                        # A feed's token and a draft exist only once made: 404 until then.
                        want = ({404} if "{feed}" in op.template else
                                {200, 404} if op.template.endswith("/draft") else {200})
                    cases.append(Case(op, op.method, self.path(op, values), role, q, body, ctype,
                                      "valid", want))
        return cases

    def query_mutants(self, op):
        cases = []
        values = self.path_values(op, "admin")[0]
        path = self.path(op, values)
        base = self.query_values(op, "admin")[0]
        bad_values = ["", "x", "-1", "0", "201", "9223372036854775808", "1e400", "x" * 5000,
                      "%FF", "%00", "%C3", "%", "%G1", "a%26b%3Dc", "%E2%80%AE", "true%00"]
        queries = []
        for p in op.query_params:
            n = p["name"]
            queries += ["%s=%s" % (n, v) for v in bad_values]
            ok = quote(str(self.param_value(p, "admin")))
            queries += ["%s=%s&%s=%s" % (n, ok, n, ok), n, "%s=%s&%s" % (n, ok, n),
                        "%s=%s&zz=1" % (n, ok), n.upper() + "=" + ok]
        queries += ["zz=1", "zz", "&", "&&", "=", "=x", "%FF=1", "a=1;b=2", "x" * 8000 + "=1",
                    base + "&" if base else "", "&" + base if base else "", "%00=1"]
        for q in queries:
            if not q:
                continue
            for role in self.rng.sample(ROLES, 2) + ["admin"]:
                cases.append(Case(op, op.method, path, role, q, None, None, "query " + q[:60]))
        return cases

    def path_mutants(self, op):
        cases = []
        if not op.path_params:
            return cases
        valid = self.path_values(op, "admin")[0]
        for p in op.path_params:
            ints = p.get("schema", {}).get("type") == "integer"
            for bad in (BAD_INTS if ints else BAD_IDS):
                values = dict(valid, **{p["name"]: bad})
                role = self.rng.choice(ROLES[:4]) if self.rng.random() < 0.5 else "admin"
                body, ctype = self.valid_body(op, role, values)
                cases.append(Case(op, op.method, self.path(op, values), role, "", body, ctype,
                                  "path %s=%s" % (p["name"], bad[:40])))
        return cases

    # --- bodies ---

    def valid_body(self, op, role, values):
        """(body bytes, content type) of a valid request to op at values, for role."""
        if op.body is None:
            return None, None
        doc = self.base_body(op, role, values)
        ctype = self.rng.choice(sorted(op.body))
        return dump(doc), ctype

    def base_body(self, op, role, values):
        """A valid body, from the fixtures where there is one."""
        w = self.world
        pid = urllib.parse.unquote(values.get("id", ""))
        if op.op_id in ("createCompany", "putCompany"):
            own = w.tokens["company"]["subject"]
            doc = copy.deepcopy(w.companies.get(pid) or w.companies[own if role == "company"
                                                                    else "c-001"])
            if op.op_id == "createCompany":
                doc["id"] = own if role == "company" else self.fresh("fz-c")
            else:
                doc["id"] = pid
            return doc
        if op.op_id in ("createInvestor", "putInvestor"):
            own = w.tokens["investor"]["subject"]
            doc = copy.deepcopy(w.investors.get(pid) or w.investors[own if role == "investor"
                                                                    else "i-001"])
            if op.op_id == "createInvestor":
                doc["id"] = own if role == "investor" else self.fresh("fz-i")
            else:
                doc["id"] = pid
            return doc
        if op.op_id == "patchCompany":
            return {"round": "series_a", "raise_eur": 12000000, "city": "Siena"}
        if op.op_id == "patchInvestor":
            return {"ticket_max_eur": 12000000, "horizon_years": None}
        if op.op_id in ("createEvent", "putEvent"):
            if op.op_id == "putEvent" and pid in w.events:
                return copy.deepcopy(w.events[pid])
            doc = self.small_event()
            doc["id"] = pid if op.op_id == "putEvent" else self.fresh("fz-ev")
            return doc
        if op.op_id == "createRequest":
            return self.request_body(role)
        if op.op_id == "patchMeeting":
            return self.rng.choice([{"status": "locked"}, {"status": "held"},
                                    {"slot": "2027-01-12T14:30", "table": 4}, {}])
        schema = op.body[sorted(op.body)[0]]
        return self.gen.value(schema)

    def small_event(self):
        """The organiser's event cut to a few participants and requests: cheaper to write."""
        w = self.world
        ev = copy.deepcopy(w.events[w.event_id])
        keep = {p for r in ev["requests"][:4] for p in (r["company_id"], r["investor_id"])}
        keep |= {w.tokens["company"]["subject"], w.tokens["investor"]["subject"]}
        ev["participants"] = [p for p in ev["participants"] if p["id"] in keep]
        ev["requests"] = ev["requests"][:4]
        return ev

    def request_body(self, role):
        w = self.world
        co = w.tokens["company"]["subject"] if role == "company" else self.rng.choice(
            w.participants["company"])
        inv = w.tokens["investor"]["subject"] if role == "investor" else self.rng.choice(
            w.participants["investor"])
        doc = {"company_id": co, "investor_id": inv, "priority": self.rng.choice(["must", "want"]),
               "message": "Fuzz %d" % self.rng.randint(0, 9999)}
        if role in ("admin", "organiser") or self.rng.random() < 0.3:
            doc["from"] = self.rng.choice(["company", "investor"])
        return doc

    # --- phase C: writes ---

    def writes(self):
        """Valid and mutated writes, shuffled; then those on the fixture event (restored)."""
        main, late = [], []
        for op in self.spec.ops:
            if op.method not in ("POST", "PUT", "PATCH"):
                continue
            main += self.valid_cases(op)
            main += self.generated_bodies(op)
            main += self.path_mutants(op)
            main += self.query_mutants(op)[:12]
            main += self.body_mutants(op)
            main += self.header_mutants(op)
            main += self.whole_body_mutants(op)
            if op.op_id == "putEvent":
                late += self.organiser_event_mutants(op)
        return main, late

    def target(self, op):
        """(role, path values) a body mutant is sent as: mostly admin on a record of the
        fuzzer's own; sometimes another role on what it may write."""
        w = self.world
        roll = self.rng.random()
        if op.op_id in ("putCompany", "patchCompany"):
            if roll < 0.2:
                return "company", {"id": quote(w.tokens["company"]["subject"])}
            return "admin", {"id": "fz-c-put"}
        if op.op_id in ("putInvestor", "patchInvestor"):
            if roll < 0.2:
                return "investor", {"id": quote(w.tokens["investor"]["subject"])}
            return "admin", {"id": "fz-i-put"}
        if op.op_id == "putEvent":
            return "admin", {"id": "fz-ev-put"}
        role = "admin" if roll < 0.7 else self.rng.choice(ROLES[:4])
        return role, self.path_values(op, role)[0]

    def body_mutants(self, op):
        cases = []
        if op.body is None:
            return cases
        medias = sorted(op.body)
        role, values = self.target(op)
        base = self.base_body(op, role, values)
        schema = op.body[medias[0]]
        fields = list(self.gen.fields(schema, base))
        for pointer, sub, required in fields:
            nested = any(isinstance(p, int) for p in pointer)
            values = self.gen.mutants(sub, core_only=True) + self.gen.id_mutants(sub)
            if not nested:
                rest = self.gen.mutants(sub)[len(self.gen.mutants(sub, core_only=True)):]
                values += self.rng.sample(rest, min(4, len(rest)))
            for label, v in values:
                role, values = self.target(op)
                doc = self.base_body(op, role, values)
                if not self.reachable(doc, pointer):
                    continue
                doc = set_at(doc, pointer, v)
                cases.append(Case(op, op.method, self.path(op, values), role, "", dump(doc),
                                  self.rng.choice(medias), "%s := %s" % (jptr(pointer), label)))
            if required:
                role, values = self.target(op)
                doc = self.base_body(op, role, values)
                if self.reachable(doc, pointer):
                    cases.append(Case(op, op.method, self.path(op, values), role, "",
                                      dump(set_at(doc, pointer, None, remove=True)),
                                      medias[0], "%s removed" % jptr(pointer)))
        role, values = self.target(op)
        doc = self.base_body(op, role, values)
        if isinstance(doc, dict):
            cases.append(Case(op, op.method, self.path(op, values), role, "",
                              dump(dict(doc, zz_unknown={"a": [1, None]})), medias[0],
                              "unknown member /zz_unknown"))
        return cases

    def header_mutants(self, op):
        """Odd values of the header parameters an operation takes (If-Match)."""
        cases = []
        for p in op.header_params:
            for value in [b"*", b'"nope"', b'W/"x"', b"", b"garbage", b'"a", "b"', b"x" * 5000,
                          b'"\xff"', b",", b'"' + b"0" * 64 + b'"']:
                role, values = self.target(op)
                body, ctype = self.valid_body(op, role, values)
                c = Case(op, op.method, self.path(op, values), role, "", body, ctype,
                         "%s: %s" % (p["name"], short(value, 40)))
                c.headers[p["name"]] = value
                cases.append(c)
        return cases

    def reachable(self, doc, pointer):
        node = doc
        for p in pointer[:-1]:
            if isinstance(p, int):
                if not isinstance(node, list) or len(node) <= p:
                    return False
            elif not isinstance(node, dict) or p not in node:
                return False
            node = node[p]
        return isinstance(node, dict)

    def generated_bodies(self, op):
        """Bodies made from the request schema alone."""
        cases = []
        if op.body is None:
            return cases
        for media in sorted(op.body):
            for _ in range(4):
                role, values = self.target(op)
                doc = self.gen.value(op.body[media])
                if isinstance(doc, dict) and "id" in doc and "id" in values and op.method == "PUT":
                    doc["id"] = urllib.parse.unquote(values["id"])
                cases.append(Case(op, op.method, self.path(op, values), role, "", dump(doc),
                                  media, "generated from the schema"))
        return cases

    def whole_body_mutants(self, op):
        cases = []
        role, values = self.target(op)
        path = self.path(op, values)
        media = sorted(op.body)[0] if op.body else "application/json"
        for label, body in BAD_BODIES:
            cases.append(Case(op, op.method, path, role, "", body, media, "body: " + label))
        valid, _ = self.valid_body(op, role, values)
        valid = valid if valid is not None else b"{}"
        for ctype in BAD_CTYPES:
            cases.append(Case(op, op.method, path, role, "", valid, ctype,
                              "Content-Type: %r" % ctype))
        big = b'{"x": "' + b"a" * self.max_body + b'"}'
        cases.append(Case(op, op.method, path, role, "", big, media,
                          "body of %d bytes (over --max-body)" % len(big), want={413}))
        cases.append(Case(op, op.method, path, "none", "", big, "text/plain",
                          "over --max-body, no token, text/plain", want={413}))
        return cases

    def organiser_event_mutants(self, op):
        """The organiser rewriting its own event with broken files; the fixture is put back
        after them."""
        w = self.world
        path = "/v1/events/" + quote(w.event_id)
        base = w.events[w.event_id]
        cases = []
        for pointer, sub, required in self.gen.fields(op.body["application/json"], base):
            if not any(isinstance(p, int) for p in pointer):
                for label, v in self.gen.mutants(sub, core_only=True)[:4]:
                    cases.append(Case(op, "PUT", path, "organiser", "",
                                      dump(set_at(base, pointer, v)), "application/json",
                                      "%s := %s" % (jptr(pointer), label)))
        cases.append(Case(op, "PUT", path, "admin", "", dump(base), "application/json",
                          "the fixture put back", want={200}, essential=True))
        return cases

    # --- phase D: methods, unknown paths, raw requests ---

    def methods(self):
        cases = []
        for template, allowed in self.spec.methods.items():
            op = next(o for o in self.spec.ops if o.template == template)
            path = self.path(op, self.path_values(op, "admin")[0])
            for method in METHODS + ("FOO",):
                if method in allowed:
                    continue
                role = self.rng.choice(ROLES)
                body = b"{}" if method in ("POST", "PUT", "PATCH") else None
                c = Case(None, method, path, role, "", body, "application/json" if body else None,
                         "method not served")
                c.template = template
                cases.append(c)
        # "/" and the pages' paths answer the page shell on GET (docs/web.md): not unknown.
        for path in ["/web/nothing.js", "/web/..%2Findex.html", "/matches/x", "/v1", "/v1/", "/v1/nothing", "/v1/companies/", "/v1/companies//x",
                     "/V1/companies", "/v1/companies/c-001/", "/v1/companies/c-001/nothing",
                     "/v1/events/a/b/c/d/e", "/v1/companies/..%2F..%2Fhealthz", "/healthz/",
                     "/v1/events/x/requests/1/accept/more", "/" + "a/" * 500,
                     "/v1/companies/" + "%FF" * 300, "/metrics/x", "/v1/digests/x"]:
            for method in ("GET", "POST", "DELETE"):
                role = self.rng.choice(ROLES)
                body = b"{}" if method == "POST" else None
                # Some of these do fit a template (an id may hold "..%2F"): then they are held
                # to its operation, or get its 405.
                template = self.spec.template_of(path)
                op = next((o for o in self.spec.ops if o.template == template and
                           o.method == method), None)
                c = Case(op, method, path, role, "", body, "application/json" if body else None,
                         "unknown path")
                c.template = template
                cases.append(c)
        return cases

    def raw(self, tokens):
        """Requests http.client will not send: raw bytes in the path, odd framing, headers."""
        admin = tokens["admin"]["token"].encode()
        auth = b"Authorization: Bearer " + admin + b"\r\n"
        host = b"Host: 127.0.0.1\r\n"
        cases = []
        for label, data in [
            ("raw invalid UTF-8 path", b"GET /v1/companies/\xff\xfe HTTP/1.1\r\n" + host + auth +
             b"Connection: close\r\n\r\n"),
            ("raw UTF-8 path", b"GET /v1/companies/caf\xc3\xa9 HTTP/1.1\r\n" + host + auth +
             b"Connection: close\r\n\r\n"),
            ("two Authorization headers", b"GET /v1/companies/c-001 HTTP/1.1\r\n" + host + auth +
             b"Authorization: Bearer " + BAD_TOKEN.encode() + b"\r\nConnection: close\r\n\r\n"),
            ("Basic auth", b"GET /v1/companies/c-001 HTTP/1.1\r\n" + host +
             b"Authorization: Basic YTpi\r\nConnection: close\r\n\r\n"),
            ("a 20000-byte token", b"GET /v1/companies/c-001 HTTP/1.1\r\n" + host +
             b"Authorization: Bearer tv_" + b"A" * 20000 + b"\r\nConnection: close\r\n\r\n"),
            ("Bearer with no token", b"GET /v1/companies/c-001 HTTP/1.1\r\n" + host +
             b"Authorization: Bearer\r\nConnection: close\r\n\r\n"),
            ("HTTP/1.0 without Host", b"GET /v1/events HTTP/1.0\r\n" + auth + b"\r\n"),
            ("chunked body", b"POST /v1/companies HTTP/1.1\r\n" + host + auth +
             b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
             b"Connection: close\r\n\r\n3\r\n{\"i\r\n0\r\n\r\n"),
            ("Content-Length smaller than the body", b"PUT /v1/companies/fz-raw HTTP/1.1\r\n" +
             host + auth + b"Content-Type: application/json\r\nContent-Length: 2\r\n"
             b"Connection: close\r\n\r\n{}{\"id\": 1}"),
            ("absolute URI", b"GET http://127.0.0.1/v1/events HTTP/1.1\r\n" + host + auth +
             b"Connection: close\r\n\r\n"),
        ]:
            path = as_instance(data.split(b" ")[1])
            c = Case(None, data.split(b" ")[0].decode(), path, "admin", "", None, None,
                     label, raw=data)
            cases.append(c)
        return cases

    # --- phase F: deletions, and what is left after them ---

    def deletions(self):
        w = self.world
        cases = []
        for op in self.spec.ops:
            if op.method != "DELETE":
                continue
            cases += self.path_mutants(op)
            for role in ROLES[1:]:
                values = self.path_values(op, role)[0]
                cases.append(Case(op, "DELETE", self.path(op, values), role, "", None, None,
                                  "valid, not admin"))
        made = [("deleteCompany", "/v1/companies/", w.made["company"]),
                ("deleteInvestor", "/v1/investors/", w.made["investor"]),
                ("deleteEvent", "/v1/events/", w.made["event"])]
        for op_id, prefix, ids in made:
            for i in ids[:40]:
                cases.append(Case(self.op(op_id), "DELETE", prefix + quote(i), "admin", "", None,
                                  None, "made by the fuzzer", want={204, 404}))
        # Profiles that attend the event, then the event's routes with them gone.
        co = w.participants["company"][2]
        inv = w.participants["investor"][2]
        cases.append(Case(self.op("deleteCompany"), "DELETE", "/v1/companies/" + quote(co),
                          "admin", "", None, None, "a participant", want={204}))
        cases.append(Case(self.op("deleteInvestor"), "DELETE", "/v1/investors/" + quote(inv),
                          "admin", "", None, None, "a participant", want={204}))
        return cases

    def after_deletions(self):
        """The event's routes once participants are gone; then the other event deleted, and
        the company token's own profile."""
        w = self.world
        cases = []
        for op in self.spec.ops:
            if op.template.startswith("/v1/events/{id}") and op.method in ("GET", "POST"):
                cases += [c for c in self.valid_cases(op) if c.role in ("admin", "organiser",
                                                                        "company")]
        other = next(e for e in sorted(w.events) if e != w.event_id)
        cases.append(Case(self.op("deleteEvent"), "DELETE", "/v1/events/" + quote(other), "admin",
                          "", None, None, "a fixture event", want={204}))
        cases.append(Case(self.op("getEvent"), "GET", "/v1/events/" + quote(other), "admin",
                          want={404}))
        own = w.tokens["company"]["subject"]
        cases.append(Case(self.op("deleteCompany"), "DELETE", "/v1/companies/" + quote(own),
                          "admin", "", None, None, "the company token's own", want={204}))
        for op in self.spec.ops:
            if op.method == "GET":
                cases += [c for c in self.valid_cases(op) if c.role == "company"]
        return cases

    def rereads(self):
        """Every GET as admin and as the organiser, after the writes."""
        cases = []
        w = self.world
        extra = [e for e in w.made["event"][:3]]
        for op in self.spec.ops:
            if op.method != "GET":
                continue
            cases += [c for c in self.valid_cases(op) if c.role in ("admin", "organiser")]
            if op.op_id == "getEvent":
                for e in extra + ["fz-ev-put"]:
                    cases.append(Case(op, "GET", "/v1/events/" + quote(e), "admin"))
            if op.op_id in ("getCompany", "getInvestor"):
                kind = "c" if op.op_id == "getCompany" else "i"
                cases.append(Case(op, "GET", op.template.replace("{id}", "fz-%s-put" % kind),
                                  "admin"))
        return cases


# ---- running ----


class Runner:
    def __init__(self, args, spec, world, daemon, builder):
        self.args, self.spec, self.world = args, spec, world
        self.daemon, self.builder = daemon, builder
        self.client = Client(daemon, world.tokens)
        self.checker = Checker(spec)
        self.sent = 0
        self.notes = []
        self.save_n = 0
        self.start = time.monotonic()

    def run_case(self, case):
        resp = self.client.send(case)
        self.sent += 1
        status = self.daemon.exit_status()
        if isinstance(resp, str) and status is None:
            time.sleep(0.2)  # a daemon that drops the connection may be on its way out
            status = self.daemon.exit_status()
        if status is None or not isinstance(resp, str):
            self.checker.response(case, resp)
        self.learn(case, resp)
        if status is None:
            self.checker.passed += 1
            return True
        tail = self.daemon.log_tail()
        self.checker.failures.append((case, "daemon %s" % status, "after this request the "
                                      "daemon %s; its log ends:\n%s" % (status, tail), resp))
        self.client.close()
        if self.daemon.starts > MAX_RESTARTS:
            return False
        self.daemon.start()
        self.notes.append("the daemon was started again after it %s" % status)
        return True

    def learn(self, case, resp):
        """Ids the later phases need: requests, meetings, what the fuzzer made."""
        if isinstance(resp, str) or case.op is None:
            return
        w = self.world
        mine = case.path.startswith("/v1/events/%s/" % quote(w.event_id))
        if resp.status == 200 and mine and case.op.op_id in ("listRequests", "listMeetings"):
            try:
                items = json.loads(resp.body)["items"]
            except (ValueError, KeyError, TypeError):
                return
            if case.op.op_id == "listRequests":
                w.request_ids = [i["id"] for i in items if isinstance(i, dict) and "id" in i]
                w.pending_ids = [i["id"] for i in items if isinstance(i, dict)
                                 and i.get("status") == "pending"]
            else:
                w.meeting_ids = [i["id"] for i in items if isinstance(i, dict) and "id" in i]
        if resp.status == 201:
            kind = {"createCompany": "company", "putCompany": "company",
                    "createInvestor": "investor", "putInvestor": "investor",
                    "createEvent": "event", "putEvent": "event"}.get(case.op.op_id)
            try:
                made = json.loads(resp.body).get("id")
            except (ValueError, AttributeError):
                made = None
            if kind and isinstance(made, str) and made not in w.made[kind]:
                w.made[kind].append(made)

    def phase(self, name, cases, deadline, shuffle=True):
        """Runs cases until they are done or the phase's deadline has passed."""
        if shuffle:
            self.builder.rng.shuffle(cases)
        done = 0
        t0 = time.monotonic()
        skipped = 0
        for case in cases:
            if not case.essential and (time.monotonic() > deadline or
                                       self.sent >= self.args.requests):
                skipped += 1
                continue
            if not self.run_case(case):
                self.notes.append("%s: the daemon kept dying; stopped" % name)
                return False
            done += 1
        if skipped:
            self.notes.append("%s: stopped by the %s budget after %d of %d requests" % (
                name, "time" if self.sent < self.args.requests else "request", done,
                len(cases)))
        print("# %-28s %5d requests in %5.1f s, %d failures so far" % (
            name, done, time.monotonic() - t0, len(self.checker.failures)), flush=True)
        return True

    def run(self):
        """The phases in order; cases are made when their phase starts, from what the phases
        before learnt (request and meeting ids, records made)."""
        b = self.builder
        writes = {}

        def make_writes():
            writes["main"], writes["late"] = b.writes()
            return writes["main"]

        # (name, make the cases, weight: its share of the time left, shuffle)
        steps = [
            ("discovery", b.discovery, 1, False),
            ("reads", b.reads, 20, True),
            ("writes", make_writes, 30, True),
            ("organiser event rewrites", lambda: writes.get("late", []), 3, False),
            ("methods and paths", lambda: b.methods() + b.raw(self.world.tokens), 3, True),
            ("reads after writes", b.rereads, 3, True),
            ("deletions", b.deletions, 3, True),
            ("after deletions", b.after_deletions, 3, False),
        ]
        for n, (name, make, weight, shuffle) in enumerate(steps):
            left = self.start + self.args.seconds - time.monotonic()
            share = weight / sum(s[2] for s in steps[n:])
            # Every phase gets a little time even when those before it used up the budget.
            deadline = time.monotonic() + max(left * share, self.args.seconds * 0.01)
            if not self.phase(name, make(), deadline, shuffle):
                break
        self.final()

    def final(self):
        """/healthz answers 200 at the end, and the daemon is still ours."""
        health = Case(self.spec_op("getHealth"), "GET", "/healthz", "none", want={200})
        if self.daemon.exit_status() is None:
            self.run_case(health)
        else:
            self.checker.failures.append((health, "daemon not running at the end",
                                          self.daemon.exit_status(), None))

    def sanitizer_reports(self):
        """A daemon built with -fsanitize reports into its log and may carry on (UBSan): each
        report is a failure."""
        try:
            with open(self.daemon.log_path, encoding="utf-8", errors="replace") as f:
                lines = f.readlines()
        except OSError:
            return
        where = Case(None, "-", "(the daemon's log)", "none", label="after the run")
        for n, line in enumerate(lines):
            if re.search(r"ERROR: (Address|Leak|Thread)Sanitizer|runtime error:", line):
                report = "".join(lines[n:n + 12])
                kind = re.sub(r"0x[0-9a-f]+|:\d+:\d+|\d+", "N", line.strip())[:70]
                self.checker.failures.append((where, "sanitizer: " + kind, report, None))

    def spec_op(self, op_id):
        return next(o for o in self.spec.ops if o.op_id == op_id)

    # --- the report ---

    def curl(self, case):
        """A command that sends case again (tokens as $ADMIN, $ORG, $INV, $CO)."""
        var = {"admin": "ADMIN", "organiser": "ORG", "investor": "INV", "company": "CO"}
        parts = ["curl -sS -i"]
        if case.raw is not None:
            return "printf %s | nc 127.0.0.1 $PORT" % shlex.quote(
                case.raw[:300].decode("latin-1").encode("unicode_escape").decode())
        if case.method != "GET":
            parts.append("-X " + case.method)
        if case.role in var:
            parts.append('-H "Authorization: Bearer $%s"' % var[case.role])
        elif case.role == "bad":
            parts.append("-H 'Authorization: Bearer %s'" % BAD_TOKEN)
        if case.ctype is not None:
            parts.append("-H " + shlex.quote("Content-Type: " + case.ctype))
        for name, value in case.headers.items():
            parts.append("-H " + shlex.quote("%s: %s" % (name, value.decode("latin-1"))))
        if case.body is not None:
            parts.append("--data-binary " + self.body_arg(case.body))
        parts.append('"$BASE"' + shlex.quote(case.target()))
        return " ".join(parts)

    def body_arg(self, body):
        if len(body) > 1500:
            if self.args.save:
                self.save_n += 1
                name = os.path.join(self.args.save, "body-%d.json" % self.save_n)
                with open(name, "wb") as f:
                    f.write(body)
                return "@" + name
            return "'<%d bytes>'" % len(body)
        try:
            text = body.decode("utf-8")
            if text.isprintable() or text == "":
                return shlex.quote(text)
        except UnicodeDecodeError:
            pass
        return "\"$(printf '%s')\"" % "".join(
            chr(c) if 32 <= c < 127 and chr(c) not in "'\\%" else "\\%03o" % c for c in body)

    def describe(self, case, kind, message, resp, full):
        """A failure: one line, then what was sent and answered (in full for the first few of
        a kind, cut short for the rest)."""
        print("not ok - %s %s as %s (%s): %s" % (case.method, short(case.target(), 120),
                                                 case.role, case.label[:80], kind))
        n = 1 if full else 0
        if full:
            print("#   %s" % message.replace("\n", "\n#   "))
        if case.body is not None:
            print("#   request body: %s" % short(case.body, (80, 200)[n]))
        if isinstance(resp, Response):
            print("#   answer: %d %s %s" % (resp.status, resp.header("content-type") or "",
                                            short(resp.body, (120, 300)[n])))
        if full:
            print("#   again: %s" % self.curl(case))

    def report(self):
        groups = {}
        for f in self.checker.failures:
            case, kind = f[0], f[1]
            groups.setdefault((case.key(), kind), []).append(f)
        for (key, kind), items in sorted(groups.items()):
            for n, (case, kind, message, resp) in enumerate(items):
                self.describe(case, kind, message, resp, n < DETAILS_PER_KIND or
                              self.args.verbose)
        for note in self.notes:
            print("# note: " + note)
        if groups:
            print("# failures by operation and kind (%d kinds):" % len(groups))
            for (key, kind), items in sorted(groups.items()):
                print("#   %-24s %-58s x%d" % (key, kind, len(items)))
                print("#     first: %s %s as %s (%s)" % (
                    items[0][0].method, short(items[0][0].target(), 100), items[0][0].role,
                    items[0][0].label[:80]))
                print("#     again: %s" % self.curl(items[0][0]))
        failed = len(self.checker.failures)
        print("# seed %d; %d requests in %.1f s; the daemon started %d time(s)" % (
            self.args.seed, self.sent, time.monotonic() - self.start, self.daemon.starts))
        print("%d passed, %d failed" % (self.checker.passed, failed))
        return failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tavolo", required=True)
    ap.add_argument("--spec", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--work", required=True, help="a directory for the daemon's log and port")
    ap.add_argument("--max-body", type=int, default=262144)
    ap.add_argument("--save", help="a directory to keep the long bodies of failing requests")
    args = ap.parse_args()
    args.seed = int(os.environ.get("TV_FUZZ_SEED", "20270111"))
    args.seconds = float(os.environ.get("TV_FUZZ_SECONDS", "55"))
    args.requests = int(os.environ.get("TV_FUZZ_REQUESTS", "20000"))
    args.verbose = os.environ.get("TV_FUZZ_VERBOSE", "") not in ("", "0")
    print("# seed %d (TV_FUZZ_SEED), %g s (TV_FUZZ_SECONDS), at most %d requests "
          "(TV_FUZZ_REQUESTS)" % (args.seed, args.seconds, args.requests), flush=True)

    if args.save:
        os.makedirs(args.save, exist_ok=True)
        for name in os.listdir(args.save):
            if re.fullmatch(r"body-\d+\.json", name):
                os.unlink(os.path.join(args.save, name))
    with open(args.tokens, encoding="utf-8") as f:
        tokens = json.load(f)
    spec = Spec(args.spec)
    world = World(args.fixtures, tokens)
    rng = random.Random(args.seed)
    builder = Builder(spec, world, Generator(spec, world, rng), rng, args.max_body)
    daemon = Daemon(args.tavolo, args.work, args.max_body)
    daemon.start()
    print("# the daemon listens on 127.0.0.1:%d; %d operations on %d paths" % (
        daemon.port, len(spec.ops), len(spec.methods)), flush=True)
    runner = Runner(args, spec, world, daemon, builder)
    try:
        runner.run()
    finally:
        runner.client.close()
        daemon.stop()
    runner.sanitizer_reports()
    return 0 if runner.report() else 1


if __name__ == "__main__":
    sys.exit(main())
