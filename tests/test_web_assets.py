"""The page's vendored JavaScript is exactly the pinned npm packages': ethers' prebuilt bundle, and
eciesjs bundled again by the pinned esbuild, each with its licence beside it; and the page loads
nothing from elsewhere."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from bountychain.web.server import jsonable, static_dir

REPO = Path(__file__).resolve().parents[1]
VENDOR = static_dir() / "vendor"
PACKAGE = REPO / "node_modules" / "ethers"


def pinned_version(package: str = "ethers") -> str:
    return json.loads((REPO / "package.json").read_text())["dependencies"][package]


def test_ethers_is_pinned_exactly_in_package_json_and_the_lockfile() -> None:
    version = pinned_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/ethers"]["version"] == version
    assert f'const version="{version}"' in (VENDOR / "ethers.min.js").read_text()[:400]


@pytest.mark.skipif(not PACKAGE.exists(), reason="node_modules is not installed (make setup)")
def test_vendored_ethers_is_byte_identical_to_the_pinned_npm_package() -> None:
    assert json.loads((PACKAGE / "package.json").read_text())["version"] == pinned_version()
    assert (VENDOR / "ethers.min.js").read_bytes() == (PACKAGE / "dist" / "ethers.min.js").read_bytes(), \
        "run `make vendor`"
    assert (VENDOR / "ethers.LICENSE.md").read_bytes() == (PACKAGE / "LICENSE.md").read_bytes()


@pytest.mark.parametrize("package", ["eciesjs", "esbuild"])
def test_eciesjs_and_its_bundler_are_pinned_exactly_in_package_json_and_the_lockfile(package: str) -> None:
    version = pinned_version(package)
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert lock["packages"][f"node_modules/{package}"]["version"] == version


@pytest.mark.skipif(not (REPO / "node_modules" / "eciesjs").exists(), reason="node_modules is not installed (make setup)")
def test_vendored_eciesjs_is_the_pinned_package_bundled_again_byte_for_byte(tmp_path: Path) -> None:
    """The page's eciesjs is a bundle (the package ships modules that import npm names): esbuild,
    pinned, makes the same bytes again from the pinned package (what `make vendor` runs)."""
    package = REPO / "node_modules" / "eciesjs"
    assert json.loads((package / "package.json").read_text())["version"] == pinned_version("eciesjs")
    out = tmp_path / "ecies.min.js"
    subprocess.run([str(REPO / "node_modules" / ".bin" / "esbuild"), "tools/ecies_entry.mjs", "--bundle",
                    "--format=esm", "--minify", "--legal-comments=eof", "--log-level=warning", f"--outfile={out}"],
                   cwd=REPO, check=True)
    assert (VENDOR / "ecies.min.js").read_bytes() == out.read_bytes(), "run `make vendor`"
    assert (VENDOR / "ecies.LICENSE").read_bytes() == (package / "LICENSE").read_bytes()


def test_the_page_loads_only_local_modules() -> None:
    for name in ("index.html", "app.js", "style.css", "report_seal.js", "review_parts.js", "issue_url.js"):
        text = (static_dir() / name).read_text()
        for url in re.findall(r"""(?:src|href)=["']([^"']+)["']|from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']|url\(([^)]+)\)""", text):
            target = next(part for part in url if part)
            assert target.startswith(("/", "./")) or target.startswith("${"), f"{name} loads {target}"


def test_amounts_are_strings_in_json_and_other_numbers_stay_numbers() -> None:
    data = jsonable({"total": 2**80, "bounty_id": 3, "items": [{"amount": 1, "deadline": 5}]})
    assert data == {"total": str(2**80), "bounty_id": 3, "items": [{"amount": "1", "deadline": 5}]}
