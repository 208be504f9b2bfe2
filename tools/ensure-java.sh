#!/bin/sh
# Make sure a Java runtime (17 or later) is available for the Spark tests (tests/test_spark.py).
# Installs Debian's openjdk-17-jre-headless with apt-get only when java is missing and we are
# root; never fails the build: when it cannot be installed, the Spark tests skip and say how.
if command -v java >/dev/null 2>&1; then
    # "openjdk version "17.0.15"" or "java version "1.8.0_..."": Spark 4 needs 17 or later
    major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
    if [ -n "$major" ] && [ "$major" -ge 17 ] 2>/dev/null; then
        exit 0
    fi
    echo "ensure-java: java is version ${major:-unknown}; the Spark tests need 17 or later" >&2
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-java: installing openjdk-17-jre-headless for the Spark tests" >&2
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; then
        exit 0
    fi
    echo "ensure-java: apt-get could not install openjdk-17-jre-headless; the Spark tests will skip" >&2
else
    echo "ensure-java: Java 17 is missing and cannot be installed here (not root or no apt-get); the Spark tests will skip (install openjdk-17-jre-headless)" >&2
fi
exit 0
