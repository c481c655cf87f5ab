#!/usr/bin/env bash
# e2e_report.sh - end-to-end tests of `backscatter report` with the real
# binary: command-line errors, the hand-made collect directories of
# tests/data/report/ (numbers worked out by hand: dedup across an
# overlapping shard, a day without data, the incomplete-input warning),
# gnuplot missing or failing (tables still written, exit 3), generated
# realistic nights (every PNG valid, the HTML well formed and its images
# present), two nights made by data/gen/bsgen.py run through `collect` and
# `report` whose tables must equal the generator's ground truth, and a
# consumer test that loads attacks.csv and timeseries.csv unchanged with
# sqlite3 and with Python's csv module (docs/consumers.md shows the same).
. "$TOPSRC/tests/lib.sh"

FIX=$TESTDATA/report
PLOTS=$TOPSRC/plots
FIGURES="per_day per_hour timeseries repeats duration_cdf rate_cdf peak_ppm"
# A PNG smaller than this is an empty or failed plot: gnuplot's 900x500
# figures with axes, labels and data are 15-90 KB.
MIN_PNG_BYTES=5120

report() { "$BACKSCATTER" report "$@"; }

# md_cell FILE SECTION ROWKEY COLUMN: the cell of report.md's table under
# "## SECTION" whose first column is ROWKEY, in column COLUMN (a header
# name); the first table of the section, Markdown escapes removed.
md_cell() {
	"$PYTHON3" - "$@" <<'PY'
import re, sys
path, section, key, column = sys.argv[1:5]
rows, head, in_section = [], None, False
for line in open(path, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("## "):
        if in_section and head:
            break
        in_section = line[3:] == section
        continue
    if not in_section or not line.startswith("|"):
        if in_section and head:
            break
        continue
    cells = [re.sub(r"\\(.)", r"\1", c.strip()) for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    if head is None:
        head = cells
    elif not set(line) <= set("|-: "):
        rows.append(dict(zip(head, cells)))
for r in rows:
    if r[head[0]] == key:
        print(r[column])
        break
else:
    print("(no row %s)" % key)
PY
}

# md_rows FILE SECTION: number of data rows of the section's first table.
md_rows() {
	awk -v s="## $2" '$0 == s {on = 1; next} /^## / {on = 0} on && /^\|/ {n++} END {print n - 2}' "$1"
}

# pngs_ok DIR: every figure of FIGURES is a PNG from gnuplot of useful size.
pngs_ok() {
	"$PYTHON3" - "$1" "$MIN_PNG_BYTES" $FIGURES <<'PY'
import os, sys
d, minimum, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
bad = []
for n in names:
    p = os.path.join(d, "plots", n + ".png")
    try:
        data = open(p, "rb").read()
    except OSError as e:
        bad.append("%s: %s" % (n, e.strerror))
        continue
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        bad.append(n + ": not a PNG")
    elif len(data) < minimum:
        bad.append("%s: only %d bytes" % (n, len(data)))
    elif data[12:16] != b"IHDR" or int.from_bytes(data[16:20], "big") != 900:
        bad.append(n + ": not 900 pixels wide")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}

# html_ok DIR [IMAGES]: report.html parses, tags balance, no script or
# remote reference, and every <img src> exists; with IMAGES, that many.
html_ok() {
	"$PYTHON3" - "$@" <<'PY'
import os, sys
from html.parser import HTMLParser
d = sys.argv[1]
want = int(sys.argv[2]) if len(sys.argv) > 2 else None
VOID = {"meta", "img", "br", "hr", "link", "input"}
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.imgs, self.errors = [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.errors.append("has a <script>")
        for k in ("src", "href"):
            if k in a and ("//" in a[k] or a[k].startswith("data:")):
                self.errors.append("remote or inline reference " + a[k])
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        elif tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s>" % tag)
        else:
            self.stack.pop()
p = P()
p.feed(open(os.path.join(d, "report.html"), encoding="utf-8").read())
p.close()
if p.stack:
    p.errors.append("unclosed " + " ".join(p.stack))
for src in p.imgs:
    if not os.path.isfile(os.path.join(d, src)):
        p.errors.append("missing image " + src)
if want is not None and len(p.imgs) != want:
    p.errors.append("%d images, expected %d" % (len(p.imgs), want))
print("\n".join(p.errors))
sys.exit(1 if p.errors else 0)
PY
}

# ---- command line ----
check "report --help exits 0" report --help
report --bogus "$FIX/night1" >/dev/null 2>&1
check_eq "unknown option exits 2" 2 $?
report >/dev/null 2>&1
check_eq "no directory exits 2" 2 $?
report "$FIX/night1" "$FIX/night2" >/dev/null 2>&1
check_eq "two directories without --out exit 2" 2 $?
report --since yesterday --out "$WORK/x" "$FIX/night1" >/dev/null 2>&1
check_eq "bad --since exits 2" 2 $?
report --since 2026-11-26 --until 2026-11-25 --out "$WORK/x" "$FIX/night1" >/dev/null 2>&1
check_eq "--since after --until exits 2" 2 $?
report --format pdf --out "$WORK/x" "$FIX/night1" >/dev/null 2>&1
check_eq "--format pdf exits 2" 2 $?
report --top 0 --out "$WORK/x" "$FIX/night1" >/dev/null 2>&1
check_eq "--top 0 exits 2" 2 $?
report --plots-dir "$WORK" --out "$WORK/x" "$FIX/night1" >/dev/null 2>&1
check_eq "--plots-dir without templates exits 2" 2 $?
report --plots-dir "$PLOTS" --out "$WORK/missing-out" "$WORK/no-such-night" 2>"$WORK/err"
check_eq "missing input directory exits 1" 1 $?
check "  and says which file" grep -q "no-such-night/summary.json" "$WORK/err"
check_eq "  and writes nothing" no "$([ -e "$WORK/missing-out" ] && echo yes || echo no)"

# ---- hand-made directories: night1, an overlapping shard, night2 ----
OUT=$WORK/small
report --plots-dir "$PLOTS" --out "$OUT" "$FIX/night1" "$FIX/shard" "$FIX/night2" \
	>"$WORK/stdout" 2>"$WORK/err"
check_eq "incomplete shard: exit 3" 3 $?
check "  warning names the shard" grep -q "shard is incomplete" "$WORK/err"
check_eq "  prints the report's path" "$OUT/report.html" "$(cat "$WORK/stdout")"
MD=$OUT/report.md
check_eq "attacks: 9 after dedup" "9" "$(md_cell "$MD" Totals Attacks Value | cut -d' ' -f1)"
check_eq "distinct victims: 5" "5" "$(md_cell "$MD" Totals "Distinct victims" Value | cut -d' ' -f1)"
check_eq "TCP attacks" 6 "$(md_cell "$MD" "Attack protocols" TCP Attacks)"
check_eq "UDP attacks" 2 "$(md_cell "$MD" "Attack protocols" UDP Attacks)"
check_eq "ICMP attacks" 1 "$(md_cell "$MD" "Attack protocols" ICMP Attacks)"
check_eq "UDP packets keep the fuller copy" 2700 \
	"$(md_cell "$MD" "Attack protocols" UDP "Backscatter packets")"
check_eq "11-24 attacks" 2 "$(md_cell "$MD" "Attacks and victims per day" 2026-11-24 Attacks)"
check_eq "11-25 attacks" 5 "$(md_cell "$MD" "Attacks and victims per day" 2026-11-25 Attacks)"
check_eq "11-25 victims" 4 "$(md_cell "$MD" "Attacks and victims per day" 2026-11-25 Victims)"
check_eq "11-26 is a gap" "no data" \
	"$(md_cell "$MD" "Attacks and victims per day" 2026-11-26 Attacks)"
check_eq "11-27 attacks" 2 "$(md_cell "$MD" "Attacks and victims per day" 2026-11-27 Attacks)"
check_eq "top victim" 192.0.2.1 "$(md_cell "$MD" "Top victims by number of attacks" 1 Victim)"
check_eq "top victim's attacks" 4 "$(md_cell "$MD" "Top victims by number of attacks" 1 Attacks)"
check_eq "top rate" 2560 "$(md_cell "$MD" "Top victims by estimated attack rate" 1 \
	"Est. attack rate (pps)")"
check_eq "victims attacked once" 3 "$(md_cell "$MD" "Repeat attacks" 1 Victims)"
check_eq "victims attacked 4 times" 1 "$(md_cell "$MD" "Repeat attacks" 4 Victims)"
check_eq "services: 1st TCP" TCP "$(md_cell "$MD" "Attacked services" 1 Protocol)"
check_eq "  port 80" 80 "$(md_cell "$MD" "Attacked services" 1 Port)"
check_eq "  named http" http "$(md_cell "$MD" "Attacked services" 1 Service)"
check_eq "  6 attacks" 6 "$(md_cell "$MD" "Attacked services" 1 Attacks)"
check_eq "  66.7%" 66.7% "$(md_cell "$MD" "Attacked services" 1 Share)"
check_eq "  4 victims" 4 "$(md_cell "$MD" "Attacked services" 1 Victims)"
check_eq "services: 2nd UDP 80" "UDP 80 http 2 2700" "$(for c in Protocol Port Service Attacks \
	"Backscatter packets"; do md_cell "$MD" "Attacked services" 2 "$c"; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "services: ICMP has no port" "ICMP - no port 1" "$(for c in Protocol Port Service \
	Attacks; do md_cell "$MD" "Attacked services" 3 "$c"; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "services: 3 rows" 3 "$(md_rows "$MD" "Attacked services")"
check "  html has the section" grep -q "<h2>Attacked services</h2>" "$OUT/report.html"
check_eq "top country" US "$(md_cell "$MD" "Top countries" 1 Country)"
check_eq "AS organisation with quotes" 'Beispiel "GmbH"' \
	"$(md_cell "$MD" "Top ASes" 2 Organisation)"
check "all figures are valid PNGs" pngs_ok "$OUT"
check "report.html parses, 7 images present" html_ok "$OUT" 7

report --quiet --plots-dir "$PLOTS" --out "$WORK/rev" "$FIX/night2" "$FIX/shard" "$FIX/night1" \
	2>/dev/null
check "input order does not change the tables" cmp <(sed '/^## Inputs/,$d' "$MD") \
	<(sed '/^## Inputs/,$d' "$WORK/rev/report.md")

report --quiet --since 2026-11-25 --until 2026-11-27 --format md --plots-dir "$PLOTS" \
	--out "$WORK/window" "$FIX/night1" "$FIX/shard" "$FIX/night2" 2>/dev/null
check_eq "window: attacks" 5 "$(md_cell "$WORK/window/report.md" Totals Attacks Value | cut -d' ' -f1)"
check_eq "window: the empty day inside it is a gap" "no data" \
	"$(md_cell "$WORK/window/report.md" "Attacks and victims per day" 2026-11-26 Attacks)"
check_eq "window: md only" "no" "$([ -e "$WORK/window/report.html" ] && echo yes || echo no)"

# ---- gnuplot missing, gnuplot failing ----
mkdir -p "$WORK/nopath"
OUT=$WORK/small
PATH=$WORK/nopath "$BACKSCATTER" report --quiet --plots-dir "$PLOTS" "$FIX/night1" --out "$OUT" \
	>/dev/null 2>"$WORK/err"
check_eq "gnuplot missing: exit 3" 3 $?
check "  message names gnuplot-nox" grep -q "gnuplot-nox" "$WORK/err"
check_eq "  one line" 1 "$(grep -c . "$WORK/err")"
check "  tables still written" grep -q "Attacks and victims per day" "$OUT/report.md"
check_eq "  stale PNGs of the earlier run removed" 0 "$(ls "$OUT/plots" | grep -c '\.png$')"
check "  html has no images and parses" html_ok "$OUT" 0
check "  data files written" test -s "$OUT/plots/per_day.tsv"

cp -r "$PLOTS" "$WORK/badplots"
echo "plot undefined_function(" >>"$WORK/badplots/per_day.gp"
report --plots-dir "$WORK/badplots" --out "$WORK/bad" "$FIX/night1" >/dev/null 2>"$WORK/err"
check_eq "gnuplot failing: exit 3" 3 $?
check "  message names the template and gnuplot-nox" \
	grep -q "per_day.gp.*gnuplot-nox" "$WORK/err"
check_eq "  failed figure not written" no \
	"$([ -e "$WORK/bad/plots/per_day.png" ] && echo yes || echo no)"
check "  html references only the 6 made" html_ok "$WORK/bad" 6
check_eq "  no temporary PNG left" 0 "$(ls -A "$WORK/bad/plots" | grep -c '^\.')"

# ---- realistic nights (three days, one missing) ----
check "make realistic fixtures" $PYTHON3 "$FIX/make_fixtures.py" realistic "$WORK/real"
BACKSCATTER_PLOTS=$PLOTS "$BACKSCATTER" report --top 3 --out "$WORK/realout" \
	"$WORK"/real/night-* >/dev/null 2>"$WORK/err"
check_eq "realistic: exit 0 (templates from BACKSCATTER_PLOTS)" 0 $?
check "realistic: all figures valid PNGs" pngs_ok "$WORK/realout"
check "realistic: html parses, 7 images present" html_ok "$WORK/realout" 7
check_eq "realistic: --top 3" 3 "$(md_rows "$WORK/realout/report.md" "Top victims by number of attacks")"
check_eq "realistic: the missing day is a gap" "no data" \
	"$(md_cell "$WORK/realout/report.md" "Attacks and victims per day" 2026-11-25 Attacks)"

# ---- ground truth: two generated nights through collect and report ----
for night in 1 2; do
	start=2026-11-2$((2 * night + 2))T00:00:00Z # 24th and 26th: the 25th has no data
	$GEN --scenario mixed --seed $((40 + night)) --hours 2 --victims 60 --files 2 \
		--start "$start" --out "$WORK/gen$night" --quiet
	"$BACKSCATTER" collect --quiet --telescope 10.0.0.0/8 --out "$WORK/col$night" \
		"$WORK/gen$night"/trace-*.pcap
	check_eq "collect night $night" 0 $?
done
report --quiet --plots-dir "$PLOTS" --out "$WORK/truth" "$WORK/col1" "$WORK/col2" 2>/dev/null
check_eq "report on two collected nights: exit 0" 0 $?
check "collected nights: figures valid" pngs_ok "$WORK/truth"
check "collected nights: html valid" html_ok "$WORK/truth" 7
"$PYTHON3" - "$WORK/truth/report.md" "$WORK/gen1/truth.csv" "$WORK/gen2/truth.csv" \
	>"$WORK/truth.expected" <<'PY'
import collections, csv, sys
rows = [r for f in sys.argv[2:] for r in csv.DictReader(open(f)) if r["expected_rsdos"] == "1"]
per_victim = collections.Counter(r["victim"] for r in rows)
buckets = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 10), (11, 20), (21, 50), (51, 100)]
def label(n):
    for lo, hi in buckets:
        if lo <= n <= hi:
            return str(lo) if lo == hi else "%d-%d" % (lo, hi)
    return "101+"
print("attacks", len(rows))
print("victims", len(per_victim))
for p in ("TCP", "UDP", "ICMP", "OTHER"):
    print("proto", p, sum(r["protocol"] == p for r in rows))
for day, n in sorted(collections.Counter(r["start_time"][:10] for r in rows).items()):
    print("day", day, n)
print("top", max(per_victim.values()))
for b, n in sorted(collections.Counter(label(n) for n in per_victim.values()).items()):
    print("repeat", b, n)
PY
while read -r kind a b; do
	case $kind in
	attacks) got=$(md_cell "$WORK/truth/report.md" Totals Attacks Value | cut -d' ' -f1) ;;
	victims) got=$(md_cell "$WORK/truth/report.md" Totals "Distinct victims" Value | cut -d' ' -f1) ;;
	proto) got=$(md_cell "$WORK/truth/report.md" "Attack protocols" "$a" Attacks) ;;
	day) got=$(md_cell "$WORK/truth/report.md" "Attacks and victims per day" "$a" Attacks) ;;
	top) got=$(md_cell "$WORK/truth/report.md" "Top victims by number of attacks" 1 Attacks) ;;
	repeat) got=$(md_cell "$WORK/truth/report.md" "Repeat attacks" "$a" Victims) ;;
	esac
	want=${b:-$a}
	check_eq "truth: $kind $a" "$want" "$got"
done <"$WORK/truth.expected"
check_eq "truth: 2026-11-25 has no data" "no data" \
	"$(md_cell "$WORK/truth/report.md" "Attacks and victims per day" 2026-11-25 Attacks)"
# The attacked-services table against the generator's attacks grouped by
# (protocol, top_port): every row's count, the order, the number of rows
# and of services, the names of well-known ports. Prints what differs.
services_truth() {
	"$PYTHON3" - "$@" <<'PY'
import collections, csv, re, sys
md, truths = sys.argv[1], sys.argv[2:]
rows = [r for f in truths for r in csv.DictReader(open(f)) if r["expected_rsdos"] == "1"]
want = collections.Counter((r["protocol"], r["top_port"] or "-") for r in rows)
names = {"80": "http", "443": "https", "53": "domain", "22": "ssh", "25": "smtp",
         "123": "ntp", "3389": "ms-wbt-server", "8080": "http-alt"}
text = open(md, encoding="utf-8").read()
sec = text.split("## Attacked services\n", 1)[1].split("\n## ", 1)[0]
m = re.search(r"(\d+) services in all", sec)
table = [l for l in sec.splitlines() if l.startswith("| ") and l[2].isdigit()]
bad = []
if not m or int(m.group(1)) != len(want):
    bad.append("services in all: %s, want %d" % (m and m.group(1), len(want)))
if len(table) != min(10, len(want)):
    bad.append("%d rows, want %d" % (len(table), min(10, len(want))))
prev = None
for line in table:
    c = [x.strip().replace("\\", "") for x in line.split("|")[1:-1]]
    proto, port, service, attacks = c[1], c[2], c[3], int(c[4])
    if want.get((proto, port)) != attacks:
        bad.append("%s %s: %d attacks, want %s" % (proto, port, attacks, want.get((proto, port))))
    if prev is not None and attacks > prev:
        bad.append("%s %s: not in order" % (proto, port))
    prev = attacks
    if port == "-":
        expect = "no port"
    elif proto in ("TCP", "UDP") and port in names:
        expect = names[port]
    else:
        expect = None
    if expect and service != expect:
        bad.append("%s %s: named %s, want %s" % (proto, port, service, expect))
    if port not in ("-",) and service == "":
        bad.append("%s %s: no service text" % (proto, port))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}
check "truth: attacked services" services_truth "$WORK/truth/report.md" "$WORK/gen1/truth.csv" \
	"$WORK/gen2/truth.csv"

# ---- consumers: attacks.csv and timeseries.csv unchanged into sqlite3 and Python ----
# consume_sqlite DIR: the docs/consumers.md recipe; prints rows, packet sums
# and the types the declared columns gave. A file of a version before
# attack_ports (the fixtures) lacks the last two columns: sqlite3 fills
# them with NULL and says so on stderr, once per row, as docs/consumers.md
# tells. The multi-vector query of docs/consumers.md counts its groups.
consume_sqlite() {
	sqlite3 -batch :memory: <<SQL 2>&1 | grep -v ": expected 24 columns but found 22 - filling the rest with NULL$"
CREATE TABLE attacks (attack_id INTEGER, victim TEXT, protocol TEXT, start_time TEXT,
  end_time TEXT, duration_s REAL, packets INTEGER, bytes INTEGER, telescope_addrs INTEGER,
  victim_ports INTEGER, top_port INTEGER, responses TEXT, peak_ppm INTEGER, mean_pps REAL,
  est_attack_pps REAL, uniformity_a2 REAL, uniform INTEGER, icmp_mismatches INTEGER,
  responder TEXT, country TEXT, asn INTEGER, as_org TEXT, attack_ports INTEGER,
  vector_group INTEGER);
CREATE TABLE timeseries (bin_start TEXT, bin_end TEXT, packets INTEGER, attacks_active INTEGER,
  attacks_started INTEGER, victims INTEGER, packets_tcp INTEGER, packets_udp INTEGER,
  packets_icmp INTEGER, packets_other INTEGER);
.import --csv --skip 1 $1/attacks.csv attacks
.import --csv --skip 1 $1/timeseries.csv timeseries
SELECT count(*), sum(packets),
  sum(typeof(packets) = 'integer' AND typeof(peak_ppm) = 'integer' AND typeof(uniform) = 'integer'),
  sum(typeof(duration_s) IN ('real', 'integer')),
  sum(est_attack_pps = '' OR typeof(est_attack_pps) IN ('real', 'integer')),
  sum(attack_ports IS NULL OR attack_ports = '' OR typeof(attack_ports) = 'integer'),
  sum(vector_group IS NULL OR typeof(vector_group) = 'integer')
  FROM attacks;
SELECT count(*), coalesce(sum(groups), 0) FROM
  (SELECT protocols, count(*) AS groups, count(DISTINCT victim) AS victims FROM
    (SELECT victim, group_concat(DISTINCT protocol) AS protocols FROM
      (SELECT * FROM attacks WHERE vector_group IS NOT NULL ORDER BY protocol)
     GROUP BY vector_group HAVING count(DISTINCT protocol) > 1)
    GROUP BY protocols);
SELECT count(*), sum(packets), sum(typeof(packets) = 'integer' AND typeof(victims) = 'integer')
  FROM timeseries;
SQL
}

# consume_python DIR: the same numbers from the csv module, after checking
# every cell's type and the columns' order.
consume_python() {
	"$PYTHON3" - "$1" <<'PY'
import csv, datetime, ipaddress, sys
d = sys.argv[1]
COLS = ("attack_id victim protocol start_time end_time duration_s packets bytes telescope_addrs "
        "victim_ports top_port responses peak_ppm mean_pps est_attack_pps uniformity_a2 uniform "
        "icmp_mismatches responder country asn as_org attack_ports vector_group").split()
def t(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
with open(d + "/attacks.csv", newline="", encoding="utf-8") as f:
    r = csv.reader(f)
    head = next(r)
    # Versions before attack_ports end at as_org, before vector_group at
    # attack_ports.
    assert head[:len(COLS)] in (COLS, COLS[:-1], COLS[:-2]), "attacks.csv columns"
    n = packets = typed = 0
    groups = {}  # vector_group -> (victim, protocols)
    for row in r:
        a = dict(zip(COLS, row))
        n += 1
        packets += int(a["packets"])
        ipaddress.ip_address(a["victim"])
        assert a["protocol"] in ("TCP", "UDP", "ICMP", "OTHER")
        dur = (t(a["end_time"]) - t(a["start_time"])).total_seconds()
        assert abs(float(a["duration_s"]) - dur) < 1e-6, a
        assert int(a["attack_id"]) == n
        for k in ("bytes", "telescope_addrs", "victim_ports", "peak_ppm", "icmp_mismatches"):
            int(a[k])
        for k in ("top_port", "asn"):
            a[k] == "" or int(a[k])
        assert a.get("attack_ports", "") == "" or 0 <= int(a["attack_ports"]) <= 65536
        if "vector_group" in a:
            # names the group's first attack: an earlier row (or this one)
            # of the same victim, itself in the group
            g = int(a["vector_group"])
            assert 1 <= g <= n and (g == n) == (g not in groups), a
            assert groups.setdefault(g, (a["victim"], set()))[0] == a["victim"], a
            groups[g][1].add(a["protocol"])
        for k in ("mean_pps", "est_attack_pps", "uniformity_a2"):
            a[k] == "" or float(a[k])
        assert a["uniform"] in ("0", "1")
        typed += 1
multi = [p for _, p in groups.values() if len(p) > 1]
print(n, packets, typed, n, n, n, n)
print(len({tuple(sorted(p)) for p in multi}), len(multi))
with open(d + "/timeseries.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
width = None
for i, b in enumerate(rows):
    w = t(b["bin_end"]) - t(b["bin_start"])
    assert width in (None, w) and (i == 0 or b["bin_start"] == rows[i - 1]["bin_end"])
    width = w
    assert int(b["packets"]) == sum(int(b[k]) for k in
        ("packets_tcp", "packets_udp", "packets_icmp", "packets_other"))
print(len(rows), sum(int(b["packets"]) for b in rows), len(rows))
PY
}

for dir in "$WORK/col1" "$FIX/night1"; do
	sq=$(consume_sqlite "$dir" 2>&1 | tr '|' ' ')
	py=$(consume_python "$dir" 2>&1)
	check_eq "consumers agree on $(basename "$dir")" "$py" "$sq"
	check_eq "  python counts every row" "$(csv_rows "$dir/attacks.csv")" "$(echo "$py" | head -1 | cut -d' ' -f1)"
done

finish
