#!/usr/bin/env bash
# e2e_completion.sh - completion/backscatter, the bash completion, driven as
# bash drives it (COMP_WORDS, COMP_CWORD, then COMPREPLY) with the real
# program as the word being completed: commands and each command's long
# options are exactly those the program's --help lists (read here with a
# parser of its own), --preset completes the preset names, --out
# directories only, and a word after an option's argument files again.
. "$TOPSRC/tests/lib.sh"

# shellcheck source=completion/backscatter
. "$TOPSRC/completion/backscatter"

# complete WORD...: the sorted completions of the last word, space-joined.
complete_words() {
	COMP_WORDS=("$BACKSCATTER" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_backscatter
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
sorted() { tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'; }

check_eq "complete -p names the function" "complete -F _backscatter backscatter" "$(complete -p backscatter)"

commands=$("$BACKSCATTER" --help | sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' | sorted)
check "the program lists commands" test -n "$commands"
check_eq "first word: the commands" "$commands" "$(complete_words "")"
check_eq "first word -: --help --version" "--help --version" "$(complete_words -)"
for cmd in $commands; do
	options=$("$BACKSCATTER" "$cmd" --help | grep -o '^  --[a-z0-9-]*' | sorted)
	check "$cmd --help lists options" test -n "$options"
	check_eq "$cmd --: its --help options" "$options" "$(complete_words "$cmd" --)"
	first=${options%% *}
	check_eq "$cmd ${first:0:5}: the options starting so" \
		"$(tr ' ' '\n' <<<"$options" | grep "^${first:0:5}" | sorted)" "$(complete_words "$cmd" "${first:0:5}")"
done
check_eq "collect --preset: the presets" "moore rsdos" "$(complete_words collect --preset "")"
check_eq "run --preset r: rsdos" "rsdos" "$(complete_words run --jobs 2 --preset r)"

mkdir -p "$WORK/dirs/night1" "$WORK/dirs/night2"
: >"$WORK/dirs/nightfile"
check_eq "--out: directories only" "$WORK/dirs/night1 $WORK/dirs/night2" \
	"$(complete_words collect --out "$WORK/dirs/ni")"
check_eq "--top N: nothing to offer" "" "$(complete_words report --top "")"
check_eq "a trace after the options: files and directories" \
	"$WORK/dirs/night1 $WORK/dirs/night2 $WORK/dirs/nightfile" \
	"$(complete_words collect --telescope 10.0.0.0/8 --out "$WORK/o" "$WORK/dirs/ni")"
finish
