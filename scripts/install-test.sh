#!/usr/bin/env bash
# Install test: what a user gets from the registry, without the registry.
#
#   1. `npm pack` the main package and this platform's package (with the addon that
#      `npm run build` made), and check what the tarballs hold;
#   2. install both tarballs into a fresh project with npm offline (an empty cache, and a
#      registry address nothing listens on), so no byte comes from the network;
#   3. run an ESM and a CommonJS smoke script there (socketpair round trip);
#   4. type-check __test__/consumer against the packed declarations in strict mode, and
#      check that its deliberate misuse fails with exactly the expected errors;
#   5. check that npm/ is what `napi create-npm-dirs` makes from package.json.
#
# Needs a build (`npm run build`, which `npm test` runs). Usage: scripts/install-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$SECONDS

passed=0
fail() { echo "install-test: FAIL: $*" >&2; exit 1; }
step() { echo "install-test: $*"; }
ok() { passed=$((passed + 1)); step "ok - $*"; }

[ -f dist/index.js ] && [ -f dist/index.mjs ] || fail "no dist/ build; run \`npm run build\` first"
TRIPLE=$(node -p "require('./dist/native.js').platformTriple()")
BINARY="bsd-sockets.$TRIPLE.node"
[ -f "$BINARY" ] || fail "no $BINARY; run \`npm run build\` first"
[ -d "npm/$TRIPLE" ] || fail "no npm/$TRIPLE: $TRIPLE has no per-platform package"
VERSION=$(node -p "require('./package.json').version")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bsd-sockets-install-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# 1. Pack. --ignore-scripts: `prepare` would rebuild what `npm test` just built.
step "packing bsd-sockets and bsd-sockets-$TRIPLE"
npm pack --ignore-scripts --silent --pack-destination "$TMP" >/dev/null
cp -R "npm/$TRIPLE" "$TMP/platform"
cp "$BINARY" "$TMP/platform/"
(cd "$TMP/platform" && npm pack --silent --pack-destination "$TMP" >/dev/null)
MAIN_TGZ="$TMP/bsd-sockets-$VERSION.tgz"
PLAT_TGZ="$TMP/bsd-sockets-$TRIPLE-$VERSION.tgz"
[ -f "$MAIN_TGZ" ] && [ -f "$PLAT_TGZ" ] || fail "npm pack did not make $MAIN_TGZ and $PLAT_TGZ"

tar -tzf "$MAIN_TGZ" | sed 's|^package/||' | sort >"$TMP/main.files"
unexpected=$(grep -vE '^(package\.json|README\.md|LICENSE|index\.d\.ts|dist/[A-Za-z0-9_.-]+\.(js|mjs|d\.ts|d\.mts))$' "$TMP/main.files" || true)
[ -z "$unexpected" ] || fail "unexpected files in the main tarball:"$'\n'"$unexpected"
for f in dist/index.js dist/index.mjs dist/index.d.ts dist/index.d.mts dist/binding.d.ts index.d.ts; do
  grep -qx "$f" "$TMP/main.files" || fail "main tarball lacks $f"
done
[ "$(tar -tzf "$PLAT_TGZ" | sort | tr '\n' ' ')" = "package/LICENSE package/README.md package/$BINARY package/package.json " ] ||
  fail "platform tarball holds: $(tar -tzf "$PLAT_TGZ" | tr '\n' ' ')"
size() { du -k "$1" | cut -f1; }
ok "tarballs: $(basename "$MAIN_TGZ") $(wc -l <"$TMP/main.files") files, $(size "$MAIN_TGZ") KiB (no Rust, no binary); $(basename "$PLAT_TGZ") $(size "$PLAT_TGZ") KiB"

# 2. Install offline into a fresh project.
step "installing both tarballs offline into a fresh project"
APP="$TMP/app"
mkdir -p "$APP"
echo '{ "name": "consumer", "version": "1.0.0", "private": true }' >"$APP/package.json"
(
  cd "$APP"
  npm install --offline --cache "$TMP/npm-cache" --registry http://127.0.0.1:9/ \
    --no-audit --no-fund --loglevel=error "$MAIN_TGZ" "$PLAT_TGZ"
) || fail "offline npm install of the tarballs failed"
[ -f "$APP/node_modules/bsd-sockets/package.json" ] && [ -f "$APP/node_modules/bsd-sockets-$TRIPLE/$BINARY" ] ||
  fail "the install did not put bsd-sockets and bsd-sockets-$TRIPLE in node_modules"
[ ! -e "$APP/node_modules/bsd-sockets/$BINARY" ] || fail "the main package carries a binary"
ok "offline install of both tarballs into a fresh project"

# 3. Smoke, ESM and CommonJS.
cp __test__/consumer/* "$APP/"
(cd "$APP" && node smoke.mjs) || fail "ESM smoke script failed"
ok "ESM import: socketpair round trip"
(cd "$APP" && node smoke.cjs) || fail "CommonJS smoke script failed"
ok "CommonJS require: socketpair round trip, addon from bsd-sockets-$TRIPLE"

# 4. Types. The consumer borrows this checkout's TypeScript and @types/node (linked after
# the install, which would prune them as extraneous).
ln -s "$ROOT/node_modules/@types" "$APP/node_modules/@types"
TSC="$ROOT/node_modules/typescript/bin/tsc"
for config in tsconfig.json tsconfig.bundler.json; do
  (cd "$APP" && node "$TSC" -p "$config") || fail "the usage files do not type-check ($config)"
  ok "usage files type-check against the packed .d.ts, strict ($config)"
done

set +e
(cd "$APP" && node "$TSC" -p tsconfig.misuse.json --pretty false) >"$TMP/misuse.out" 2>&1
status=$?
set -e
[ "$status" -ne 0 ] || fail "misuse.mts compiled; it must not"
expected=$(grep -n '// TS[0-9]\+$' "$APP/misuse.mts" | sed -E 's|^([0-9]+):.*// (TS[0-9]+)$|\1 \2|' | sort)
actual=$(sed -nE 's|^misuse\.mts\(([0-9]+),[0-9]+\): error (TS[0-9]+):.*|\1 \2|p' "$TMP/misuse.out" | sort -u)
if [ "$expected" != "$actual" ]; then
  cat "$TMP/misuse.out" >&2
  fail "misuse.mts errors differ from its markers"$'\n'"expected (line code):"$'\n'"$expected"$'\n'"actual:"$'\n'"$actual"
fi
[ "$(grep -c 'error TS' "$TMP/misuse.out")" -eq "$(echo "$expected" | wc -l)" ] || { cat "$TMP/misuse.out" >&2; fail "misuse.mts has unmarked errors"; }
ok "misuse.mts fails to compile with exactly its $(echo "$expected" | wc -l) marked errors"

# 5. npm/ matches package.json.
mkdir "$TMP/dirs"
cp package.json "$TMP/dirs/"
(cd "$TMP/dirs" && "$ROOT/node_modules/.bin/napi" create-npm-dirs >/dev/null 2>&1) || fail "napi create-npm-dirs failed"
diff -r --exclude='*.node' --exclude=LICENSE npm "$TMP/dirs/npm" >&2 || fail "npm/ differs from \`napi create-npm-dirs\` output (run it and commit npm/)"
ok "npm/ is what \`napi create-npm-dirs\` makes from package.json"

step "done in $((SECONDS - start)) s"
echo "install-test: $passed passed, 0 failed"
