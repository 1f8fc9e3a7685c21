#!/bin/busybox sh
# shellcheck shell=sh
# /init of the boot test's initramfs: the firmware boot self-check, for real.
# Mounts proc, sys, dev and the store disk (read-only), runs the static
# edgeaudit as a boot script would, prints what the test reads between
# BOOTTEST markers on the serial console, and powers off.
/bin/busybox mkdir -p /bin /sbin /proc /sys /dev /mnt /run
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
while read -r m; do
	insmod "/modules/$m.ko" || echo "BOOTTEST: insmod $m failed"
done </modules/order
# virtio probes asynchronously: wait for the disk (at most 10 s).
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 -o ro /dev/vda /mnt || echo "BOOTTEST: mount failed"

# The console run: text report, settings from /etc/edgeaudit/config.json.
echo
echo "BOOTTEST: text begin"
/sbin/edgeaudit audit --format text
echo "BOOTTEST: text end exit=$?"
# The report a technician carries off the box: JSON, signed.
/sbin/edgeaudit audit --out /run/report.json --sign-key /etc/edgeaudit/device-key.pem
echo "BOOTTEST: json exit=$?"
echo "BOOTTEST: report $(cat /run/report.json)"
echo "BOOTTEST: sig $(cat /run/report.json.sig)"
dmesg | grep 'edgeaudit:' | sed 's/^/BOOTTEST: kmsg /'
echo "BOOTTEST: done"
poweroff -f
