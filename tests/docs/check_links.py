#!/usr/bin/python3
"""Checks that the links of README.md and docs/**/*.md resolve in the repository.

Checked: every relative Markdown link or image ([text](target), ![alt](target), and
reference definitions [name]: target) must name a file or folder that exists, and its
anchor (#...) a heading of the target Markdown file; every code span that names a path under
one of the repository's top-level folders (`engine/store/migrations/`) must exist too. Links
with a scheme (https:, mailto:) and spans holding placeholders (<part>, NNN, *) are skipped,
as is text inside fenced code blocks. Each broken link is printed as FILE:LINE: message and
the exit status is 1.

Usage: check_links.py [REPOSITORY_ROOT] (default: two folders above this script).
"""

import os
import re
import sys

INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
PLACEHOLDER = re.compile(r"[<>*{}$~]|NNN|YYYY|\.\.\.")


def slug(heading):
    """GitHub's anchor for a heading: lower case, no punctuation, spaces as hyphens."""
    text = re.sub(r"`|\*\*|__", "", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors_of(path, cache):
    """The set of anchors the headings of the Markdown file at 'path' define."""
    if path not in cache:
        seen, found, in_fence = {}, set(), False
        with open(path, encoding="utf-8") as f:
            for line in f:
                if FENCE.match(line):
                    in_fence = not in_fence
                    continue
                m = None if in_fence else HEADING.match(line)
                if m:
                    base = slug(m.group(1))
                    n = seen.get(base, 0)
                    seen[base] = n + 1
                    found.add(base if n == 0 else f"{base}-{n}")
        cache[path] = found
    return cache[path]


def check_target(root, md_path, target, cache):
    """Returns an error message for a link 'target' written in 'md_path', or None."""
    if SCHEME.match(target) or target.startswith("//"):
        return None
    path_part, _, anchor = target.partition("#")
    if path_part == "":
        resolved = md_path
    elif path_part.startswith("/"):
        resolved = os.path.join(root, path_part.lstrip("/"))
    else:
        resolved = os.path.normpath(os.path.join(os.path.dirname(md_path), path_part))
    if not os.path.realpath(resolved).startswith(os.path.realpath(root) + os.sep):
        return f"link '{target}' leaves the repository"
    if not os.path.exists(resolved):
        return f"link '{target}': no such file or folder"
    if anchor and resolved.endswith(".md") and os.path.isfile(resolved):
        if anchor.lower() not in anchors_of(resolved, cache):
            return f"link '{target}': no heading '#{anchor}' in {os.path.relpath(resolved, root)}"
    return None


def span_paths(line, top_folders):
    """The code spans of 'line' that name a repository path, such as `bench/run`."""
    for m in CODE_SPAN.finditer(line):
        text = m.group(2).strip()
        if " " in text or PLACEHOLDER.search(text) or "/" not in text:
            continue
        if text.split("/", 1)[0] in top_folders:
            yield text


def check_file(root, md_path, top_folders, cache):
    """Returns the list of 'FILE:LINE: message' problems of one Markdown file."""
    problems, in_fence = [], False
    rel = os.path.relpath(md_path, root)
    with open(md_path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            targets = [m.group(1) for m in INLINE.finditer(CODE_SPAN.sub("", line))]
            ref = REFDEF.match(line)
            if ref:
                targets.append(ref.group(1))
            for target in targets:
                err = check_target(root, md_path, target, cache)
                if err:
                    problems.append(f"{rel}:{number}: {err}")
            for path in span_paths(line, top_folders):
                if not os.path.exists(os.path.join(root, path.rstrip("/"))):
                    problems.append(f"{rel}:{number}: path `{path}`: no such file or folder")
    return problems


def markdown_files(root):
    """README.md and every .md file under docs/, in a stable order."""
    files = [os.path.join(root, "README.md")]
    for folder, dirs, names in os.walk(os.path.join(root, "docs")):
        dirs.sort()
        files += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".md")]
    return files


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", ".."))
    top_folders = {
        n for n in os.listdir(root)
        if os.path.isdir(os.path.join(root, n)) and not n.startswith(("build", "var", ".git"))
    }
    cache, problems, count = {}, [], 0
    for md in markdown_files(root):
        if not os.path.isfile(md):
            problems.append(f"{os.path.relpath(md, root)}: missing")
            continue
        count += 1
        problems += check_file(root, md, top_folders, cache)
    for p in problems:
        print(p)
    print(f"check_links: {count} files, {len(problems)} broken link(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
