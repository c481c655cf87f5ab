# common.sh - what scripts/cluster/parallel.sh and slurm.sh share: the
# command line (telescope, output root, capture files, collect options
# after "--"), finding the backscatter binary, shard names and exit
# statuses. Sourced, not run; the caller sets PROG, USAGE and HELP and
# defines cluster_option (its own options).
# shellcheck shell=bash
# shellcheck disable=SC2034 # the globals set here are the callers' to read

# Exit statuses, as in the README's table.
EXIT_OK=0
EXIT_FAILED=1
EXIT_USAGE=2
EXIT_WARNINGS=3

# die STATUS MESSAGE: one line on stderr, then exit.
die() {
	local status=$1
	shift
	printf '%s: %s\n' "$PROG" "$(one_line "$*")" >&2
	exit "$status"
}

usage_error() {
	printf '%s: %s\n%s\n' "$PROG" "$(one_line "$*")" "$USAGE" >&2
	exit "$EXIT_USAGE"
}

# one_line TEXT: TEXT with line breaks shown as "\n", so that every message
# stays one line even when a file name holds one.
one_line() {
	local s=$1
	printf '%s' "${s//$'\n'/\\n}"
}

# worse A B: the worse of two exit statuses, ranked as `backscatter run`
# ranks them: failure (1), then usage (2), then warnings (3), then 0.
worse() {
	local -A rank=([0]=0 [3]=1 [2]=2 [1]=3)
	local ra=${rank[$1]:-3} rb=${rank[$2]:-3}
	if [ "$rb" -gt "$ra" ]; then echo "$2"; else echo "$1"; fi
}

# Parsed command line (parse_args fills these).
TELESCOPES=()    # --telescope values, in order
OUTROOT=         # --out, absolute
FILES=()         # capture files, absolute paths (URIs as given)
STEMS=()         # shard directory name of each file
COLLECT_OPTS=()  # everything after "--"
QUIET=0

# need_value OPTION COUNT: an option's value must be there.
need_value() {
	[ "$2" -ge 2 ] || usage_error "$1 needs a value"
}

# parse_args "$@": the common options; any other option is offered to the
# caller's cluster_option NAME VALUE HAS_VALUE, which sets OPT_USED to the
# words it took (1 or 2), or 0 for an option it does not know.
OPT_USED=0
parse_args() {
	local arg
	while [ $# -gt 0 ]; do
		arg=$1
		case $arg in
		--)
			shift
			COLLECT_OPTS=("$@")
			break
			;;
		--help | -h)
			printf '%s\n\n%s\n' "$USAGE" "$HELP"
			exit "$EXIT_OK"
			;;
		--telescope)
			need_value "$arg" $#
			TELESCOPES+=("$2")
			shift 2
			;;
		--telescope=*)
			TELESCOPES+=("${arg#*=}")
			shift
			;;
		--out)
			need_value "$arg" $#
			OUTROOT=$2
			shift 2
			;;
		--out=*)
			OUTROOT=${arg#*=}
			shift
			;;
		--quiet)
			QUIET=1
			shift
			;;
		-?*)
			if [[ $arg == --*=* ]]; then
				cluster_option "${arg%%=*}" "${arg#*=}" 1
				[ "$OPT_USED" -ne 0 ] || usage_error "unknown option ${arg%%=*}"
				shift
			else
				cluster_option "$arg" "${2-}" $(($# >= 2))
				[ "$OPT_USED" -ne 0 ] || usage_error "unknown option $arg"
				shift "$OPT_USED"
			fi
			;;
		*)
			FILES+=("$arg")
			shift
			;;
		esac
	done
	[ ${#TELESCOPES[@]} -gt 0 ] || usage_error "--telescope is required"
	[ -n "$OUTROOT" ] || usage_error "--out is required"
	[ ${#FILES[@]} -gt 0 ] || usage_error "no capture file given"
	case $OUTROOT in /*) ;; *) OUTROOT=$PWD/$OUTROOT ;; esac
	name_shards
}

# name_shards: makes FILES absolute and names each file's shard directory
# after the file without its trace and compression suffixes
# ("/c/03.pcap.gz" -> "03"). Two files with the same name are a usage error:
# their shards would overwrite each other.
name_shards() {
	local i f base stem
	local -A seen=()
	for i in "${!FILES[@]}"; do
		f=${FILES[i]}
		[ "$f" != - ] || usage_error "standard input (-) cannot be shared out; give files"
		if [ ! -e "$f" ] && [[ $f =~ ^[A-Za-z][A-Za-z0-9+.-]*: ]]; then
			# A libtrace URI (pcapfile:/path), given as is.
			base=${f##*/}
			base=${base##*:}
		else
			case $f in /*) ;; *) f=$PWD/$f ;; esac
			[ -e "$f" ] || die "$EXIT_FAILED" "$f: No such file or directory"
			[ ! -d "$f" ] || die "$EXIT_FAILED" "$f: is a directory"
			base=${f##*/}
		fi
		FILES[i]=$f
		stem=$base
		case $stem in *.gz | *.bz2 | *.xz | *.zst | *.lz4) stem=${stem%.*} ;; esac
		case $stem in *.pcap | *.pcapng | *.erf | *.cap) stem=${stem%.*} ;; esac
		case $stem in "" | . | ..) stem=$base ;; esac
		if [ -n "${seen[$stem]+x}" ]; then
			usage_error "${seen[$stem]} and $f would share the shard directory shards/$stem; rename one"
		fi
		seen[$stem]=$f
		STEMS[i]=$stem
	done
}

# find_backscatter: BACKSCATTER, else backscatter in PATH, as an absolute
# path (the cluster's other hosts run the same path).
find_backscatter() {
	local bs=${BACKSCATTER:-}
	if [ -z "$bs" ]; then
		bs=$(command -v backscatter) || die "$EXIT_FAILED" "backscatter not found: set BACKSCATTER or add it to PATH"
	fi
	case $bs in /*) ;; */*) bs=$PWD/$bs ;; *) bs=$(command -v "$bs") || die "$EXIT_FAILED" "$bs: not found" ;; esac
	[ -x "$bs" ] || die "$EXIT_FAILED" "$bs: not an executable"
	printf '%s\n' "$bs"
}

# collect_args: the options every collect gets (without --out and the file).
collect_args() {
	local t
	for t in "${TELESCOPES[@]}"; do
		printf '%s\0' --telescope "$t"
	done
	[ "$QUIET" -eq 0 ] || printf '%s\0' --quiet
	[ ${#COLLECT_OPTS[@]} -eq 0 ] || printf '%s\0' "${COLLECT_OPTS[@]}"
}
