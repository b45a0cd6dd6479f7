#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# README.md, vifguard(8) and the binary's own help agree: every command
# and every option the command table declares (as `vifguard -j help`
# gives it) is in the manual's synopsis and text and in README; every
# drop reason of include/vifguard.h is in both reason tables; every error
# code of docs/vifguard.schema.json is in both; the manual renders
# without a warning.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
readme=$top/README.md
man=$top/docs/vifguard.8
help=$("$VIFGUARD" -j help) || { tap_fail "vifguard -j help" "exit 0" "exit $?"; tap_done; }

# The manual's text with its escapes undone: "\-\-mac" -> "--mac".
mantext=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man")
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$man" | sed 's/\\-/-/g')

missing_man= missing_readme= missing_syn=
while read -r cmd; do
	grep -qE "^\.B vifguard $cmd\$" <<<"$synopsis" || missing_syn+=" $cmd"
	grep -qE "(vifguard|^\.B|^\.BR|^\.BI) \"?$cmd\b" <<<"$mantext" || missing_man+=" $cmd"
	grep -qE "vifguard $cmd\b|\`$cmd[ \`]" "$readme" || missing_readme+=" $cmd"
done < <(jq -r '.commands[].name' <<<"$help")
tap_check "every command in vifguard(8)'s synopsis" "" "$missing_syn"
tap_check "every command in vifguard(8)" "" "$missing_man"
tap_check "every command in README" "" "$missing_readme"

missing_man= missing_readme=
while read -r cmd opt; do
	grep -qF -- "--$opt" <<<"$mantext" || missing_man+=" $cmd:--$opt"
	grep -qF -- "--$opt" "$readme" || missing_readme+=" $cmd:--$opt"
done < <(jq -r '(.commands[] | .name as $c | .options[] | "\($c) \(.name)"),
	(.global_options[] | "global \(.name)")' <<<"$help")
tap_check "every option of every command in vifguard(8)" "" "$missing_man"
tap_check "every option of every command in README" "" "$missing_readme"

missing_man= missing_readme=
for r in $(sed -n 's/^[[:space:]]*X([A-Z0-9_]*,[[:space:]]*"\([a-z0-9-]*\)").*/\1/p' \
	"$top/include/vifguard.h"); do
	[ "$r" = pass ] && continue
	grep -qF -- "$r" <<<"$mantext" || missing_man+=" $r"
	grep -qF -- "| \`$r\` |" "$readme" || missing_readme+=" $r"
done
tap_check "every drop reason in vifguard(8)" "" "$missing_man"
tap_check "every drop reason in README's table" "" "$missing_readme"

# The error codes of -j: the schema's list, each in the manual's JSON
# OUTPUT section and in README.
jsonman=$(sed -n '/^\.SH JSON OUTPUT/,/^\.SH /p' "$man")
missing_man= missing_readme=
codes=$(jq -r '."$defs".error_code.enum[]' "$top/docs/vifguard.schema.json")
for c in $codes; do
	grep -qE "^\.B $c\$" <<<"$jsonman" || missing_man+=" $c"
	grep -qF "\`$c\`" "$readme" || missing_readme+=" $c"
done
tap_check "the schema lists error codes" "yes" "$([ -n "$codes" ] && echo yes || echo no)"
tap_check "every error code of the schema in vifguard(8), JSON OUTPUT" "" "$missing_man"
tap_check "every error code of the schema in README" "" "$missing_readme"

warn=$(LC_ALL=C.UTF-8 groff -t -man -ww -z -Tutf8 "$man" 2>&1)
tap_check "vifguard(8) renders without warnings" "" "$warn"
tap_done
