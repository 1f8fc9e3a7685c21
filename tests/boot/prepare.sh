#!/bin/sh
# tests/boot/prepare.sh CACHE: a Debian kernel and the modules the boot test
# needs (virtio disk, ext4), in CACHE/<kernel version>/, once.
#
# The kernel is Debian's own (the linux-image-amd64 metapackage's image
# package), fetched with `apt-get download` and unpacked with dpkg-deb,
# never installed.  Prints the folder on success.
set -eu
cache=$1
ver=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n 1)
[ -n "$ver" ] || { echo "prepare: apt knows no linux-image-amd64 (run apt-get update)" >&2; exit 1; }
dir=$cache/$ver
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir"
	mkdir -p "$dir/dl" "$dir/modules"
	# apt-get download writes into the current folder; _apt cannot write
	# into root's cache, hence the (harmless) warning it prints.
	(cd "$dir/dl" && apt-get download "linux-image-$ver" >/dev/null 2>&1) ||
		{ echo "prepare: apt-get download linux-image-$ver failed" >&2; exit 1; }
	dpkg-deb -x "$dir"/dl/linux-image-*.deb "$dir/x"
	cp "$dir/x/boot/vmlinuz-$ver" "$dir/vmlinuz"
	kd=$dir/x/lib/modules/$ver/kernel
	# The modules, dependencies first (read from each .ko's modinfo
	# "depends="; the crc32c softdep of ext4/jbd2 by name).
	order=""
	add() { # add NAME: NAME's dependencies, then NAME
		case " $order " in *" $1 "*) return 0 ;; esac
		ko=$(find "$kd" -name "$1.ko" | head -n 1)
		[ -n "$ko" ] || { echo "prepare: module $1 not found (built in?)" >&2; return 0; }
		# Copied before the recursion: ko and deps are not local in sh.
		cp "$ko" "$dir/modules/$1.ko"
		deps=$(grep -a -o 'depends=[^[:cntrl:]]*' "$ko" | head -n 1 | sed 's/^depends=//; s/,/ /g')
		for dep in $deps; do add "$dep"; done
		order="$order $1"
	}
	for m in virtio_pci virtio_blk crc32c_generic ext4; do add "$m"; done
	# shellcheck disable=SC2086 # one module name per word
	printf '%s\n' $order >"$dir/modules/order"
	rm -rf "$dir/x" "$dir/dl"
	touch "$dir/.done"
fi
echo "$dir"
