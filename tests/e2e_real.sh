#!/usr/bin/env bash
# End-to-end on real third-party captures (tests/data/real, see SOURCES.md).
# Expected numbers are independent tshark counts (tests/data/real/EXPECTED.md),
# never output of this program.
. "$TOPSRC/tests/lib.sh"
R=$TESTDATA/real

run() { # run OUT TELESCOPE [options] TRACE...: collect quietly, exit status in $WORK/rc
	local out=$1 tel=$2
	shift 2
	"$BACKSCATTER" collect --quiet --telescope "$tel" --out "$out" "$@"
	echo $? >"$WORK/rc"
}
counter() { json_get "$1/summary.json" "counters.$2"; }

# The BBN darknet hour (a /24 telescope): 129 backscatter packets by tshark,
# and no attack at the default (/8-calibrated) thresholds.
run "$WORK/bbn" 10.33.25.0/24 "$R/ex-2023-07-01.pcap.gz"
check_eq "bbn: exit status 0" 0 "$(cat "$WORK/rc")"
check_eq "bbn: packets read = tshark count" 124277 "$(counter "$WORK/bbn" packets)"
check_eq "bbn: backscatter = tshark count" 129 "$(counter "$WORK/bbn" backscatter)"
check_eq "bbn: no attack at default thresholds" 0 "$(csv_rows "$WORK/bbn/attacks.csv")"
# With thresholds scaled to a /24 and a one-hour timeout, the three sources
# the tshark table ranks first (30, 27 and 11 packets to 16, 18, 11
# addresses) are the attacks.
run "$WORK/bbn-low" 10.33.25.0/24 --flow-timeout 3600 --min-packets 10 --min-duration 0 \
	--min-ppm 0 "$R/ex-2023-07-01.pcap.gz"
check_eq "bbn: low thresholds flag the top three sources" \
	"216.146.26.8 217.74.20.56 51.81.43.54" \
	"$(cut -d, -f2 "$WORK/bbn-low/attacks.csv" | tail -n +2 | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "bbn: 217.74.20.56 has the 30 packets tshark counts" 30 \
	"$(awk -F, '$2 == "217.74.20.56" {print $7}' "$WORK/bbn-low/attacks.csv")"
check_eq "bbn: ICMP 3/3 quoting UDP names the quoted victim" 4 \
	"$(json_get "$WORK/bbn/summary.json" counters.backscatter >/dev/null;
	   "$BACKSCATTER" collect --quiet --telescope 10.33.25.0/24 --out "$WORK/bbn-udp" \
		--min-packets 1 --min-duration 0 --min-ppm 0 --min-dests 1 "$R/ex-2023-07-01.pcap.gz";
	   awk -F, '$2 == "153.163.89.203" && $3 == "UDP" {s += $7} END {print s}' "$WORK/bbn-udp/attacks.csv")"

# The same 100 packets as pcap, pcapng and ERF give identical results.
for f in 100_packets.pcap 100_packets.pcapng 100_packets.erf; do
	run "$WORK/$f" 0.0.0.0/0 --min-packets 1 --min-duration 0 --min-ppm 0 --min-dests 1 "$R/$f"
	check_eq "$f: exit status 0" 0 "$(cat "$WORK/rc")"
	check_eq "$f: 100 packets read" 100 "$(counter "$WORK/$f" packets)"
	check_eq "$f: 2 backscatter (tshark)" 2 "$(counter "$WORK/$f" backscatter)"
done
for f in 100_packets.pcapng 100_packets.erf; do
	check "$f: attacks.csv identical to pcap" cmp "$WORK/100_packets.pcap/attacks.csv" "$WORK/$f/attacks.csv"
	check "$f: timeseries.csv identical to pcap" cmp "$WORK/100_packets.pcap/timeseries.csv" "$WORK/$f/timeseries.csv"
done
# Byte order and time unit of a pcap file, which the reader decodes itself
# on its fast path: the same packets written big-endian and with
# nanosecond times (the nanoseconds are the microseconds x 1000 + 999, which
# must truncate back) give the same results.
repcap() { # repcap IN OUT ENDIAN(<|>) NANO(0|1)
	"$PYTHON3" - "$@" <<'PY'
import struct, sys
src, dst, endian, nano = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
data = open(src, "rb").read()
magic = data[:4]
e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
fields = struct.unpack(e + "IHHiIII", data[:24])
out = [struct.pack(endian + "IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, *fields[1:])]
off = 24
while off < len(data):
    sec, frac, caplen, wire = struct.unpack(e + "IIII", data[off:off + 16])
    out.append(struct.pack(endian + "IIII", sec, frac * 1000 + 999 if nano else frac, caplen, wire))
    out.append(data[off + 16:off + 16 + caplen])
    off += 16 + caplen
open(dst, "wb").write(b"".join(out))
PY
}
for v in "big:>:0" "nano:<:1" "big-nano:>:1"; do
	IFS=: read -r name endian nano <<<"$v"
	repcap "$R/100_packets.pcap" "$WORK/100_packets-$name.pcap" "$endian" "$nano"
	run "$WORK/pcap-$name" 0.0.0.0/0 --min-packets 1 --min-duration 0 --min-ppm 0 --min-dests 1 \
		"$WORK/100_packets-$name.pcap"
	check_eq "pcap $name: 100 packets read" 100 "$(counter "$WORK/pcap-$name" packets)"
	check "pcap $name: attacks.csv identical to pcap" cmp "$WORK/100_packets.pcap/attacks.csv" \
		"$WORK/pcap-$name/attacks.csv"
	check "pcap $name: timeseries.csv identical to pcap" cmp \
		"$WORK/100_packets.pcap/timeseries.csv" "$WORK/pcap-$name/timeseries.csv"
done
run "$WORK/erf-uri" 0.0.0.0/0 --min-packets 1 --min-duration 0 --min-ppm 0 --min-dests 1 "erf:$R/100_packets.erf"
check "erf: URI form gives the same attacks.csv" cmp "$WORK/100_packets.pcap/attacks.csv" "$WORK/erf-uri/attacks.csv"

# Flag combinations: backscatter exactly for RST (any flags) and SYN+ACK.
for spec in tcpcontrol_one_way_all_flags.pcap:39 tcpcontrol_single_syn_ack.pcap:1 \
	tcpcontrol_single_rst.pcap:1 tcpcontrol_single_syn.pcap:0; do
	f=${spec%%:*}
	run "$WORK/$f" 0.0.0.0/0 "$R/$f"
	check_eq "$f: backscatter = tshark count" "${spec##*:}" "$(counter "$WORK/$f" backscatter)"
done
run "$WORK/flags-low" 0.0.0.0/0 --min-packets 1 --min-duration 0 --min-ppm 0 --min-dests 1 \
	"$R/tcpcontrol_one_way_all_flags.pcap"
check_eq "flags: one victim, responses TCP_SYNACK|TCP_RST" "TCP_SYNACK|TCP_RST" \
	"$(awk -F, 'NR == 2 {print $12}' "$WORK/flags-low/attacks.csv")"

# Link layers through libtrace: 802.1Q, QinQ, Linux SLL, MPLS; and ICMP
# port unreachables quoting UDP (tcpdump's afs.pcap).
for spec in vlan.pcap:10 qinq.pcap:0 sll.pcap.gz:1 mpls.pcap:5 afs.pcap:25; do
	f=${spec%%:*}
	run "$WORK/$f" 0.0.0.0/0 "$R/$f"
	check_eq "$f: exit status 0" 0 "$(cat "$WORK/rc")"
	check_eq "$f: backscatter = tshark count" "${spec##*:}" "$(counter "$WORK/$f" backscatter)"
done
check_eq "qinq.pcap: both ARP frames counted as non-IP" 2 "$(counter "$WORK/qinq.pcap" non_ip)"

# Geolocation on the sample: victims in MaxMind's test networks get
# countries and ASes; never the router (responder) of ICMP errors.
S=$TOPSRC/data/sample
"$BACKSCATTER" collect --quiet --telescope 10.0.0.0/8 --out "$WORK/sample" \
	--geo-db "$TOPSRC/data/mmdb/GeoIP2-Country-Test.mmdb" \
	--asn-db "$TOPSRC/data/mmdb/GeoLite2-ASN-Test.mmdb" "$S"/trace-*.pcap.gz
check "sample: precision and recall 1.0 against the truth" \
	$SCORE --truth "$S/truth.csv" --attacks "$WORK/sample/attacks.csv" --exact
check_eq "sample: 89.160.20.x victims are SE / AS29518" "SE 29518 Bredband2 AB" \
	"$("$PYTHON3" -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["victim"].startswith("89.160.20.")]
print(" ".join(sorted({" ".join((r["country"], r["asn"], r["as_org"])) for r in rows})))' "$WORK/sample/attacks.csv")"
check "sample: router-generated errors geolocate the victim, not the responder" "$PYTHON3" -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["responder"]]
assert rows, "no router-generated attack in the sample"
for r in rows:
    assert r["victim"] != r["responder"]
    if r["victim"].startswith(("216.160.83.", "89.160.20.")):
        assert r["country"] in ("US", "SE"), r
' "$WORK/sample/attacks.csv"

finish
