#!/usr/bin/env bash
# e2e_pfx2as.sh - the victim's origin AS from RouteViews prefix-to-AS
# tables (--pfx2as), end to end with the real binary. A generated capture
# with IPv4 and IPv6 victims (data/gen/bsgen.py, ipv6 scenario over a
# mixed telescope, 3 files) and tables generated here around its victims:
# nested prefixes of every length, /32 and /128 host routes, multi-origin
# (`_`), AS-set (`,`) and combined fields, victims no prefix holds, an IPv4
# table in gzip and an IPv6 one plain (then both in zstd, and one through
# a pipe: the same rows). A longest-prefix matcher written
# here in Python (ipaddress) gives every victim's expected asn; the asn
# column must equal it row by row, with and without --asn-db (then as_org
# is MaxMind's only where its AS is the table's single origin), and every
# other column must be that of the run without tables. summary.json names
# the tables and the AS source; shards merged from flows.state give the
# single run's bytes; sqlite3 and Python's csv load the file as
# docs/consumers.md says. Bad tables: one line naming file and line, exit
# 1, nothing written.
. "$TOPSRC/tests/lib.sh"

TEL=10.0.0.0/8,2001:db8::/32
G=$WORK/gen
ASN_DB=$TOPSRC/data/mmdb/GeoLite2-ASN-Test.mmdb

collect() { "$BACKSCATTER" collect --quiet --telescope "$TEL" "$@"; }
exists() { [ -e "$1" ] && echo yes || echo no; }

$GEN --scenario ipv6 --telescope "$TEL" --seed 5 --files 3 --out "$G" --quiet
collect --out "$WORK/plain" "$G"/trace-*.pcap
check_eq "collect without tables" 0 $?
collect --asn-db "$ASN_DB" --out "$WORK/maxmind" "$G"/trace-*.pcap
check_eq "collect with --asn-db" 0 $?

# ---- the tables, built around the victims of the truth ----
# Victims of the MaxMind test database get its AS as a single origin now
# and then (as_org kept), or another one (as_org dropped).
"$PYTHON3" - "$G/truth.csv" "$WORK/maxmind/attacks.csv" "$WORK" <<'PY'
import csv, gzip, ipaddress, random, sys
truth, maxmind, out = sys.argv[1:]
rnd = random.Random(11)
rows = list(csv.DictReader(open(truth)))
victims = sorted({r["victim"] for r in rows},
                 key=lambda v: (ipaddress.ip_address(v).version, ipaddress.ip_address(v)))
attacked = sorted({r["victim"] for r in rows if r["expected_rsdos"] == "1"})
unmatched = set(attacked[1::5])  # no prefix holds these at all
mm = {r["victim"]: r["asn"] for r in csv.DictReader(open(maxmind))}
def field():
    k = rnd.randrange(5)
    a = [str(rnd.randrange(1, 4200000000)) for _ in range(3)]
    return [a[0], "_".join(a[:2]), ",".join(a[:2]), "%s_%s,%s" % tuple(a), "_".join(a)][k]
table = {}
for i, v in enumerate(victims):
    ip = ipaddress.ip_address(v)
    width = ip.max_prefixlen
    if v in unmatched:
        continue
    # one to three nested prefixes around it, the longest sometimes a host route
    lens = sorted(rnd.sample([8, 12, 16, 20, 24, 28, width] if width == 32
                             else [16, 32, 40, 48, 64, 96, 128], rnd.randrange(1, 4)))
    for n in lens:
        net = ipaddress.ip_network("%s/%d" % (v, n), strict=False)
        if net not in table:
            f = field()
            if n == lens[-1] and mm.get(v) and i % 3 == 0:
                f = mm[v]  # MaxMind's AS: as_org stays
            table[net] = f
for n in [n for n in table if any(ipaddress.ip_address(u) in n for u in unmatched)]:
    del table[n]
v4 = [n for n in table if n.version == 4]
v6 = [n for n in table if n.version == 6]
rnd.shuffle(v4)
with gzip.open(out + "/rv2.pfx2as.gz", "wt") as f:
    for n in v4:
        f.write("%s\t%d\t%s\n" % (n.network_address, n.prefixlen, table[n]))
with open(out + "/rv6.pfx2as", "w") as f:
    for n in v6:
        f.write("%s\t%d\t%s\n" % (n.network_address, n.prefixlen, table[n]))
with open(out + "/expected.csv", "w") as f:
    for v in victims:
        ip = ipaddress.ip_address(v)
        best = max((n for n in table if n.version == ip.version and ip in n),
                   key=lambda n: n.prefixlen, default=None)
        f.write("%s,%s\n" % (v, table[best] if best else ""))
forms = [sum(1 for x in table.values() if c in x) for c in "_,"]
print("prefixes %d IPv4, %d IPv6; multi-origin %d, AS sets %d" % (len(v4), len(v6), *forms))
PY
check_eq "tables generated" 0 $?
TABLES="--pfx2as $WORK/rv2.pfx2as.gz --pfx2as $WORK/rv6.pfx2as"

# check_asn DIR WITH_MAXMIND: asn as the Python matcher says, as_org as the
# rule says, every other column that of the run without tables.
check_asn() {
	"$PYTHON3" - "$1" "$WORK/expected.csv" "$WORK/plain/attacks.csv" \
		"$WORK/maxmind/attacks.csv" "$2" <<'PY'
import csv, sys
got, expected, plain, maxmind, with_mm = sys.argv[1:]
want = dict(line.rstrip("\n").split(",", 1) for line in open(expected))
rows = list(csv.DictReader(open(got + "/attacks.csv", newline="")))
base = list(csv.DictReader(open(plain, newline="")))
mm = list(csv.DictReader(open(maxmind, newline="")))
bad = []
if len(rows) != len(base):
    bad.append("%d rows, %d without tables" % (len(rows), len(base)))
forms = {"single": 0, "multi": 0, "none": 0, "org": 0}
for r, b, m in zip(rows, base, mm):
    if r["asn"] != want[r["victim"]]:
        bad.append("%s: asn %r, want %r" % (r["victim"], r["asn"], want[r["victim"]]))
    org = m["as_org"] if with_mm == "1" and r["asn"] and r["asn"] == m["asn"] else ""
    if r["as_org"] != org:
        bad.append("%s: as_org %r, want %r" % (r["victim"], r["as_org"], org))
    for k in b:
        if k not in ("asn", "as_org") and r[k] != b[k]:
            bad.append("%s: %s %r, without tables %r" % (r["victim"], k, r[k], b[k]))
    forms["none" if not r["asn"] else "single" if r["asn"].isdigit() else "multi"] += 1
    forms["org"] += r["as_org"] != ""
print("\n".join(bad[:20]) or "rows %d: %s" % (len(rows), forms))
# the test means something only if every case occurs
sys.exit(1 if bad or min(forms["single"], forms["multi"], forms["none"]) == 0
         or (with_mm == "1") != (forms["org"] > 0) else 0)
PY
}

collect $TABLES --out "$WORK/pfx" "$G"/trace-*.pcap
check_eq "collect --pfx2as (IPv4 gzip, IPv6 plain)" 0 $?
check "asn is the longest-prefix match of every victim, other columns unchanged" \
	check_asn "$WORK/pfx" 0
check_eq "summary.json: parameters.pfx2as" "$WORK/rv2.pfx2as.gz,$WORK/rv6.pfx2as" \
	"$(json_get "$WORK/pfx/summary.json" parameters.pfx2as)"
check_eq "summary.json: asn_source pfx2as" pfx2as \
	"$(json_get "$WORK/pfx/summary.json" parameters.asn_source)"
check_eq "summary.json: asn_source maxmind with --asn-db alone" maxmind \
	"$(json_get "$WORK/maxmind/summary.json" parameters.asn_source)"
check_eq "summary.json: asn_source null without either" None \
	"$(json_get "$WORK/plain/summary.json" parameters.asn_source)"
check "timeseries.csv as without tables" cmp "$WORK/pfx/timeseries.csv" "$WORK/plain/timeseries.csv"

# the same tables in zstd, and through a pipe: the same rows
if command -v zstd >/dev/null; then
	zstd -q -o "$WORK/rv6.pfx2as.zst" "$WORK/rv6.pfx2as"
	zstd -q -o "$WORK/rv2.pfx2as.zst" <(gzip -dc "$WORK/rv2.pfx2as.gz")
	collect --pfx2as "$WORK/rv2.pfx2as.zst" --pfx2as "$WORK/rv6.pfx2as.zst" --out "$WORK/zst" \
		"$G"/trace-*.pcap
	check_eq "collect --pfx2as with zstd tables" 0 $?
	check "  attacks.csv as with gzip and plain ones" \
		cmp "$WORK/zst/attacks.csv" "$WORK/pfx/attacks.csv"
	head -c 100 "$WORK/rv2.pfx2as.zst" >"$WORK/cut.pfx2as.zst"
	collect --pfx2as "$WORK/cut.pfx2as.zst" --out "$WORK/o-cutz" "$G"/trace-*.pcap \
		2>"$WORK/cutz.err"
	check_eq "a zstd table cut short exits 1" 1 $?
	check_eq "  says so in one line" \
		"backscatter: collect: $WORK/cut.pfx2as.zst: damaged or cut-short zstd data (cut short)" \
		"$(cat "$WORK/cutz.err")"
else
	fail "zstd missing (TEST_PKGS in scripts/setup-deps.sh)"
fi
collect --pfx2as <(cat "$WORK/rv2.pfx2as.gz") --pfx2as "$WORK/rv6.pfx2as" --out "$WORK/pipe" \
	"$G"/trace-*.pcap
check_eq "collect --pfx2as <(cat table.gz): a pipe" 0 $?
check "  attacks.csv as from the file" cmp "$WORK/pipe/attacks.csv" "$WORK/pfx/attacks.csv"

collect $TABLES --asn-db "$ASN_DB" --out "$WORK/both" "$G"/trace-*.pcap
check_eq "collect --pfx2as --asn-db" 0 $?
check "with --asn-db: pfx2as wins for asn, as_org only where the ASes agree" \
	check_asn "$WORK/both" 1
check_eq "summary.json: asn_source pfx2as with both" pfx2as \
	"$(json_get "$WORK/both/summary.json" parameters.asn_source)"

# ---- merge: shards' edge flows carry the AS fields ----
for i in 0 1 2; do
	collect $TABLES --asn-db "$ASN_DB" --out "$WORK/shard-$i" "$G/trace-00$i.pcap"
	check_eq "collect file $i alone with the tables" 0 $?
done
"$BACKSCATTER" merge --quiet --out "$WORK/merged" "$WORK"/shard-{2,0,1}
check_eq "merge of the 3 shards" 0 $?
check "merged attacks.csv is the single run's, byte for byte" \
	cmp "$WORK/merged/attacks.csv" "$WORK/both/attacks.csv"
check_eq "merged summary.json keeps parameters.pfx2as" \
	"$WORK/rv2.pfx2as.gz,$WORK/rv6.pfx2as" "$(json_get "$WORK/merged/summary.json" parameters.pfx2as)"
check_eq "merged summary.json: asn_source" pfx2as \
	"$(json_get "$WORK/merged/summary.json" parameters.asn_source)"
collect --asn-db "$ASN_DB" --out "$WORK/shard-mm" "$G/trace-002.pcap"
"$BACKSCATTER" merge --out "$WORK/mixed" "$WORK/shard-0" "$WORK/shard-1" "$WORK/shard-mm" \
	>/dev/null 2>"$WORK/mixed.err"
check_eq "merge of shards with and without tables" 0 $?
check "  warns that pfx2as differs" grep -q "shard-mm: pfx2as none differs from" "$WORK/mixed.err"

# shards of an older version (no flows.state) merge from their rows: the
# asn cells are read back, multi-origin ones included
for i in 0 1 2; do
	cp -r "$WORK/shard-$i" "$WORK/old-$i"
	rm "$WORK/old-$i/flows.state"
done
"$BACKSCATTER" merge --out "$WORK/rows" "$WORK"/old-{0,1,2} >/dev/null 2>&1
check_eq "merge from rows" 0 $?
check "  keeps every victim's asn and as_org" "$PYTHON3" -c '
import csv, sys
a = {(r["victim"], r["asn"], r["as_org"]) for r in csv.DictReader(open(sys.argv[1]))}
b = {(r["victim"], r["asn"], r["as_org"]) for r in csv.DictReader(open(sys.argv[2]))}
sys.exit(a != b)' "$WORK/rows/attacks.csv" "$WORK/both/attacks.csv"

# ---- report reads the asn cells ----
"$BACKSCATTER" report --quiet --format md --out "$WORK/rep" "$WORK/both" >/dev/null 2>&1
st=$?
check "report over it writes report.md (exit $st)" test "$st" -ne 1 -a "$st" -ne 2 -a -s "$WORK/rep/report.md"

# ---- consumers: sqlite3 with the declared types, Python's csv ----
if command -v sqlite3 >/dev/null; then
	got=$(sqlite3 -batch :memory: <<SQL
CREATE TABLE attacks (attack_id INTEGER, victim TEXT, protocol TEXT, start_time TEXT,
  end_time TEXT, duration_s REAL, packets INTEGER, bytes INTEGER, telescope_addrs INTEGER,
  victim_ports INTEGER, top_port INTEGER, responses TEXT, peak_ppm INTEGER, mean_pps REAL,
  est_attack_pps REAL, uniformity_a2 REAL, uniform INTEGER, icmp_mismatches INTEGER,
  responder TEXT, country TEXT, asn INTEGER, as_org TEXT, attack_ports INTEGER,
  vector_group INTEGER);
.import --csv --skip 1 $WORK/both/attacks.csv attacks
UPDATE attacks SET asn = NULLIF(asn, '');
SELECT count(*) = sum(asn IS NULL OR (typeof(asn) = 'integer' AND asn > 0)
                      OR (typeof(asn) = 'text' AND (asn GLOB '*_*' OR asn GLOB '*,*'))),
       sum(typeof(asn) = 'text') > 0, sum(typeof(asn) = 'integer') > 0 FROM attacks;
SQL
)
	check_eq "sqlite3: asn an integer, or the origin text of several ASes" "1|1|1" "$got"
else
	fail "sqlite3 missing (TEST_PKGS in scripts/setup-deps.sh)"
fi
check "Python csv: every asn cell is empty, an AS or ASes joined by _ and ," "$PYTHON3" -c '
import csv, re, sys
ok = re.compile(r"[1-9][0-9]*([_,][1-9][0-9]*)*\Z")
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
sys.exit(not rows or any(r["asn"] and not ok.match(r["asn"]) for r in rows))' "$WORK/both/attacks.csv"

# ---- bad tables: one line naming file and line, exit 1, nothing written ----
printf '192.0.2.0\t24\t64500\n198.51.100.0\t24\t64500_x\n' >"$WORK/bad.pfx2as"
collect --pfx2as "$WORK/bad.pfx2as" --out "$WORK/o-bad" "$G"/trace-*.pcap 2>"$WORK/bad.err"
check_eq "a bad origin field exits 1" 1 $?
check_eq "  one line naming file and line" \
	"backscatter: collect: $WORK/bad.pfx2as: line 2: origin is not AS numbers joined by '_' or ',': '64500_x'" \
	"$(cat "$WORK/bad.err")"
check_eq "  nothing written" no "$(exists "$WORK/o-bad")"
printf '192.0.2.0\t24\t1\n192.0.2.0\t24\t2\n' | gzip >"$WORK/dup.pfx2as.gz"
collect --pfx2as "$WORK/dup.pfx2as.gz" --out "$WORK/o-dup" "$G"/trace-*.pcap 2>"$WORK/dup.err"
check_eq "a prefix given twice exits 1" 1 $?
check_eq "  named with both lines" \
	"backscatter: collect: $WORK/dup.pfx2as.gz: line 2: prefix 192.0.2.0/24 already given at line 1" \
	"$(cat "$WORK/dup.err")"
head -c 100 "$WORK/rv2.pfx2as.gz" >"$WORK/cut.pfx2as.gz"
collect --pfx2as "$WORK/cut.pfx2as.gz" --out "$WORK/o-cut" "$G"/trace-*.pcap 2>"$WORK/cut.err"
check_eq "a gzip table cut short exits 1" 1 $?
check "  says so in one line" grep -qx "backscatter: collect: $WORK/cut.pfx2as.gz: damaged or cut-short gzip data (.*)" "$WORK/cut.err"
collect --pfx2as "$WORK/none.pfx2as" --out "$WORK/o-none" "$G"/trace-*.pcap 2>"$WORK/none.err"
check_eq "a missing table exits 1" 1 $?
check_eq "  naming it" "backscatter: collect: $WORK/none.pfx2as: No such file or directory" "$(cat "$WORK/none.err")"
check_eq "  nothing written" no "$(exists "$WORK/o-none")"
"$BACKSCATTER" run --quiet --telescope "$TEL" --pfx2as "$WORK/bad.pfx2as" --out "$WORK/o-run" \
	"$G"/trace-*.pcap 2>/dev/null
check_eq "run takes --pfx2as too (a bad one exits 1)" 1 $?

finish
