#!/usr/bin/python3
"""Prints the newest sign-in link sent to an address, read from a Maildir outbox as a mail
client would (python's email package: quoted-printable and all). scripts/run.sh uses it to
hand the demo's people their links; tests/web/webtest.py to sign its browsers in.

Usage: signin_link.py OUTBOX_DIR EMAIL   (OUTBOX_DIR is $TAVOLO_HOME/outbox)"""

import email
import email.policy
import os
import re
import sys

LINK = re.compile(r"https?://\S+/signin\?t=[A-Za-z0-9_\-]+")


def newest_link(outbox, address, skip=()):
    """The sign-in link of the newest message in outbox/new to 'address' (any case), among
    the files not in 'skip'; None when there is none."""
    folder = os.path.join(outbox, "new")
    names = sorted(set(os.listdir(folder)) - set(skip)) if os.path.isdir(folder) else []
    names.sort(key=lambda n: os.stat(os.path.join(folder, n)).st_mtime_ns, reverse=True)
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        if address.lower() not in str(msg["To"]).lower():
            continue
        m = LINK.search(msg.get_body(preferencelist=("plain",)).get_content())
        if m:
            return m.group(0)
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    link = newest_link(sys.argv[1], sys.argv[2])
    if link is None:
        print(f"no sign-in link for {sys.argv[2]} in {sys.argv[1]}/new", file=sys.stderr)
        return 1
    print(link)
    return 0


if __name__ == "__main__":
    sys.exit(main())
