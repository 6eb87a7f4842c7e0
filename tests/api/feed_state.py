"""Prints one line per profile a daemon serves, every page of both lists, in id order: what
api.feed compares between daemons and with a fresh load.

Usage: feed_state.py BASE_URL ADMIN_TOKEN"""
import json
import sys
import urllib.request


def pages(base, token, kind):
    after = ""
    while True:
        url = "%s/v1/%s?limit=200%s" % (base, kind, "&after=" + after if after else "")
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(req, timeout=10) as r:
            page = json.load(r)
        yield from page["items"]
        if page["next"] is None:
            return
        after = page["next"]


def main():
    base, token = sys.argv[1], sys.argv[2]
    for kind in ("companies", "investors"):
        for item in pages(base, token, kind):
            print(kind, json.dumps(item, sort_keys=True))


if __name__ == "__main__":
    main()
