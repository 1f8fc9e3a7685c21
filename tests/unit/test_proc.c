/* Unit tests of the pure parts of the /proc audit: status lines,
 * capabilities, cgroup paths, runtime command lines, mountinfo. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "proc_cgroup.h"
#include "proc_container.h"
#include "proc_status.h"
#include "unit.h"

#define H64 "6570e5c05c1f442de26d19195861a235d13a1d2456dc320222485ee73b298345"

/* A real status of a docker container's process (kernel 6.18), cut. */
static const char status_docker[] =
        "Name:\tsleep\nUmask:\t0022\nState:\tS "
        "(sleeping)\nTgid:\t28560\nNgid:\t0\nPid:\t28560\nPPid:\t28541\n"
        "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t0 1 2 3 4 6 10 "
        "11 20 26 27 \n"
        "NStgid:\t28560\t1\nNSpid:\t28560\t1\nNSpgid:\t28560\t1\nNSsid:\t28560\t1\nKthread:"
        "\t0\nVmPeak:\t    1044 kB\n"
        "VmSize:\t    1044 kB\nThreads:\t1\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\n"
        "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nCapAmb:"
        "\t0000000000000000\nNoNewPrivs:\t0\n"
        "Seccomp:\t2\nSeccomp_filters:\t1\nSpeculation_Store_Bypass:\tvulnerable\n";

UNIT_TEST(proc_status_docker_process)
{
	struct proc_status st;
	ea_error_t e = {0};
	CHECK(proc_status_parse(status_docker, strlen(status_docker), &st, &e) == 0);
	CHECK_EQ_STR(st.name, "sleep");
	CHECK_EQ_INT(st.pid, 28560);
	CHECK_EQ_INT(st.ppid, 28541);
	CHECK_EQ_INT(st.state, 'S');
	CHECK_EQ_INT(st.seccomp, 2);
	CHECK_EQ_INT(st.seccomp_filters, 1);
	CHECK_EQ_INT(st.no_new_privs, 0);
	CHECK_EQ_INT(st.nspid_depth, 2);
	CHECK_EQ_INT(st.nspid_inner, 1);
	CHECK_EQ_INT(st.kthread, 0);
	CHECK_EQ_INT(st.threads, 1);
	CHECK(st.caps[PS_CAP_EFF] == 0xa80425fbull);
	CHECK(st.caps[PS_CAP_BND] == 0xa80425fbull);
	CHECK_EQ_INT(st.caps_seen, 0x1f);
	CHECK_EQ_INT(st.uid[1], 0);
}

UNIT_TEST(proc_status_old_kernel_fields_stay_unknown)
{
	/* A 4.9 kernel: no Seccomp_filters, no Kthread; a kernel thread has no
	 * Vm lines. */
	const char *t = "Name:\tkworker/0:1\nState:\tI "
	                "(idle)\nPid:\t12\nPPid:\t2\nCapEff:\t0000003fffffffff\n"
	                "NoNewPrivs:\t0\nSeccomp:\t0\n";
	struct proc_status st;
	CHECK(proc_status_parse(t, strlen(t), &st, NULL) == 0);
	CHECK_EQ_INT(st.seccomp_filters, -1);
	CHECK_EQ_INT(st.kthread, 1);
	const char *t2 = "Name:\tinit\nState:\tS\nPid:\t1\nPPid:\t0\nVmSize:\t 100 kB\n";
	CHECK(proc_status_parse(t2, strlen(t2), &st, NULL) == 0);
	CHECK_EQ_INT(st.no_new_privs, -1);
	CHECK_EQ_INT(st.seccomp, -1);
	CHECK_EQ_INT(st.kthread, 0);
	CHECK_EQ_INT(st.caps_seen, 0);
}

UNIT_TEST(proc_status_hostile_input)
{
	struct proc_status st;
	ea_error_t e = {0};
	CHECK(proc_status_parse("", 0, &st, &e) < 0);
	const char *bad = "Name:\tx\nPid:\t5\nCapEff:\tzz\n";
	CHECK(proc_status_parse(bad, strlen(bad), &st, &e) < 0);
	CHECK_EQ_INT(e.code, EA_E_FORMAT);
	const char *bad2 = "Name:\tx\nPid:\t5\nSeccomp:\t7\n";
	CHECK(proc_status_parse(bad2, strlen(bad2), &st, &e) < 0);
	const char *bad3 = "Name:\tx\nPid:\t5\nCapEff:\t00000000000000001\n"; /* 17 digits */
	CHECK(proc_status_parse(bad3, strlen(bad3), &st, &e) < 0);
	/* An over-long line is skipped, not a crash; NUL bytes end nothing. */
	size_t n = 20000;
	char *big = malloc(n + 64);
	memset(big, 'A', n);
	memcpy(big + n, "\nName:\ty\nPid:\t7\n", 16);
	CHECK(proc_status_parse(big, n + 16, &st, &e) == 0);
	free(big);
	CHECK_EQ_INT(st.pid, 7);
	/* A name of 63+ characters is cut, not overflowed. */
	char nm[200];
	snprintf(nm, sizeof nm, "Name:\t%0120d\nPid:\t3\n", 0);
	CHECK(proc_status_parse(nm, strlen(nm), &st, &e) == 0);
	CHECK_EQ_INT(strlen(st.name), 63);
}

UNIT_TEST(proc_caps_decode)
{
	CHECK_EQ_STR(cap_name(21), "CAP_SYS_ADMIN");
	CHECK_EQ_STR(cap_name(40), "CAP_CHECKPOINT_RESTORE");
	CHECK(cap_name(41) == NULL);
	CHECK_EQ_INT(cap_from_name("CAP_SYS_MODULE"), 16);
	CHECK_EQ_INT(cap_from_name("sys_module"), 16);
	CHECK_EQ_INT(cap_from_name("CAP_NOPE"), -1);
	/* docker's default set */
	char buf[512];
	caps_to_str(0xa80425fbull, buf, sizeof buf);
	CHECK_EQ_STR(buf, "CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_SETGID,"
	                  "CAP_SETUID,CAP_SETPCAP,"
	                  "CAP_NET_BIND_SERVICE,CAP_NET_RAW,CAP_SYS_CHROOT,CAP_MKNOD,CAP_AUDIT_"
	                  "WRITE,CAP_SETFCAP");
	cJSON *j = caps_to_json(0x1ffffffffffull, 40);
	char *s = cJSON_PrintUnformatted(j);
	CHECK_EQ_STR(s, "[\"ALL\"]");
	free(s);
	cJSON_Delete(j);
	/* root without CAP_SYS_RESOURCE (this project's machines) */
	j = caps_to_json(0x1fffeffffffull, 40);
	s = cJSON_PrintUnformatted(j);
	CHECK_EQ_STR(s, "[\"ALL\",\"-CAP_SYS_RESOURCE\"]");
	free(s);
	cJSON_Delete(j);
	/* a bit past the table is named by number; unknown last_cap: never ALL */
	j = caps_to_json(CAP_BIT(45) | 1, -1);
	s = cJSON_PrintUnformatted(j);
	CHECK_EQ_STR(s, "[\"CAP_CHOWN\",\"CAP_45\"]");
	free(s);
	cJSON_Delete(j);
	j = caps_to_json(0, 40);
	s = cJSON_PrintUnformatted(j);
	CHECK_EQ_STR(s, "[]");
	free(s);
	cJSON_Delete(j);
}

static int cg(const char *text, struct cgroup_match *m)
{
	return proc_cgroup_match(text, strlen(text), m);
}

UNIT_TEST(proc_cgroup_paths)
{
	struct cgroup_match m;
	CHECK(cg("12:pids:/docker/" H64 "\n0::/docker/" H64 "\n", &m));
	CHECK_EQ_STR(cg_runtime_name(m.runtime), "docker");
	CHECK_EQ_STR(m.id, H64);
	CHECK_EQ_STR(m.path, "/docker/" H64);
	CHECK(cg("0::/system.slice/docker-" H64 ".scope\n", &m));
	CHECK_EQ_INT(m.runtime, CG_DOCKER);
	CHECK(cg("0::/machine.slice/libpod-" H64 ".scope/container\n", &m));
	CHECK_EQ_INT(m.runtime, CG_PODMAN);
	CHECK(cg("9:name=systemd:/libpod_parent/libpod-" H64 "\n", &m));
	CHECK_EQ_INT(m.runtime, CG_PODMAN);
	CHECK(!cg("0::/machine.slice/libpod-conmon-" H64 ".scope\n", &m)); /* the monitor */
	CHECK(cg("0::/balena/" H64 "\n", &m));
	CHECK_EQ_INT(m.runtime, CG_BALENA);
	CHECK(cg("0::/kubepods.slice/kubepods-besteffort.slice/"
	         "kubepods-besteffort-pod1a2b_3c4d.slice/cri-containerd-" H64 ".scope\n",
	         &m));
	CHECK_EQ_INT(m.runtime, CG_CONTAINERD);
	CHECK_EQ_STR(m.pod, "1a2b_3c4d");
	CHECK(cg("11:devices:/kubepods/besteffort/pod74c13223-5a00-11e9-b385-42010a80018d/" H64
	         "\n",
	         &m));
	CHECK_EQ_INT(m.runtime, CG_KUBEPODS);
	CHECK_EQ_STR(m.pod, "74c13223-5a00-11e9-b385-42010a80018d");
	CHECK(cg("0::/kubepods.slice/kubepods-pod1.slice/crio-" H64 ".scope\n", &m));
	CHECK_EQ_INT(m.runtime, CG_CRIO);
	/* hybrid v1: the unified line is the path kept; ctr's /ns/id is no match */
	CHECK(!cg("9:name=systemd:/default/c1\n4:memory:/x/default/c1\n0::/default/c1\n", &m));
	CHECK_EQ_STR(m.path, "/default/c1");
	CHECK(!cg("4:memory:/process_api/41081808ace25a070ca8ba8d4b039fec\n0::/\n", &m));
	/* not 64 hex: no guess */
	CHECK(!cg("0::/docker/6570e5c05c1f\n", &m));
	CHECK(!cg("0::/docker/" H64 "x\n", &m));
	CHECK(!cg("garbage without colons\n::\n", &m));
	/* the outer container wins (docker in docker) */
	CHECK(cg("0::/docker/" H64
	         "/docker/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	         &m));
	CHECK_EQ_STR(m.id, H64);
}

UNIT_TEST(proc_shim_and_daemon_command_lines)
{
	static const char shim[] = "/usr/bin/containerd-shim-runc-v2\0-namespace\0moby\0-id\0" H64
	                           "\0-address\0/tmp/x/dexec/containerd/containerd.sock\0";
	struct shim_info si;
	CHECK_EQ_INT(shim_parse("containerd-shim", shim, sizeof shim - 1, &si), SHIM_CONTAINERD);
	CHECK_EQ_STR(si.ns, "moby");
	CHECK_EQ_STR(si.id, H64);
	CHECK_EQ_STR(si.address, "/tmp/x/dexec/containerd/containerd.sock");
	static const char conmon[] =
	        "/usr/bin/conmon\0--api-version\0001\0-c\0abc\0-u\0abc\0-r\0/usr/bin/runc\0-b\0"
	        "/s/vfs-containers/abc/userdata\0-n\0p1\0--exit-dir\0/run/x\0";
	CHECK_EQ_INT(shim_parse("conmon", conmon, sizeof conmon - 1, &si), SHIM_CONMON);
	CHECK_EQ_STR(si.id, "abc");
	CHECK_EQ_STR(si.bundle, "/s/vfs-containers/abc/userdata");
	CHECK_EQ_STR(si.name, "p1");
	static const char bal[] = "balena-engine-containerd-shim\0-namespace=moby\0-id=x1\0";
	CHECK_EQ_INT(shim_parse("balena-engine-c", bal, sizeof bal - 1, &si), SHIM_BALENA);
	CHECK_EQ_STR(si.id, "x1");
	CHECK_EQ_STR(si.ns, "moby");
	CHECK_EQ_INT(shim_parse("bash", "bash\0", 5, &si), SHIM_NONE);
	/* a truncated command line (option without its value) */
	static const char cut[] = "/usr/bin/containerd-shim-runc-v2\0-id";
	CHECK_EQ_INT(shim_parse("containerd-shim", cut, sizeof cut - 1, &si), SHIM_CONTAINERD);
	CHECK_EQ_STR(si.id, "");

	struct dockerd_info di;
	static const char d1[] =
	        "dockerd\0--iptables=false\0--data-root\0/tmp/x/docker\0--exec-root=/tmp/x/dexec\0";
	CHECK(dockerd_parse("dockerd", d1, sizeof d1 - 1, &di));
	CHECK_EQ_STR(di.data_root, "/tmp/x/docker");
	CHECK_EQ_STR(di.exec_root, "/tmp/x/dexec");
	CHECK_EQ_INT(di.data_root_given, 1);
	static const char d2[] = "/usr/bin/balenad\0-H\0fd://\0";
	CHECK(dockerd_parse("balenad", d2, sizeof d2 - 1, &di));
	CHECK_EQ_INT(di.balena, 1);
	CHECK_EQ_STR(di.data_root, "/var/lib/balena-engine");
	CHECK(!dockerd_parse("containerd", "containerd\0", 11, &di));
}

UNIT_TEST(proc_mountinfo_root_to_host_path)
{
	/* runc run by hand: the root is a bind of <bundle>/rootfs */
	const char *ctr = "65 43 254:0 /tmp/px/bundle/rootfs / ro,relatime - ext4 /dev/vda rw\n"
	                  "66 65 0:5 / /proc rw - proc proc rw\n";
	const char *host = "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	                   "30 27 0:30 / /tmp rw - tmpfs tmpfs rw\n"
	                   "31 27 254:16 /data /srv\\040data rw - ext4 /dev/vdb rw\n";
	char root[256], out[256];
	unsigned maj, min;
	CHECK(mountinfo_root(ctr, strlen(ctr), root, sizeof root, &maj, &min) == 0);
	CHECK_EQ_STR(root, "/tmp/px/bundle/rootfs");
	CHECK_EQ_INT(maj, 254);
	CHECK_EQ_INT(min, 0);
	CHECK(mountinfo_host_path(host, strlen(host), maj, min, root, out, sizeof out) == 0);
	CHECK_EQ_STR(out, "/tmp/px/bundle/rootfs");
	/* a filesystem mounted below the host's root, with an escaped space */
	CHECK(mountinfo_host_path(host, strlen(host), 254, 16, "/data/b/rootfs", out, sizeof out) ==
	      0);
	CHECK_EQ_STR(out, "/srv data/b/rootfs");
	CHECK(mountinfo_host_path(host, strlen(host), 254, 16, "/other", out, sizeof out) < 0);
	CHECK(mountinfo_host_path(host, strlen(host), 9, 9, "/x", out, sizeof out) < 0);
	CHECK(mountinfo_root("junk\n1 2\n", 9, root, sizeof root, &maj, &min) < 0);
}

/* A bundle's config.json is read as runc reads it, or refused: two
 * "seccomp" members (or "seccomp" and "Seccomp") would give runc one filter
 * and the audit another. */
UNIT_TEST(proc_bundle_config_one_meaning)
{
	char dir[] = "/tmp/edgeaudit-unit.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof path, "%s/config.json", dir);
	static const struct {
		const char *doc;
		int ok;
	} cases[] = {
	        {"{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_"
	         "ERRNO\"}}}",
	         1},
	        {"{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"},\"seccomp\":null}"
	         "}",
	         0},
	        {"{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"},\"Seccomp\":null}"
	         "}",
	         0},
	        {"{\"root\":{\"path\":\"rootfs\"}} {}", 0},
	};
	int fails = 0;
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		FILE *f = fopen(path, "w");
		if (!f) {
			fails++;
			break;
		}
		fputs(cases[i].doc, f);
		fclose(f);
		ea_error_t err = {0};
		cJSON *j = pc_read_json(path, &err);
		if ((j != NULL) != cases[i].ok || (!j && err.code != EA_E_FORMAT)) {
			fprintf(stderr, "#   case %u: got %s (%s)\n", i, j ? "parsed" : "refused",
			        err.msg);
			fails++;
		}
		cJSON_Delete(j);
	}
	unlink(path);
	rmdir(dir);
	CHECK_EQ_INT(fails, 0);
}
