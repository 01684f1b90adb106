"""Offline Leaflet and plugin assets.

Maps link the CDN by default. For offline use, the exact files folium's
templates reference are fetched from the npm registry (``npm pack``, pinned
versions, licences recorded) into an asset directory by::

    python -m maps.assets fetch            # or the first `eventmap map --offline`

and :func:`localize` points a map at them, either inlined as ``data:`` URIs
(one self-contained file, what notebooks get) or copied next to the map.
``leaflet.heat`` ships inside the folium wheel and is read from there.

CDN files nothing here draws with (Font Awesome, glyphicons, awesome-markers:
folium's default icon set, unused by event maps) are dropped in offline mode.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazetteer.errors import EventmapError

__all__ = ["ASSETS", "AssetsMissing", "asset_dir", "asset_key", "fetch", "local_file", "localize", "missing_assets"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asset:
    package: str  # npm "name@version", or "folium" for files in the folium wheel
    path: str  # file inside the package
    licence: str


_LEAFLET = "leaflet@1.9.3"
_CLUSTER = "leaflet.markercluster@1.1.0"
_TD = "leaflet-timedimension@1.1.1"

#: CDN URL (as in folium's templates and ours) → where the same file comes from
ASSETS: dict[str, Asset] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": Asset(_LEAFLET, "dist/leaflet.js", "BSD-2-Clause"),
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": Asset(_LEAFLET, "dist/leaflet.css", "BSD-2-Clause"),
    "https://code.jquery.com/jquery-3.7.1.min.js": Asset("jquery@3.7.1", "dist/jquery.min.js", "MIT"),
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js":
        Asset("jquery@3.7.1", "dist/jquery.min.js", "MIT"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        Asset("bootstrap@5.2.2", "dist/js/bootstrap.bundle.min.js", "MIT"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css":
        Asset("bootstrap@5.2.2", "dist/css/bootstrap.min.css", "MIT"),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        Asset(_CLUSTER, "dist/leaflet.markercluster.js", "MIT"),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css":
        Asset(_CLUSTER, "dist/MarkerCluster.css", "MIT"),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        Asset(_CLUSTER, "dist/MarkerCluster.Default.css", "MIT"),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js":
        Asset("folium", "templates/leaflet_heat.min.js", "BSD-2-Clause (Leaflet.heat), MIT (folium)"),
    "https://cdn.jsdelivr.net/npm/iso8601-js-period@0.2.1/iso8601.min.js":
        Asset("iso8601-js-period@0.2.1", "iso8601.js", "Apache-2.0"),  # the package ships no .min.js
    "https://cdn.jsdelivr.net/npm/leaflet-timedimension@1.1.1/dist/leaflet.timedimension.min.js":
        Asset(_TD, "dist/leaflet.timedimension.min.js", "MIT"),
    "https://cdn.jsdelivr.net/npm/leaflet-timedimension@1.1.1/dist/leaflet.timedimension.control.css":
        Asset(_TD, "dist/leaflet.timedimension.control.css", "MIT"),
}
# Leaflet.TimeDimension's control CSS draws its buttons with Bootstrap 3's
# glyphicons font from a CDN; npm has no 3.0.0, 3.4.1 has the same glyphs.
for _ext in ("eot", "svg", "ttf", "woff"):
    ASSETS[f"https://netdna.bootstrapcdn.com/bootstrap/3.0.0/fonts/glyphicons-halflings-regular.{_ext}"] = Asset(
        "bootstrap@3.4.1", f"dist/fonts/glyphicons-halflings-regular.{_ext}", "MIT")

#: extra files a CSS file refers to with url(...), fetched alongside it
_EXTRA_FILES = {
    _LEAFLET: ["dist/images/layers.png", "dist/images/layers-2x.png", "dist/images/marker-icon.png",
               "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png"],
}

#: where npm packages' licence files are copied from (first that exists)
_LICENCE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE", "MIT-LICENSE.txt")


class AssetsMissing(EventmapError, RuntimeError):
    """Offline assets were asked for but have not been fetched."""


def asset_dir() -> Path:
    """Where fetched assets live.

    ``$EVENTMAP_ASSETS`` if set; else a copy bundled in the package (``maps/assets/vendor``, present
    when a wheel was built after ``python -m maps.assets fetch --dest maps/assets/vendor``, for
    air-gapped installs); else ``map-assets`` in the eventmap data dir (writable, unlike an
    installed package), where the first ``eventmap map --offline`` fetches them.
    """
    env = os.environ.get("EVENTMAP_ASSETS")
    if env:
        return Path(env)
    bundled = Path(__file__).resolve().parent / "assets" / "vendor"
    if (bundled / "MANIFEST.json").is_file():
        return bundled
    from gazetteer.paths import data_dir

    return data_dir() / "map-assets"


def _folium_dir() -> Path:
    import folium

    return Path(folium.__file__).resolve().parent


def _package_dir(pkg: str) -> str:
    return pkg.replace("/", "__").replace("@", "-")


def local_file(url: str) -> Path | None:
    """The local copy of a CDN ``url`` (None when unknown or not fetched)."""
    a = ASSETS.get(url)
    if a is None:
        return None
    p = _folium_dir() / a.path if a.package == "folium" else asset_dir() / _package_dir(a.package) / a.path
    return p if p.is_file() else None


def missing_assets() -> list[str]:
    """CDN URLs of the asset table with no local copy."""
    return [u for u in ASSETS if local_file(u) is None]


def _extract(tgz: Path, dest: Path) -> None:
    """Unpack an npm tarball, refusing links and paths that leave ``dest``."""
    with tarfile.open(tgz) as tar:
        try:
            tar.extractall(dest, filter="data")
        except TypeError:  # Python < 3.10.12/3.11.4: no extraction filters
            root = dest.resolve()
            for member in tar.getmembers():
                target = (dest / member.name).resolve()
                if not (member.isfile() or member.isdir()) or root not in (target, *target.parents):
                    raise AssetsMissing(f"unsafe member {member.name!r} in {tgz.name}") from None
            tar.extractall(dest)


def fetch(dest: str | os.PathLike | None = None, *, npm: str = "npm", force: bool = False) -> Path:
    """Fetch every asset with ``npm pack`` (pinned versions) into ``dest`` (default :func:`asset_dir`).

    Writes ``MANIFEST.json`` (package, version, licence, sha256 of each file).
    """
    dest = Path(dest) if dest else asset_dir()
    dest.mkdir(parents=True, exist_ok=True)
    if shutil.which(npm) is None:
        raise AssetsMissing(f"{npm!r} not found: install Node.js/npm to fetch offline map assets")
    manifest: dict[str, Any] = {"packages": {}, "files": {}}
    wanted: dict[str, list[str]] = {}
    for a in ASSETS.values():
        if a.package != "folium":
            wanted.setdefault(a.package, []).append(a.path)
    for pkg, extra in _EXTRA_FILES.items():
        wanted.setdefault(pkg, []).extend(extra)
    for pkg, paths in wanted.items():
        out = dest / _package_dir(pkg)
        if not force and all((out / p).exists() for p in paths):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            logger.info("npm pack %s", pkg)
            res = subprocess.run([npm, "pack", pkg, "--silent", "--pack-destination", tmp],
                                 capture_output=True, text=True, timeout=300)
            if res.returncode != 0:
                raise AssetsMissing(f"npm pack {pkg} failed: {res.stderr.strip()[-500:]}")
            tgz = next(Path(tmp).glob("*.tgz"))
            staging = Path(tmp) / "x"
            _extract(tgz, staging)
            root = staging / "package"
            tmp_out = Path(tempfile.mkdtemp(dir=dest, prefix=".tmp-"))
            for p in paths + [n for n in _LICENCE_FILES if (root / n).is_file()] + ["package.json"]:
                src = root / p
                if src.is_dir():
                    shutil.copytree(src, tmp_out / p, dirs_exist_ok=True)
                elif src.is_file():
                    (tmp_out / p).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, tmp_out / p)
                elif p in paths:
                    raise AssetsMissing(f"{pkg} has no file {p!r}")
            if out.exists():
                shutil.rmtree(out)
            os.replace(tmp_out, out)
    for pkg in wanted:
        out = dest / _package_dir(pkg)
        meta = json.loads((out / "package.json").read_text(encoding="utf-8"))
        manifest["packages"][pkg] = {"version": meta.get("version"), "license": meta.get("license")}
    for url, a in ASSETS.items():
        if a.package != "folium":
            f = dest / _package_dir(a.package) / a.path
            manifest["files"][url] = {"file": str(f.relative_to(dest)),
                                      "sha256": hashlib.sha256(f.read_bytes()).hexdigest()}
    (dest / "MANIFEST.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return dest


def _require(url: str) -> Path:
    f = local_file(url)
    if f is None:
        raise AssetsMissing(
            f"offline asset for {url} not found under {asset_dir()}: "
            "run `python -m maps.assets fetch` (needs npm) or set EVENTMAP_ASSETS")
    return f


_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#)([^'\")]+)\1\)")
_MIME = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml",
         ".gif": "image/gif", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
         ".eot": "application/vnd.ms-fontobject"}


def _data_uri(path: Path, content: bytes | None = None) -> str:
    mime = _MIME.get(path.suffix, "application/octet-stream")
    data = content if content is not None else path.read_bytes()
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def asset_key(url: str) -> str:
    """``url`` as a key of :data:`ASSETS`: scheme-relative made https, query and fragment dropped."""
    if url.startswith("//"):
        url = "https:" + url
    return url.split("?")[0].split("#")[0]


def _css_with_local_refs(path: Path, ref: Any) -> bytes:
    """The CSS file at ``path`` with each url(...) it makes to a file we have replaced by ``ref(file)``.

    Relative references resolve against the CSS file; absolute ones (fonts on
    a CDN) through :data:`ASSETS`. References we do not have are left alone.
    """
    css = path.read_text(encoding="utf-8")

    def sub(m: re.Match[str]) -> str:
        target = m.group(2)
        if target.startswith(("http:", "https:", "//")):
            local = local_file(asset_key(target))
        else:
            local = (path.parent / target.split("?")[0].split("#")[0]).resolve()
        return f'url("{ref(local)}")' if local is not None and local.is_file() else m.group(0)

    return _CSS_URL.sub(sub, css).encode("utf-8")


def _copy_licences(src: Path, root: Path) -> None:
    """Copy the licence files of the npm package ``src`` comes from next to its copied files."""
    try:
        pkg = src.resolve().relative_to(asset_dir().resolve()).parts[0]
    except ValueError:
        return  # a file of the folium wheel
    for name in _LICENCE_FILES:
        lic = asset_dir() / pkg / name
        if lic.is_file():
            (root / pkg).mkdir(parents=True, exist_ok=True)
            shutil.copy2(lic, root / pkg / name)


def _walk(element: Any):
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def localize(m: Any, *, mode: str = "inline", dest: str | os.PathLike | None = None,
             prefix: str = "") -> None:
    """Point every CDN link of map ``m`` at local assets.

    ``mode="inline"`` embeds them as ``data:`` URIs; ``mode="copy"`` copies
    them into ``dest`` and links them as ``prefix + relative path``. Links to
    files no event map uses are dropped (logged). Raises :class:`AssetsMissing`.
    """
    if mode not in ("inline", "copy"):
        raise ValueError(f"mode must be 'inline' or 'copy', got {mode!r}")
    cache: dict[str, str | None] = {}

    def resolve(url: str) -> str | None:
        if url in cache:
            return cache[url]
        if url not in ASSETS:
            if url.startswith(("http://", "https://")):
                logger.info("offline map: dropping unused CDN asset %s", url)
                cache[url] = None
            else:
                cache[url] = url  # already local
            return cache[url]
        src = _require(url)
        if mode == "inline":
            content = _css_with_local_refs(src, _data_uri) if src.suffix == ".css" else None
            cache[url] = _data_uri(src, content)
        else:
            root = Path(dest)  # type: ignore[arg-type]

            def place(f: Path) -> Path:
                """Where a local file goes under ``dest`` (mirrors the asset directory)."""
                for base in (asset_dir(), _folium_dir()):
                    try:
                        return root / ("folium" if base == _folium_dir() else "") / f.resolve().relative_to(
                            base.resolve())
                    except ValueError:
                        continue
                return root / f.name

            target = place(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_licences(src, root)
            if src.suffix == ".css":  # copy what it refers to, link it relatively
                def ref(f: Path) -> str:
                    t = place(f)
                    t.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(f, t)
                    return Path(os.path.relpath(t, target.parent)).as_posix()

                target.write_bytes(_css_with_local_refs(src, ref))
            else:
                shutil.copy2(src, target)
            rel = target.relative_to(root)
            cache[url] = prefix + rel.as_posix()
        return cache[url]

    if mode == "copy" and dest is None:
        raise ValueError("mode='copy' needs dest")
    for el in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(el, attr, None)
            if not links:
                continue
            new = [(name, r) for name, url in links if (r := resolve(url)) is not None]
            setattr(el, attr, new)


def _main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m maps.assets", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="fetch the offline assets from the npm registry")
    f.add_argument("--dest", help="directory (default: see asset_dir(): $EVENTMAP_ASSETS, the bundled copy, or the data dir)")
    f.add_argument("--force", action="store_true", help="fetch again even if present")
    sub.add_parser("check", help="list missing assets; exit 1 if any")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="maps.assets: %(message)s")
    if args.cmd == "fetch":
        print(fetch(args.dest, force=args.force))
        return 0
    missing = missing_assets()
    for u in missing:
        print(f"missing: {u}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
