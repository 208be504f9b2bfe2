#!/bin/sh
# Make sure a Java runtime (17 or later) is available for the Spark tests (tests/test_spark.py).
# Installs Debian's openjdk-17-jre-headless with apt-get only when java is missing and we are
# root; never fails the build: when it cannot be installed, the Spark tests skip and say how.
if command -v java >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-java: installing openjdk-17-jre-headless for the Spark tests" >&2
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; then
        exit 0
    fi
    echo "ensure-java: apt-get could not install openjdk-17-jre-headless; the Spark tests will skip" >&2
else
    echo "ensure-java: java is missing and cannot be installed here (not root or no apt-get); the Spark tests will skip (install openjdk-17-jre-headless)" >&2
fi
exit 0
