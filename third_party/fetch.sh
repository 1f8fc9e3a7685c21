#!/usr/bin/env bash
# third_party/fetch.sh CACHE NAME...
#
# Fetch the pinned source packages named in third_party/lock from Debian's
# archive into CACHE/src, verify each orig tarball against its pinned sha256
# and unpack it to CACHE/src/NAME-VERSION (with Debian's patches applied for
# the packages listed in PATCHED).
#
# Debian 12's own apt lists carry only binary packages and too old an mbedTLS,
# so a private apt configuration is derived from this machine's own sources
# (same URIs, deb-src, suite trixie).  The system's apt state is never touched
# and no mirror host name is written anywhere by us.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=$1; shift
src="$cache/src"
apt_priv="$cache/apt"
mkdir -p "$src" "$apt_priv/sp" "$apt_priv/lists/partial" "$apt_priv/cache/archives/partial"

# Packages whose Debian revision carries security fixes we want.
PATCHED=" cjson libsodium "

die() { echo "fetch: $*" >&2; exit 1; }

lock_field() { # NAME FIELD# -> value
	awk -v n="$1" -v f="$2" '$1 == n { print $f; found=1 } END { exit !found }' "$here/lock"
}

apt_priv() {
	apt-get -q -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_priv/sp" \
		-o Dir::State::Lists="$apt_priv/lists" -o Dir::Cache="$apt_priv/cache" \
		-o Debug::NoLocking=1 "$@"
}

setup_apt() {
	[ -f "$apt_priv/.updated" ] && return 0
	local sys=/etc/apt/sources.list.d/debian.sources
	[ -r "$sys" ] || die "no $sys to derive Debian's source archive from"
	sed -e 's/^Types:.*/Types: deb-src/' \
	    -e 's/^Suites:.*-security.*/Suites: trixie-security/' \
	    -e '/^Suites:.*-security/!s/^Suites:.*/Suites: trixie/' \
	    "$sys" > "$apt_priv/sp/debian.sources"
	apt_priv update >"$apt_priv/update.log" 2>&1 || { cat "$apt_priv/update.log" >&2; die "apt update of the source lists failed"; }
	touch "$apt_priv/.updated"
}

fetch_one() {
	local name=$1 ver pkg dver orig sum dir
	ver=$(lock_field "$name" 2) || die "$name is not pinned in third_party/lock"
	pkg=$(lock_field "$name" 3); dver=$(lock_field "$name" 4)
	orig=$(lock_field "$name" 5); sum=$(lock_field "$name" 6)
	dir="$src/$name-$ver"
	if [ -f "$dir/.edgeaudit-verified" ] && [ "$(cat "$dir/.edgeaudit-verified")" = "$sum" ]; then
		return 0
	fi
	if [ ! -f "$src/$orig" ] || ! echo "$sum  $src/$orig" | sha256sum -c --status; then
		setup_apt
		local dl; dl=$(mktemp -d "$src/dl.XXXXXX")
		# The pinned Debian revision first; a later revision of the same release
		# carries the same orig tarball, which the sha256 check below decides.
		# Where the archive answers 404 for a .dsc (seen for zlib and libisal), the
		# orig tarball alone is enough for the packages we do not patch.
		( cd "$dl" && { apt_priv source --download-only "$pkg=$dver" >log 2>&1 ||
		                apt_priv source --download-only "$pkg" >>log 2>&1 ||
		                { [[ "$PATCHED" != *" $name "* ]] &&
		                  apt_priv source --download-only --tar-only "$pkg=$dver" >>log 2>&1; }; } ) ||
			{ cat "$dl/log" >&2; die "could not download source package $pkg"; }
		[ -f "$dl/$orig" ] || die "source package $pkg has no $orig (pin out of date?)"
		rm -f "$src/$pkg"_*.dsc "$src/$pkg"_*.debian.tar.*
		rm -f "$dl/log"; mv "$dl"/* "$src"/ && rm -rf "$dl"
	fi
	local got; got=$(sha256sum "$src/$orig" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || die "CHECKSUM MISMATCH for $orig: pinned $sum, got $got. Refusing to build."
	rm -rf "$dir" "$dir.tmp"
	if [[ "$PATCHED" == *" $name "* ]]; then
		local dsc; dsc=$(ls "$src/$pkg"_*.dsc | head -n1)
		( cd "$src" && dpkg-source --no-check -x "$dsc" "$dir.tmp" >/dev/null ) ||
			die "dpkg-source could not unpack $dsc"
	else
		mkdir -p "$dir.tmp"
		tar -xf "$src/$orig" -C "$dir.tmp" --strip-components=1
	fi
	echo "$sum" > "$dir.tmp/.edgeaudit-verified"
	mv "$dir.tmp" "$dir"
	echo "fetch: $name $ver verified (sha256 $sum)"
}

for n in "$@"; do fetch_one "$n"; done
