#!/usr/bin/python3
"""A real SMTP server for the mail tests and bench/mail.sh: Debian's aiosmtpd on loopback.

Every message it accepts is parsed with Python's email package and logged as one JSON line
(Message-ID, envelope, the connection it came on) to LOG; with --store DIR the raw message is
kept there too. Its behaviours, by option:
  --tempfail N   the first N messages get "451 4.3.0" at the end of DATA, then 250
  --drop N       the first N DATA commands lose the connection half way through the message
  --after-data N the first N messages are taken (and logged), then the connection drops before
                 the reply
  any recipient whose address starts with "bounce" gets "550 5.1.1" at RCPT.
  --cert CERT --key KEY  with --starttls: offers STARTTLS and refuses mail before it
                 (require_starttls); with --smtps: TLS from the first byte (implicit TLS)
  --auth USER:PASSWORD  requires AUTH (PLAIN or LOGIN, only over TLS) with that login; a
                 wrong one gets "535 5.7.8"; each message's log line names the user ("auth")
Writes the port it listens on to PORT_FILE once it accepts connections; stops on SIGTERM.
"""
import argparse
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class State:
    def __init__(self, args):
        self.tempfail = args.tempfail
        self.drop = args.drop
        self.after_data = args.after_data
        self.lock = threading.Lock()
        self.count = 0
        self.log = open(args.log, "a", buffering=1)
        self.store = args.store

    def take(self, name):
        with self.lock:
            left = getattr(self, name)
            if left > 0:
                setattr(self, name, left - 1)
                return True
            return False


class Handler:
    def __init__(self, state):
        self.state = state

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def record(self, server, session, envelope):
        st = self.state
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with st.lock:
            st.count += 1
            n = st.count
            if st.store:
                with open(os.path.join(st.store, "%06d.eml" % n), "wb") as f:
                    f.write(raw)
            st.log.write(json.dumps({
                "n": n,
                "message_id": (msg["Message-ID"] or "").strip(),
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "to": str(msg["To"] or ""),
                "subject": str(msg["Subject"] or ""),
                "peer": "%s:%s" % tuple(session.peer[:2]),
                "bytes": len(raw),
                "auth": session.login_data.decode() if isinstance(session.login_data, bytes)
                else session.login_data,
                "tls": server.transport.get_extra_info("ssl_object") is not None,
                "crlf": b"\r\n" in raw,
            }) + "\n")
        return n

    async def handle_DATA(self, server, session, envelope):
        st = self.state
        if st.take("tempfail"):
            return "451 4.3.0 try again later"
        n = self.record(server, session, envelope)
        if st.take("after_data"):
            server.transport.close()  # taken whole, never answered
            return "421 closing"
        return "250 2.0.0 OK queued as %d" % n


class DroppingSMTP(SMTP):
    """Loses the connection after the first line of the message, when asked to."""

    async def smtp_DATA(self, arg):
        if self.envelope.rcpt_tos and self.event_handler.state.take("drop"):
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readline()
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class RelayController(Controller):
    def factory(self):
        return DroppingSMTP(self.handler, **self.SMTP_kwargs)


class Authenticator:
    """Takes exactly one user and password (aiosmtpd's authenticator protocol)."""

    def __init__(self, login):
        user, _, password = login.partition(":")
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def tls_options(args):
    """The Controller's keywords for the TLS and AUTH options."""
    kw = {}
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        if args.smtps:
            kw["ssl_context"] = ctx
        else:
            kw["tls_context"] = ctx
            kw["require_starttls"] = True
    if args.auth:
        kw["authenticator"] = Authenticator(args.auth)
        kw["auth_required"] = True
        # Over TLS only; aiosmtpd counts only STARTTLS as TLS, so with implicit TLS (where
        # every byte is encrypted) the check is left to the listener.
        kw["auth_require_tls"] = not args.smtps
    return kw


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port_file")
    ap.add_argument("log")
    ap.add_argument("--store")
    ap.add_argument("--tempfail", type=int, default=0)
    ap.add_argument("--drop", type=int, default=0)
    ap.add_argument("--after-data", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--smtps", action="store_true")
    ap.add_argument("--auth")
    args = ap.parse_args()
    state = State(args)
    port = free_port()
    ctl = RelayController(Handler(state), hostname="127.0.0.1", port=port,
                          data_size_limit=10 * 1024 * 1024, **tls_options(args))
    ctl.start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(args.port_file + ".tmp", args.port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    ctl.stop()


if __name__ == "__main__":
    main()
