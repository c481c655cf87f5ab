#!/usr/bin/env bash
# e2e_archive.sh - `backscatter index ROOT`: the archive of nights.
#
# Two generated captures (data/gen/bsgen.py, the mixed scenario), each
# across a midnight, cut at the midnights with editcap, make the nights
# 2026-11-23, -24 (two pieces) and -25 of an archive, run one after the
# other with --previous as the nightly job does; 2026-11-27 follows a
# night without data; 2026-11-28 has a broken summary.json. Then index:
#  - exit 3 with a warning naming the broken night, which is listed;
#  - every link and image of index.html and of the rolling report
#    resolves to a file (Python's html.parser), nothing is fetched from a
#    network and there is no script;
#  - each row's attacks, victims and packets are those of the night's
#    attacks.csv and summary.json;
#  - the rolling report is byte for byte what `report` over the same
#    nights writes (joined across midnights);
#  - a second index run writes the same bytes;
#  - the plots are not blank (PNG rows decoded with zlib);
#  - --days and usage errors; and in headless chromium, when it runs, the
#    page shows the plot (the PNG's bar colour on the screenshot). Chromium
#    missing or unable to start is a skip, counted apart.
. "$TOPSRC/tests/lib.sh"

TEL=10.0.0.0/8
R=$WORK/root
G=$WORK/gen
SKIPPED=0
skip() {
	SKIPPED=$((SKIPPED + 1))
	echo "skip - $*"
}

$GEN --scenario mixed --seed 5 --files 1 --victims 40 --start 2026-11-23T22:30:00Z --hours 3 \
	--out "$G/a" --quiet
$GEN --scenario mixed --seed 7 --files 1 --victims 40 --start 2026-11-24T22:00:00Z --hours 3 \
	--out "$G/b" --quiet
$GEN --scenario mixed --seed 9 --files 1 --victims 20 --start 2026-11-27T01:00:00Z --hours 2 \
	--out "$G/c" --quiet
cut() { TZ=UTC editcap -F pcap "$@" >/dev/null; }
cut -B "2026-11-24 00:00:00" "$G/a/trace-000.pcap" "$G/23.pcap"
cut -A "2026-11-24 00:00:00" "$G/a/trace-000.pcap" "$G/24-early.pcap"
cut -B "2026-11-25 00:00:00" "$G/b/trace-000.pcap" "$G/24-late.pcap"
cut -A "2026-11-25 00:00:00" "$G/b/trace-000.pcap" "$G/25.pcap"
night() { "$BACKSCATTER" run --quiet --telescope "$TEL" --jobs 1 "$@" >/dev/null; }
night --out "$R/2026-11-23" "$G/23.pcap"
night --previous "$R/2026-11-23" --out "$R/2026-11-24" "$G/24-early.pcap" "$G/24-late.pcap"
night --previous "$R/2026-11-24" --out "$R/2026-11-25" "$G/25.pcap"
night --out "$R/2026-11-27" "$G/c/trace-000.pcap"
check_eq "four nights run" 4 "$(ls "$R"/*/summary.json | wc -l)"
mkdir -p "$R/2026-11-28" "$R/2026-11-26" "$R/notes"
echo '{"broken":' >"$R/2026-11-28/summary.json"

"$BACKSCATTER" index "$R" >"$WORK/out" 2>"$WORK/err"
check_eq "index with a broken night: exit 3" 3 $?
check_eq "  one warning naming it" 1 "$(grep -c "warning: night 2026-11-28 not readable: .*2026-11-28/summary.json" "$WORK/err")"
check_eq "  prints the index's path" "$R/index.html" "$(cat "$WORK/out")"
check "  index.html, index.md, the rolling report and the long view are there" \
	test -f "$R/index.html" -a -f "$R/index.md" -a -f "$R/last-30-days/report.html" \
	-a -f "$R/last-30-days/report.md" -a -f "$R/plots/per_day.png"
check "  no staging directory left" test -z "$(find "$R" -name '.backscatter-*')"

# Links, images, rows and numbers, checked with the standard library only.
cat >"$WORK/check.py" <<'PY'
import csv, html.parser, json, os, re, sys
root = sys.argv[1]
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.rows, self.row, self.cell, self.scripts = [], [], None, None, 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a": self.refs.append(a.get("href", ""))
        if tag == "img": self.refs.append(a.get("src", ""))
        if tag in ("script", "iframe", "object", "embed", "link"): self.scripts += 1
        if tag == "tr": self.row = []
        if tag == "td": self.cell = ""
    def handle_endtag(self, tag):
        if tag == "td": self.row.append(self.cell); self.cell = None
        if tag == "tr" and self.row: self.rows.append(self.row)
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
def parse(path):
    p = Page(); p.feed(open(path, encoding="utf-8").read()); return p
bad = 0
def say(ok, what):
    global bad
    print(("ok - " if ok else "not ok - ") + what); bad += not ok
for page in ["index.html", "last-30-days/report.html"]:
    p = parse(os.path.join(root, page))
    base = os.path.dirname(os.path.join(root, page))
    missing = [r for r in p.refs if not os.path.isfile(os.path.join(base, r))]
    say(p.refs and not missing, "%s: its %d links and images resolve %s" % (page, len(p.refs), missing))
    say(not [r for r in p.refs if re.match(r"^[a-z]+:", r) or r.startswith("/")],
        "%s: every link and image is relative (nothing fetched)" % page)
    say(p.scripts == 0, "%s: no script, frame, object or external style" % page)
index = parse(os.path.join(root, "index.html"))
rows = [r for r in index.rows if re.match(r"^\d{4}-\d\d-\d\d$", r[0])]
say([r[0] for r in rows] == ["2026-11-28", "2026-11-27", "2026-11-25", "2026-11-24", "2026-11-23"],
    "index rows: one per night with a summary.json, newest first: %s" % [r[0] for r in rows])
for r in rows:
    d = os.path.join(root, r[0])
    try:
        s = json.load(open(os.path.join(d, "summary.json")))
    except ValueError:
        say(r[1:4] == ["-", "-", "-"] and r[4].startswith("unreadable: "), "%s: listed as unreadable" % r[0])
        continue
    att = list(csv.DictReader(open(os.path.join(d, "attacks.csv"))))
    want = [str(len(att)), str(len({a["victim"] for a in att})), str(s["counters"]["backscatter"])]
    say(r[1:4] == want, "%s: attacks, victims, packets %s = attacks.csv and summary.json %s" % (r[0], r[1:4], want))
    say(r[4].startswith("complete" if s["complete"] else "incomplete"), "%s: completeness '%s'" % (r[0], r[4]))
    say(r[5] == "report.html", "%s: links its report" % r[0])
sys.exit(1 if bad else 0)
PY
"$PYTHON3" "$WORK/check.py" "$R" >"$WORK/py.out"
check_eq "html checks pass" 0 $?
grep -h '^ok\|^not ok' "$WORK/py.out" | sed 's/^/  /'
E2E_PASSED=$((E2E_PASSED + $(grep -c '^ok' "$WORK/py.out")))
E2E_FAILED=$((E2E_FAILED + $(grep -c '^not ok' "$WORK/py.out")))

# The rolling report is report's over the same nights, joined.
"$BACKSCATTER" report --quiet --out "$WORK/rep" "$R"/2026-11-2[3457] >/dev/null
check "  last-30-days/report.md = report over the four nights, byte for byte" \
	cmp "$WORK/rep/report.md" "$R/last-30-days/report.md"
check "  it joined the midnights (no 'read one by one' warning)" \
	test -z "$(grep 'one by one' "$WORK/err")"

# Same bytes again.
(cd "$R" && find index.html index.md plots last-30-days -type f | sort | xargs md5sum) >"$WORK/sum1"
"$BACKSCATTER" index --quiet "$R" 2>/dev/null
check_eq "second index: exit 3 again" 3 $?
(cd "$R" && find index.html index.md plots last-30-days -type f | sort | xargs md5sum) >"$WORK/sum2"
check "  every file byte-identical" cmp "$WORK/sum1" "$WORK/sum2"

# Plots are not blank: decode the PNG rows (zlib, filters) and count colours.
cat >"$WORK/png.py" <<'PY'
import struct, sys, zlib
def pixels(path):
    b = open(path, "rb").read()
    assert b[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(b):
        n, kind = struct.unpack(">I4s", b[pos:pos + 8])
        body = b[pos + 8:pos + 8 + n]
        if kind == b"IHDR": ihdr = struct.unpack(">IIBBBBB", body)
        if kind == b"IDAT": idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG layout %r" % (ihdr,)
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            c = prev[i - bpp] if i >= bpp else 0
            up = prev[i]
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + up) & 255
            elif f == 3: line[i] = (line[i] + (a + up) // 2) & 255
            elif f == 4:
                p = a + up - c; pa, pb, pc = abs(p - a), abs(p - up), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 255
        out.extend(tuple(line[i:i + 3]) for i in range(0, stride, bpp))
        prev = line
    return w, h, out
import collections
mode, path = sys.argv[1], sys.argv[2]
w, h, px = pixels(path)
colours = collections.Counter(px)
if mode == "plot":
    # a drawn figure: many colours (text, axes, bars), not one background
    sys.exit(0 if len(colours) > 8 else 1)
# screenshot: the page must show the plot's bars, the commonest strong
# colour of the PNG itself (argv[3])
bar = next(c for c, _ in collections.Counter(pixels(sys.argv[3])[2]).most_common()
           if max(c) - min(c) > 60)
seen = sum(n for c, n in colours.items() if all(abs(c[i] - bar[i]) < 8 for i in range(3)))
print("%d colours, %d pixels of the bar colour %r" % (len(colours), seen, bar))
sys.exit(0 if len(colours) > 8 and seen > 1000 else 1)
PY
for png in "$R"/plots/per_day.png "$R"/last-30-days/plots/*.png; do
	check "  plot ${png#"$R"/} is not blank" "$PYTHON3" "$WORK/png.py" plot "$png"
done

# --days, usage errors, an empty root.
"$BACKSCATTER" index --quiet --days 2 "$R" 2>/dev/null
check "  --days 2: last-2-days holds only 2026-11-27 (the newest night's window)" \
	sh -c "grep -q '2026-11-27' '$R/last-2-days/report.md' && ! grep -q '2026-11-25' '$R/last-2-days/report.md'"
"$BACKSCATTER" index --days 0 "$R" 2>"$WORK/err"
check_eq "--days 0: exit 2" 2 $?
check_eq "  one line" 1 "$(wc -l <"$WORK/err")"
"$BACKSCATTER" index 2>/dev/null
check_eq "no ROOT: exit 2" 2 $?
"$BACKSCATTER" index "$WORK/nonexistent" 2>"$WORK/err"
check_eq "missing ROOT: exit 1" 1 $?
check_eq "  one line naming it" 1 "$(grep -c "index: .*nonexistent: No such file or directory" "$WORK/err")"
mkdir "$WORK/empty"
"$BACKSCATTER" index --quiet "$WORK/empty"
check_eq "empty ROOT: exit 0, an index saying so" "0 yes" "$? $(grep -q 'no nights yet' "$WORK/empty/index.html" && echo yes)"

# A real browser, where the machine has one that starts.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	skip "headless chromium: not installed (Debian package chromium)"
elif ! timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--user-data-dir="$WORK/chromium" --screenshot="$WORK/shot.png" --window-size=1200,2000 \
	"file://$R/index.html" >"$WORK/chromium.log" 2>&1 || [ ! -s "$WORK/shot.png" ]; then
	skip "headless chromium: cannot run here ($(tail -1 "$WORK/chromium.log"))"
else
	check "headless chromium shows the index with its plot drawn" \
		"$PYTHON3" "$WORK/png.py" shot "$WORK/shot.png" "$R/plots/per_day.png"
fi

# finish(), with the skips counted apart on the same line
echo "e2e: $E2E_PASSED passed, $E2E_FAILED failed, $SKIPPED skipped"
[ "$E2E_FAILED" -eq 0 ]
