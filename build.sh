#!/usr/bin/env bash
# logdrop's one entry point: build, serve, test, bench, dist. Run `./build.sh help`.
#
# It installs what it needs (wasm32 target, wasm-bindgen-cli matching Cargo.toml, chromium and
# chromedriver from apt, node_modules) on first use and skips all of that when it is present, so it
# works on a fresh CI machine (`.ci/run`) and stays quick on a developer's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

JOBS=2
WASM_TARGET=wasm32-unknown-unknown
WASM_OUT=target/$WASM_TARGET/wasm-release/logdrop.wasm
PKG=www/pkg
SINGLE=target/single # wasm-bindgen --target no-modules output, for dist/logdrop.html
CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver
# Flags for every headless chromium this script starts. The machine's network is closed; without
# the last five, chromium keeps trying (and logging) connections it cannot make.
CHROMIUM_FLAGS=(--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic
  --no-first-run --disable-background-networking --disable-component-update --disable-sync)

if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi

if [[ -t 2 ]]; then
  say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
else
  say() { printf '==> %s\n' "$*" >&2; }
fi
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<'EOF'
usage: ./build.sh <command> [args]

  build            CLI (target/release/logdrop), the wasm page bundle (www/pkg/) and the service
                   worker (www/sw.js, from www/sw.src.js with the version and precache list)
  serve            build if needed, then serve www/ on http://127.0.0.1:8080 (PORT=… to change);
                   the service worker serves the last build: rerun build after editing www/
  test             fmt, clippy, cargo test, wasm tests, build + dist, browser tests; stops at the
                   first failure
  bench [args]     native benchmark on generated 1 GiB logs (see bench/README.md);
                   args go to tools/bench.py, e.g. --size 50000000 --runs 3
  fuzz [SECONDS] [TARGET...]
                   run each cargo-fuzz target (or the ones named) for SECONDS (default 60), keep what they find
                   (nightly + cargo-fuzz installed on first use); crashes are moved into
                   tests/fixtures/regressions/, which cargo test replays
  dist             build, then dist/site/ (the static folder to publish) and dist/logdrop.html
                   (one self-contained file that works from file://; tools/single-file.mjs)
  help             this text

Installs on first use: the wasm32 target, wasm-bindgen-cli (version pinned in Cargo.toml),
chromium + chromium-driver (apt, for `test`) and node_modules (npm, for `test`).
EOF
}

# --- toolchain ---------------------------------------------------------------------------------

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"
  fi
}

APT_UPDATED=
apt_install() {
  if [[ -z $APT_UPDATED ]]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# The wasm-bindgen version pinned in Cargo.toml (`wasm-bindgen = "=X.Y.Z"` or `{ version = "=X.Y.Z" … }`).
wasm_bindgen_version() {
  local v
  v=$(sed -nE 's/^[[:space:]]*wasm-bindgen[[:space:]]*=.*"=?([0-9]+\.[0-9]+\.[0-9]+)".*/\1/p' Cargo.toml | head -n1)
  [[ -n $v ]] || die "cannot find the wasm-bindgen version in Cargo.toml"
  printf '%s\n' "$v"
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo not found (install Rust with rustup)"
  if ! rustup target list --installed | grep -qx "$WASM_TARGET"; then
    say "rustup target add $WASM_TARGET"
    rustup target add "$WASM_TARGET"
  fi
  local want have=
  want=$(wasm_bindgen_version)
  if command -v wasm-bindgen >/dev/null; then have=$(wasm-bindgen --version | awk '{print $2}'); fi
  if [[ $have != "$want" ]] || ! command -v wasm-bindgen-test-runner >/dev/null; then
    say "cargo install wasm-bindgen-cli $want (have: ${have:-none}; takes several minutes)"
    # --locked fails on this registry for some versions; the unlocked build works.
    cargo install wasm-bindgen-cli --version "=$want" --locked -j"$JOBS" ||
      cargo install wasm-bindgen-cli --version "=$want" --force -j"$JOBS"
  fi
}

ensure_rust_lint() {
  local have
  have=$(rustup component list --installed)
  grep -q '^rustfmt' <<<"$have" || rustup component add rustfmt
  grep -q '^clippy' <<<"$have" || rustup component add clippy
}

ensure_chromium() {
  local missing=()
  [[ -x $CHROMIUM ]] || missing+=(chromium)
  [[ -x $CHROMEDRIVER ]] || missing+=(chromium-driver)
  if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
}

# npm install when node_modules is missing or package.json / package-lock.json changed since.
ensure_node_modules() {
  command -v npm >/dev/null || die "npm not found (install Node.js 20+)"
  local stamp=node_modules/.logdrop-installed
  if [[ -f $stamp && ! package.json -nt $stamp && ! ( -f package-lock.json && package-lock.json -nt $stamp ) ]]; then
    return
  fi
  if [[ -n ${CI:-} && -f package-lock.json ]]; then
    say "npm ci"
    npm ci --no-audit --no-fund
  else
    say "npm install"
    npm install --no-audit --no-fund
  fi
  touch "$stamp"
}

# --- build -------------------------------------------------------------------------------------

# True when the wasm bundle is missing or older than any Rust source or manifest.
wasm_stale() {
  local f
  for f in "$PKG/logdrop_bg.wasm" "$PKG/logdrop.js"; do [[ -f $f ]] || return 0; done
  [[ -n $(find src Cargo.toml Cargo.lock -newer "$PKG/logdrop_bg.wasm" -print -quit 2>/dev/null) ]]
}

gz_size() { gzip -9 -c "$1" | wc -c; }

cargo_wasm() {
  say "cargo build --lib --target $WASM_TARGET --profile wasm-release"
  # SIMD128: Chromium, Firefox and Safari have it; memchr and the parser use it.
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" \
    cargo build --lib --target "$WASM_TARGET" --profile wasm-release -j"$JOBS"
}

# www/sw.js from www/sw.src.js (the committed source keeps its placeholders; sw.js is ignored by
# git). PRECACHE: every file of the page but the service worker itself, the page as './'.
# VERSION: a hash of those files (names and contents) and of sw.src.js, so a build that changes
# anything the page loads is a new service worker, and a new cache, for the browser.
SW_VERSION=
write_sw() {
  local files=() f list=
  mapfile -t files < <(cd www && find . -type f ! -name sw.js ! -name sw.src.js ! -name '.*' ! -name '*.tmp' ! -name '*~' -printf '%P\n' | LC_ALL=C sort)
  for f in "${files[@]}"; do
    [[ $f =~ ^[A-Za-z0-9._/-]+$ ]] || die "www/$f: the service worker's precache list only takes plain file names"
    [[ $f == index.html ]] && f=./
    list+="${list:+, }'$f'"
  done
  SW_VERSION=$( (cd www && sha256sum -- "${files[@]}" sw.src.js) | sha256sum | cut -c1-16)
  sed -e "s|__LOGDROP_VERSION__|$SW_VERSION|" -e "s|/\* __LOGDROP_PRECACHE__ \*/|$list|" www/sw.src.js >www/sw.js.tmp
  if grep -q '__LOGDROP_' www/sw.js.tmp; then die "www/sw.js: a placeholder was left unfilled"; fi
  mv www/sw.js.tmp www/sw.js
  printf 'sw:   www/sw.js version %s, %d files precached\n' "$SW_VERSION" "${#files[@]}"
}

cmd_build() {
  ensure_rust
  say "cargo build --release (CLI)"
  cargo build --release -j"$JOBS"
  if wasm_stale; then
    cargo_wasm
    say "wasm-bindgen --target web → $PKG/"
    wasm-bindgen --target web --no-typescript --out-dir "$PKG" "$WASM_OUT"
    touch "$PKG/logdrop_bg.wasm" # the make-style check compares against this file
  else
    say "$PKG is up to date (newer than src/, Cargo.toml, Cargo.lock)"
  fi
  if [[ -f tests/fixtures/example/friday-incident.log ]]; then
    cp tests/fixtures/example/friday-incident.log www/example.log
  fi
  write_sw
  local wasm js page=0 f
  wasm=$(gz_size "$PKG/logdrop_bg.wasm")
  js=$(gz_size "$PKG/logdrop.js")
  for f in www/index.html www/app.js www/svg.js www/worker.js www/style.css; do
    [[ -f $f ]] && page=$((page + $(gz_size "$f")))
  done
  printf 'CLI:  target/release/logdrop\n'
  printf 'page: %d bytes gzipped in all (wasm %d, wasm-bindgen js %d, html/css/js %d; example.log on demand)\n' \
    $((wasm + js + page)) "$wasm" "$js" "$page"
}

# --- serve -------------------------------------------------------------------------------------

cmd_serve() {
  cmd_build
  local port=${PORT:-8080}
  say "serving www/ at http://127.0.0.1:$port/ (Ctrl-C to stop)"
  exec node tools/serve.mjs www "$port"
}

# --- test --------------------------------------------------------------------------------------

STEP=
TEST_START=
on_test_exit() {
  local rc=$?
  if ((rc != 0)); then
    printf '\nbuild.sh test: FAILED at step "%s" (exit %d)\n' "$STEP" "$rc" >&2
  fi
}
step() { STEP=$1; say "[test] $1"; }

# Runs the wasm_bindgen_test tests in headless chromium when there are any: unit tests in src/
# (`--lib`), the integration test crate tests/wasm/main.rs (`--test wasm`), and the separate
# crate tests/wasm/Cargo.toml (the wasm layer's tests: a crate of its own so that neither the
# CLI binary nor the core's proptest tests are built for wasm32).
wasm_tests() {
  local targets=() crate=
  if grep -rqs 'wasm_bindgen_test' src; then targets+=(--lib); fi
  if [[ -f tests/wasm/main.rs ]] && grep -rqs 'wasm_bindgen_test' tests/wasm; then targets+=(--test wasm); fi
  if [[ -f tests/wasm/Cargo.toml ]]; then crate=tests/wasm/Cargo.toml; fi
  if ((${#targets[@]} == 0)) && [[ -z $crate ]]; then
    echo "no wasm_bindgen_test tests in src/ or tests/wasm/: skipped"
    return
  fi
  # The runner adds headless/no-sandbox itself; this adds our network-quiet flags and a fresh profile.
  local tmp json args=() f
  tmp=$(mktemp -d)
  json=$tmp/webdriver.json
  for f in "${CHROMIUM_FLAGS[@]}" "--user-data-dir=$tmp/profile"; do args+=("\"$f\""); done
  printf '{"goog:chromeOptions": {"binary": "%s", "args": [%s]}}\n' "$CHROMIUM" "$(IFS=,; echo "${args[*]}")" >"$json"
  local rc=0
  if ((${#targets[@]})); then
    CHROMEDRIVER=$CHROMEDRIVER WASM_BINDGEN_TEST_WEBDRIVER_JSON=$json \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
      cargo test --target "$WASM_TARGET" -j"$JOBS" "${targets[@]}" || rc=$?
  fi
  if [[ -n $crate && $rc -eq 0 ]]; then
    # Built with simd128, as the page's module is (its SIMD paths are the ones tested).
    CHROMEDRIVER=$CHROMEDRIVER WASM_BINDGEN_TEST_WEBDRIVER_JSON=$json \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" \
      cargo test --manifest-path "$crate" --target "$WASM_TARGET" --target-dir target/wasm-tests -j"$JOBS" || rc=$?
  fi
  rm -rf "$tmp"
  return "$rc"
}

browser_tests() {
  local files=()
  if [[ -d tests/browser ]]; then
    mapfile -t files < <(find tests/browser -name '*.test.mjs' -type f | sort)
  fi
  if ((${#files[@]} == 0)); then
    echo "no tests/browser/*.test.mjs: skipped"
    return
  fi
  # Explicit files rather than the folder: newer Node treats --test arguments as globs.
  LOGDROP_CHROMIUM=$CHROMIUM node --test "${files[@]}"
}

cmd_test() {
  TEST_START=$SECONDS
  trap on_test_exit EXIT
  step "toolchain"
  ensure_rust
  ensure_rust_lint
  ensure_chromium
  ensure_node_modules
  step "cargo fmt --check"
  cargo fmt --all -- --check
  step "cargo clippy"
  cargo clippy --all-targets -j"$JOBS" -- -D warnings
  step "cargo test"
  cargo test -j"$JOBS"
  step "wasm tests (headless chromium)"
  wasm_tests
  step "build and dist"
  cmd_dist
  step "browser tests"
  browser_tests
  STEP="finished"
  printf '\nbuild.sh test: ALL PASSED (fmt, clippy, cargo test, wasm tests, build + dist, browser tests) in %ds\n' \
    $((SECONDS - TEST_START))
}

# --- bench / dist ------------------------------------------------------------------------------

cmd_bench() {
  command -v python3 >/dev/null || die "python3 not found"
  say "cargo build --release --bins --examples"
  cargo build --release -j"$JOBS" --bins --examples
  python3 tools/bench.py "$@"
}

# dist/site/: www/ as built (sw.js filled in), without the service worker's source: what to
# publish on any static host. dist/logdrop.html: the page in one file for file:// (classic
# scripts, the worker from a blob: URL, the wasm and the example inlined), written by
# tools/single-file.mjs from dist/site/ and a --target no-modules wasm-bindgen output.
# Each target in fuzz/fuzz_targets runs for the given seconds on one core; its corpus grows in
# fuzz/corpus/ (git-ignored). A crash stops that target; its input is moved into the regression
# corpus and the command fails at the end, naming it.
cmd_fuzz() {
  local secs=${1:-60} t found=0 targets
  [[ $secs =~ ^[0-9]+$ ]] || die "fuzz: SECONDS must be a whole number"
  shift || true
  targets=$(sed -nE 's/^name = "([a-z_]+)"$/\1/p' fuzz/Cargo.toml | grep -v '^logdrop-fuzz$')
  if (($#)); then
    for t in "$@"; do grep -qx "$t" <<<"$targets" || die "fuzz: no target '$t' (targets: $(echo $targets))"; done
    targets="$*"
  fi
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "rustup toolchain install nightly"
    rustup toolchain install nightly --profile minimal
  fi
  command -v cargo-fuzz >/dev/null || { say "cargo install cargo-fuzz"; cargo install cargo-fuzz -j"$JOBS"; }
  for t in $targets; do
    say "fuzz $t for ${secs}s"
    mkdir -p "fuzz/corpus/$t"
    if ! (cd fuzz && cargo +nightly fuzz run "$t" -j1 -- -max_total_time="$secs" -print_final_stats=1 \
      2>&1 | tee "../target/fuzz-$t.log" | grep -E 'stat::number_of_executed_units|Done|ERROR|panicked' ); then
      :
    fi
    local a
    for a in fuzz/artifacts/"$t"/crash-* fuzz/artifacts/"$t"/oom-* fuzz/artifacts/"$t"/timeout-*; do
      [[ -f $a ]] || continue
      mv "$a" "tests/fixtures/regressions/fuzz-$t-$(basename "$a")"
      echo "found: $a (moved to tests/fixtures/regressions/)"
      found=1
    done
  done
  ((found == 0)) || die "fuzz: the targets found crashes (see above); fix them, cargo test replays them"
}

cmd_dist() {
  command -v node >/dev/null || die "node not found (install Node.js 20+)"
  cmd_build
  [[ -f $WASM_OUT ]] || cargo_wasm # www/pkg/ is up to date but target/ was cleaned
  say "wasm-bindgen --target no-modules → $SINGLE/"
  wasm-bindgen --target no-modules --no-typescript --out-dir "$SINGLE" "$WASM_OUT"
  say "dist/site/"
  rm -rf dist/site
  mkdir -p dist
  cp -R www dist/site
  rm -f dist/site/sw.src.js dist/site/sw.js.tmp
  say "dist/logdrop.html"
  node tools/single-file.mjs dist/site "$SINGLE" dist/logdrop.html
  printf 'site: dist/site/ (%s files, %d bytes)\n' "$(find dist/site -type f | wc -l)" "$(du -sb dist/site | cut -f1)"
  printf 'file: dist/logdrop.html (%d bytes, %d gzipped)\n' "$(wc -c <dist/logdrop.html)" "$(gz_size dist/logdrop.html)"
}

# --- main --------------------------------------------------------------------------------------

cmd=${1:-help}
shift || true
case $cmd in
  build) cmd_build ;;
  serve) cmd_serve ;;
  test) cmd_test ;;
  bench) cmd_bench "$@" ;;
  dist) cmd_dist ;;
  fuzz) cmd_fuzz "$@" ;;
  help | -h | --help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
