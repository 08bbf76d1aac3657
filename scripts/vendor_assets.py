"""Fetch the default theme's front-end assets from the npm registry and vendor them.

Why this exists
---------------
Pages built from the default theme must not load anything from a third-party host
(no CDN: privacy, offline use, and a strict Content-Security-Policy of
``default-src 'self'``), so Bootstrap, Bootstrap Icons and Alpine.js (its CSP build,
which needs neither inline scripts nor ``eval``) are committed under
``themes/default/static/vendor/``. This script makes that copy reproducible:

* the versions are pinned in ``VERSIONS`` below; to upgrade, edit them and re-run;
* each package is fetched with ``npm pack <name>@<version>`` (npm checks the
  tarball against the registry's integrity hash) into a temporary directory;
* only the files a site needs are read straight out of the tarball (nothing is
  extracted to disk, so a hostile archive path cannot escape), source-map comments
  are stripped from the minified files (the maps are not shipped, and browsers would
  otherwise request them and log 404s), and a LICENSE is written next to each package;
* output file names carry no version, so templates need not change on upgrade; the
  version table in the vendor README is rewritten from ``VERSIONS``.

Running it twice gives byte-identical files. ``--check`` compares instead of
writing and exits 1 if the committed files differ from what the pinned versions give.

Usage::

    python scripts/vendor_assets.py           # (re)write the vendor folder
    python scripts/vendor_assets.py --check   # verify it is up to date

Needs only Python 3.11+ (stdlib) and ``npm`` on PATH.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

# The pinned versions. Change a version here, run the script, commit the result.
VERSIONS: dict[str, str] = {
    "bootstrap": "5.3.9",
    "@alpinejs/csp": "3.17.4",
    "bootstrap-icons": "1.13.2",
}

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "themes" / "default" / "static" / "vendor"
README = VENDOR_DIR / "README.md"
TABLE_BEGIN = "<!-- BEGIN vendor-table (written by scripts/vendor_assets.py) -->"
TABLE_END = "<!-- END vendor-table -->"

# Comments like `/*# sourceMappingURL=x.map */` (CSS) or `//# sourceMappingURL=x.map` (JS),
# also the legacy `@` form; each removed together with its line break.
_SOURCEMAP_BLOCK = re.compile(rb"/\*[#@]\s*sourceMappingURL=[^*]*\*/[ \t]*\r?\n?")
_SOURCEMAP_LINE = re.compile(rb"(?m)^[ \t]*//[#@]\s*sourceMappingURL=[^\r\n]*(?:\r?\n)?")

_MIT_TEXT = """\
The MIT License (MIT)

Copyright (c) {holder}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
"""


@dataclass(frozen=True)
class Package:
    """One npm package and the files taken from it."""

    name: str
    dest: str  # folder under VENDOR_DIR
    files: dict[str, str]  # path inside the tarball (without `package/`) -> path under dest
    license_file: str | None = "LICENSE"  # None: the tarball has none; built from package.json


PACKAGES: list[Package] = [
    Package(
        name="bootstrap",
        dest="bootstrap",
        files={
            "dist/css/bootstrap.min.css": "bootstrap.min.css",
            "dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
        },
    ),
    Package(
        name="@alpinejs/csp",
        dest="alpinejs-csp",
        # dist/cdn.min.js is the IIFE build (builds/cdn.js): sets window.Alpine and
        # calls Alpine.start() itself; load it with <script defer src=...>.
        files={"dist/cdn.min.js": "cdn.min.js"},
        license_file=None,
    ),
    Package(
        name="bootstrap-icons",
        dest="bootstrap-icons",
        # The CSS refers to `fonts/bootstrap-icons.woff2?<hash>` relative to itself.
        files={
            "font/bootstrap-icons.min.css": "bootstrap-icons.min.css",
            "font/fonts/bootstrap-icons.woff2": "fonts/bootstrap-icons.woff2",
            "font/fonts/bootstrap-icons.woff": "fonts/bootstrap-icons.woff",
        },
    ),
]


def strip_source_maps(data: bytes) -> bytes:
    """Remove source-map comments from a minified CSS or JS file."""
    data = _SOURCEMAP_BLOCK.sub(b"", data)
    return _SOURCEMAP_LINE.sub(b"", data)


def npm_pack(spec: str, dest: Path) -> Path:
    """Download the registry tarball for `spec` (name@version) into `dest`; return its path."""
    if shutil.which("npm") is None:
        sys.exit("error: npm is not on PATH (it is needed to fetch the pinned packages)")
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(dest)],
        cwd=dest,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(result.stdout)[0]
    print(f"  {spec}: {info['filename']} {info['integrity']}", file=sys.stderr)
    return dest / info["filename"]


def read_member(tar: tarfile.TarFile, path: str) -> bytes:
    """Read `package/<path>` from an npm tarball, refusing anything but a regular file."""
    try:
        member = tar.getmember(f"package/{path}")
    except KeyError:
        raise SystemExit(f"error: {path} is missing from the tarball") from None
    if not member.isfile():
        raise SystemExit(f"error: {path} is not a regular file in the tarball")
    handle = tar.extractfile(member)
    assert handle is not None
    return handle.read()


def license_from_manifest(manifest: dict[str, object]) -> bytes:
    """Build a LICENSE for a package that ships none, from its package.json."""
    name = manifest.get("name")
    if manifest.get("license") != "MIT":
        raise SystemExit(f"error: {name} ships no LICENSE and is not MIT; write one by hand")
    author = manifest.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    if not isinstance(author, str) or not author.strip():
        raise SystemExit(f"error: {name} ships no LICENSE and names no author")
    holder = re.sub(r"\s*[<(].*$", "", author).strip()  # drop "<email>" / "(url)"
    return _MIT_TEXT.format(holder=holder).encode()


def build(workdir: Path) -> dict[str, bytes]:
    """Fetch every pinned package; return {path relative to VENDOR_DIR: content}."""
    out: dict[str, bytes] = {}
    for pkg in PACKAGES:
        version = VERSIONS[pkg.name]
        tarball = npm_pack(f"{pkg.name}@{version}", workdir)
        with tarfile.open(tarball, "r:gz") as tar:
            manifest = json.loads(read_member(tar, "package.json"))
            if manifest.get("name") != pkg.name or manifest.get("version") != version:
                raise SystemExit(
                    f"error: got {manifest.get('name')}@{manifest.get('version')}, "
                    f"expected {pkg.name}@{version}"
                )
            for src, dst in pkg.files.items():
                data = read_member(tar, src)
                if dst.endswith((".css", ".js")):
                    data = strip_source_maps(data)
                    if b"sourceMappingURL" in data:
                        raise SystemExit(f"error: a source-map reference survived in {src}")
                out[f"{pkg.dest}/{dst}"] = data
            if pkg.license_file is not None:
                out[f"{pkg.dest}/LICENSE"] = read_member(tar, pkg.license_file)
            else:
                out[f"{pkg.dest}/LICENSE"] = license_from_manifest(manifest)
    return out


def version_table() -> str:
    """The Markdown table of pinned packages, as kept between the README markers."""
    rows = [
        "| Package | Version | Licence | Files (under `vendor/`) |",
        "| --- | --- | --- | --- |",
    ]
    for pkg in PACKAGES:
        files = [*pkg.files.values(), "LICENSE"]
        listed = ", ".join(f"`{pkg.dest}/{f}`" for f in files)
        rows.append(f"| `{pkg.name}` | {VERSIONS[pkg.name]} | MIT | {listed} |")
    return "\n".join(rows)


def render_readme(current: str) -> str:
    """Return the README with its version table replaced by the one from VERSIONS."""
    pattern = re.compile(re.escape(TABLE_BEGIN) + r".*?" + re.escape(TABLE_END), re.DOTALL)
    if not pattern.search(current):
        raise SystemExit(f"error: {README} lacks the vendor-table markers")
    block = f"{TABLE_BEGIN}\n{version_table()}\n{TABLE_END}"
    return pattern.sub(lambda _m: block, current, count=1)


def managed_files() -> set[str]:
    """Files currently present in the folders this script owns."""
    found: set[str] = set()
    for pkg in PACKAGES:
        base = VENDOR_DIR / pkg.dest
        if base.is_dir():
            found |= {p.relative_to(VENDOR_DIR).as_posix() for p in base.rglob("*") if p.is_file()}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed files; write nothing"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="vendor-assets-") as tmp:
        wanted = build(Path(tmp))
    readme_old = README.read_text(encoding="utf-8") if README.exists() else None
    readme_new = render_readme(readme_old) if readme_old is not None else None

    if args.check:
        stale = sorted(
            rel
            for rel, data in wanted.items()
            if not (VENDOR_DIR / rel).is_file() or (VENDOR_DIR / rel).read_bytes() != data
        )
        extra = sorted(managed_files() - wanted.keys())
        if readme_new != readme_old:
            stale.append("README.md (version table)")
        for rel in stale:
            print(f"out of date: {rel}", file=sys.stderr)
        for rel in extra:
            print(f"not from a pinned package: {rel}", file=sys.stderr)
        return 1 if stale or extra else 0

    for rel in sorted(managed_files() - wanted.keys()):
        (VENDOR_DIR / rel).unlink()
        print(f"removed {rel}", file=sys.stderr)
    for rel, data in sorted(wanted.items()):
        target = VENDOR_DIR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        print(f"{len(data):>9}  {rel}")
    if readme_new is not None and readme_new != readme_old:
        README.write_text(readme_new, encoding="utf-8")
        print(f"updated {README.relative_to(ROOT)}", file=sys.stderr)
    elif readme_old is None:
        note = f"note: {README.relative_to(ROOT)} is missing; version table not written"
        print(note, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
