#!/bin/sh
# Make sure Debian's headless Chromium is available for the HTML report test.
# Installs it with apt-get only when it is missing and we are root; never fails the build:
# when it cannot be installed, the browser test skips and says why.
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: installing Debian's chromium for the HTML report test" >&2
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
        exit 0
    fi
    echo "ensure-chromium: apt-get could not install chromium; the browser test will skip" >&2
else
    echo "ensure-chromium: chromium is missing and cannot be installed here (not root or no apt-get); the browser test will skip" >&2
fi
exit 0
