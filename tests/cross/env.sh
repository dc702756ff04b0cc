#!/usr/bin/env bash
# Sourced by tests/cross/check.sh (and run alone by tests/run.sh): installs the
# toolchain that builds hats for macOS and Windows from Linux, and points cargo
# at it.
#
# rustup cannot fetch other targets' standard libraries here, so this uses
# Debian's newer Rust (rustc-web, with its library source, rust-web-src) and
# builds `std` for each target (-Zbuild-std; RUSTC_BOOTSTRAP lets the stable
# compiler take -Z flags). C code in dependencies (aws-lc-sys, ring, mimalloc,
# libdbus) is really compiled: by mingw-w64 for Windows, which also links
# Windows binaries, and by zig (through cargo-zigbuild, in .venv-cross/) for macOS.
# Artifacts go to $CARGO_TARGET_DIR/cross (or target/cross): one directory for
# every target, so build scripts and proc macros are built once.

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Compiler and library source must come from one upload: install them together.
if [ ! -x /usr/bin/rustc ] || [ ! -x /usr/bin/clippy-driver ] || [ ! -d /usr/lib/rustlib/src/rust/library ] \
  || ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
  echo "tests/cross/env.sh: installing rustc-web, its library source and clippy, and mingw-w64" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64 >/dev/null
fi
if [ ! -x .venv-cross/bin/cargo-zigbuild ]; then
  echo "tests/cross/env.sh: installing zig and cargo-zigbuild into .venv-cross" >&2
  python3 -m venv .venv-cross
  .venv-cross/bin/pip install -q --disable-pip-version-check ziglang cargo-zigbuild
fi

# zig (cargo-zigbuild runs `python3 -m ziglang`), then Debian's toolchain, first
# on PATH: rustup's proxies would mix another compiler with this library source.
export PATH="$PWD/.venv-cross/bin:/usr/bin:$PATH"
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 CARGO=/usr/bin/cargo
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/cross"
# The cross toolchain's own rustup settings must not leak in.
unset RUSTUP_TOOLCHAIN
