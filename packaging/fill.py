#!/usr/bin/env python3
"""Fills the Homebrew formula and the Scoop manifest templates of packaging/.

    fill.py --version 1.2.3 --base-url URL --checksums SHA256SUMS --out DIR

Every @VERSION@, @HOMEPAGE@, @REPOSITORY@, @URL_<target>@ and @SHA256_<target>@
is replaced; the archive of <target> must be listed in SHA256SUMS (as
`sha256sum` writes it). A placeholder left unfilled is an error, so a template
never ships half done.
"""

import argparse
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
TEMPLATES = [HERE / "homebrew" / "hats.rb.in", HERE / "scoop" / "hats.json.in"]


def repository() -> str:
    cargo = (HERE.parent / "Cargo.toml").read_text(encoding="utf-8")
    found = re.search(r'^repository = "([^"]+)"', cargo, re.MULTILINE)
    if not found:
        sys.exit("fill.py: Cargo.toml names no repository")
    return found.group(1)


def checksums(path: pathlib.Path, version: str) -> dict:
    """target -> (archive name, sha256) from a SHA256SUMS file."""
    found = {}
    pattern = re.compile(rf"^([0-9a-f]{{64}}) [ *]hats-v{re.escape(version)}-(.+?)\.(tar\.gz|zip)$")
    for line in path.read_text(encoding="utf-8").splitlines():
        match = pattern.match(line.strip())
        if match:
            digest, target, ext = match.groups()
            found[target] = (f"hats-v{version}-{target}.{ext}", digest)
    return found


def fill(text: str, values: dict) -> str:
    def replace(match):
        key = match.group(1)
        if key not in values:
            sys.exit(f"fill.py: nothing to fill @{key}@ with (is its archive in SHA256SUMS?)")
        return values[key]

    return re.sub(r"@([A-Za-z0-9_.-]+)@", replace, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--base-url", required=True, help="where the release's archives are downloaded from")
    parser.add_argument("--checksums", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    args = parser.parse_args()
    repo = repository()
    values = {"VERSION": args.version, "HOMEPAGE": repo, "REPOSITORY": repo}
    for target, (archive, digest) in checksums(args.checksums, args.version).items():
        values[f"URL_{target}"] = f"{args.base_url.rstrip('/')}/{archive}"
        values[f"SHA256_{target}"] = digest
    args.out.mkdir(parents=True, exist_ok=True)
    for template in TEMPLATES:
        target = args.out / template.name.removesuffix(".in")
        target.write_text(fill(template.read_text(encoding="utf-8"), values), encoding="utf-8")
        print(f"fill.py: wrote {target}")


if __name__ == "__main__":
    main()
