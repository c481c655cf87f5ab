#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the
# nightly job (collect, then report) on the sample capture in data/sample.
# Ends by printing where the results and report.html are.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/setup-deps.sh
. "$top/scripts/setup-deps.sh"
# shellcheck disable=SC2086
install_packages $BUILD_PKGS $RUN_PKGS
"$top/scripts/build.sh" "$top/build"
out=${1:-$top/out/sample}
telescope=10.0.0.0/8 # the sample's telescope, see data/README.md
status=0
"$top/build/backscatter" run --telescope "$telescope" --out "$out" \
	--geo-db "$top/data/mmdb/GeoIP2-Country-Test.mmdb" \
	--asn-db "$top/data/mmdb/GeoLite2-ASN-Test.mmdb" \
	"$top"/data/sample/*.pcap.gz >/dev/null || status=$?
echo "results: $out/attacks.csv $out/timeseries.csv $out/summary.json"
echo "report: $out/report.html"
exit $status
