#!/bin/sh
# Make sure the browser tests of the HTML reports have what they need, and never fail the build:
#   - Debian's headless Chromium (tools/ensure-chromium.sh),
#   - Debian's chromium-driver (selenium drives Chromium through it) and poppler-utils
#     (pdftoppm turns a report's PDF into a PNG), with apt-get when we are root,
#   - axe-core's script (npm package, version pinned in tools/package.json) in tools/node_modules.
# Whatever cannot be had here, the tests that need it skip and say which part is missing.
here=$(dirname "$0")
sh "$here/ensure-chromium.sh"
missing=""
command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "ensure-browser-tests: installing Debian's$missing for the browser tests" >&2
        # shellcheck disable=SC2086 # one word per package
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; }; then
            echo "ensure-browser-tests: apt-get could not install$missing; the tests that need it will skip" >&2
        fi
    else
        echo "ensure-browser-tests:$missing missing and cannot be installed here (not root or no apt-get); the tests that need it will skip" >&2
    fi
fi
if [ ! -f "$here/node_modules/axe-core/axe.min.js" ]; then
    if command -v npm >/dev/null 2>&1; then
        echo "ensure-browser-tests: installing axe-core (tools/package.json) into tools/node_modules" >&2
        npm install --prefix "$here" --no-audit --no-fund --silent >/dev/null 2>&1 \
            || echo "ensure-browser-tests: npm could not install axe-core; the accessibility tests will skip" >&2
    else
        echo "ensure-browser-tests: npm is missing, so axe-core cannot be installed; the accessibility tests will skip" >&2
    fi
fi
exit 0
