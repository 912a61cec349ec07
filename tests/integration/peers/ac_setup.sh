#!/bin/sh
# ac_setup.sh DIR -- makes sure ajv@8 and ajv-formats@3 (for ac_validate.js)
# are installed under DIR (a cache below the build directory), installing
# them from the npm registry the first time.  Prints nothing on success.
set -eu
dir=${1:?usage: ac_setup.sh DIR}
if [ -f "$dir/node_modules/ajv/package.json" ] && [ -f "$dir/node_modules/ajv-formats/package.json" ]; then
    exit 0
fi
command -v node >/dev/null || { echo "ac_setup.sh: node not installed (make deps)" >&2; exit 1; }
command -v npm >/dev/null || { echo "ac_setup.sh: npm not installed (make deps)" >&2; exit 1; }
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error ajv@8 ajv-formats@3 >"$dir/npm.log" 2>&1 ||
    { cat "$dir/npm.log" >&2; echo "ac_setup.sh: npm install failed" >&2; exit 1; }
