#!/usr/bin/env bash
# e2e_manpage.sh - docs/backscatter.1 against the program's own --help, so
# the two cannot drift: the commands "backscatter --help" lists are the
# man page's command sections; each command's long options (from its
# --help) are those its section documents, plus the section "COMMON
# OPTIONS" (options every command takes) and, for a command whose section
# says it "takes the options of" another, that command's. Every option the
# page documents is one the program has. The page renders without groff
# warnings. A new option or command thus needs a man-page line, and only
# that.
. "$TOPSRC/tests/lib.sh"

MAN=$TOPSRC/docs/backscatter.1

# The comparison prints "ok - ..." and "not ok - ..." lines, counted here.
"$PYTHON3" - "$BACKSCATTER" "$MAN" >"$WORK/checks" 2>&1 <<'PY' || fail "the comparison ran"
import re, subprocess, sys

prog, man = sys.argv[1], sys.argv[2]
def result(ok, what):
    print(("ok - " if ok else "not ok - ") + what)

def help_of(*cmd):
    run = subprocess.run([prog, *cmd, "--help"], capture_output=True, text=True)
    return run.returncode, run.stdout

# The lines under "HEADING:" up to the next blank line, first words.
def listed(text, heading):
    out, on = [], False
    for line in text.splitlines():
        if line == heading + ":":
            on = True
        elif on and not line.strip():
            break
        elif on:
            out.append(line.split()[0])
    return out

rc, top = help_of()
commands = listed(top, "commands")
result(rc == 0 and len(commands) > 0, "backscatter --help lists commands (%s)" % " ".join(commands))

# Sections of the page: name -> source lines.
sections, name = {}, None
for line in open(man, encoding="utf-8"):
    line = line.rstrip("\n")
    m = re.match(r'\.SH\s+"?([^"]*)"?\s*$', line)
    if m:
        name = m.group(1)
        sections[name] = []
    elif name is not None:
        sections[name].append(line)

# The options a section documents: those in the tag lines of its .TP/.TQ
# paragraphs (the line after the macro), not those its prose mentions.
def documented(lines):
    opts, tag = set(), False
    for line in lines:
        if tag:
            opts.update(o.replace("\\-", "-") for o in re.findall(r"\\-\\-[a-z0-9]+(?:\\-[a-z0-9]+)*", line))
        tag = line.startswith((".TP", ".TQ"))
    return opts

# One-word sections other than man(7)'s usual ones are command sections.
USUAL = {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "FILES", "SIGNALS", "ENVIRONMENT", "EXAMPLES",
         "AUTHOR", "AUTHORS", "BUGS", "NOTES"}
command_sections = {s.lower() for s in sections if re.fullmatch(r"[A-Z]+", s) and s not in USUAL}
common = documented(sections.get("COMMON OPTIONS", []))
result(len(common) > 0, "the page has a COMMON OPTIONS section (%s)" % " ".join(sorted(common)))
for cmd in commands:
    result(cmd.upper() in sections, "%s has a section %s" % (cmd, cmd.upper()))
    synopsis = "\n".join(sections.get("SYNOPSIS", []))
    result(re.search(r"^\.B backscatter %s\b" % re.escape(cmd), synopsis, re.M) is not None,
           "%s is in the SYNOPSIS" % cmd)

def man_options(cmd, seen=()):
    lines = sections.get(cmd.upper(), [])
    opts = documented(lines) | common
    for other in re.findall(r"takes the options of\s*\n\.BR?\s+(\w+)", "\n".join(lines)):
        if other not in seen:
            opts |= man_options(other, seen + (cmd,))
    return opts

for cmd in commands:
    rc, text = help_of(cmd)
    helped = set(re.findall(r"^\s+(--[a-z0-9-]+)", text, re.M))
    result(rc == 0 and len(helped) > 0, "%s --help lists options" % cmd)
    documented_here = man_options(cmd)
    missing = sorted(helped - documented_here)
    extra = sorted(documented(sections.get(cmd.upper(), [])) - helped)
    result(not missing, "%s: every option of --help is in the man page%s" %
           (cmd, "" if not missing else " (missing: %s)" % " ".join(missing)))
    result(not extra, "%s: every option of its man section is in --help%s" %
           (cmd, "" if not extra else " (not in --help: %s)" % " ".join(extra)))
    not_common = sorted(common - helped)
    result(not not_common, "%s takes every COMMON OPTION%s" %
           (cmd, "" if not not_common else " (not: %s)" % " ".join(not_common)))
stray = sorted(command_sections - set(commands))
result(not stray, "no man section for a command the program lacks%s" %
       ("" if not stray else " (%s)" % " ".join(stray)))
version = subprocess.run([prog, "--version"], capture_output=True, text=True)
result(version.returncode == 0 and "\\-\\-version" in "\n".join(sections.get("SYNOPSIS", [])),
       "--version works and is in the SYNOPSIS")
PY
while IFS= read -r line; do
	case $line in
	"ok - "*) pass "${line#ok - }" ;;
	"not ok - "*) fail "${line#not ok - }" ;;
	*) fail "comparison: $line" ;;
	esac
done <"$WORK/checks"
warnings=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$MAN" 2>&1)
check_eq "the page renders without groff warnings" "" "$warnings"
finish
