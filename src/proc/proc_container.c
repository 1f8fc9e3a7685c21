/* proc_container: see proc_container.h. */
#include "proc_container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"
#include "jsondoc.h"

/* ---- command lines ---- */

/* Iterate argv: returns the next argument or NULL. */
static const char *next_arg(const char *cmd, size_t len, size_t *pos)
{
	if (*pos >= len) return NULL;
	const char *a = cmd + *pos;
	const char *nul = memchr(a, '\0', len - *pos);
	*pos = nul ? (size_t)(nul - cmd) + 1 : len;
	return a;
}

/* Does argument a name option opt ("-x", "--x", "-x=V", "--x=V")?  *val
 * gets the inline value or NULL (then the value is the next argument). */
static int is_opt(const char *a, const char *opt, const char **val)
{
	if (a[0] != '-') return 0;
	a += a[1] == '-' ? 2 : 1;
	size_t n = strlen(opt);
	if (strncmp(a, opt, n) != 0) return 0;
	if (a[n] == '\0') {
		*val = NULL;
		return 1;
	}
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	return 0;
}

int pc_copy(char *dst, size_t n, const char *src)
{
	if (!n) return -1;
	size_t l = src ? strlen(src) : 0;
	int cut = l >= n;
	if (cut) l = n - 1;
	if (l) memcpy(dst, src, l);
	dst[l] = '\0';
	return cut ? -1 : 0;
}

static void copy(char *dst, size_t n, const char *src) { pc_copy(dst, n, src); }

/* argv0's base name. */
static const char *base0(const char *cmd, size_t len)
{
	if (!len) return "";
	const char *s = strrchr(cmd, '/');
	return s && (size_t)(s - cmd) < strnlen(cmd, len) ? s + 1 : cmd;
}

enum shim_kind shim_parse(const char *comm, const char *cmd, size_t len, struct shim_info *si)
{
	memset(si, 0, sizeof *si);
	const char *b = base0(cmd, len);
	if (!strncmp(comm, "balena-engine-c", 15) || strstr(b, "balena-engine-containerd-shim") ||
	    !strncmp(b, "balena-shim", 11))
		si->kind = SHIM_BALENA;
	else if (!strncmp(comm, "containerd-shim", 15) || !strncmp(b, "containerd-shim", 15))
		si->kind = SHIM_CONTAINERD;
	else if (!strcmp(comm, "conmon")) si->kind = SHIM_CONMON;
	else return SHIM_NONE;
	size_t pos = 0;
	next_arg(cmd, len, &pos); /* argv0 */
	const char *a, *v;
	while ((a = next_arg(cmd, len, &pos))) {
		char *dst = NULL;
		size_t dn = 0;
		if (si->kind == SHIM_CONMON) {
			if (is_opt(a, "c", &v) || is_opt(a, "cid", &v)) {
				dst = si->id;
				dn = sizeof si->id;
			} else if (is_opt(a, "b", &v) || is_opt(a, "bundle", &v)) {
				dst = si->bundle;
				dn = sizeof si->bundle;
			} else if (is_opt(a, "n", &v) || is_opt(a, "name", &v)) {
				dst = si->name;
				dn = sizeof si->name;
			}
		} else {
			if (is_opt(a, "namespace", &v)) {
				dst = si->ns;
				dn = sizeof si->ns;
			} else if (is_opt(a, "id", &v)) {
				dst = si->id;
				dn = sizeof si->id;
			} else if (is_opt(a, "address", &v)) {
				dst = si->address;
				dn = sizeof si->address;
			} else if (is_opt(a, "runtime-root", &v)) {
				dst = si->runtime_root;
				dn = sizeof si->runtime_root;
			} else if (is_opt(a, "workdir", &v)) {
				dst = si->bundle;
				dn = sizeof si->bundle;
			}
		}
		if (!dst) continue;
		if (!v) v = next_arg(cmd, len, &pos);
		copy(dst, dn, v);
	}
	return si->kind;
}

int dockerd_parse(const char *comm, const char *cmd, size_t len, struct dockerd_info *di)
{
	memset(di, 0, sizeof *di);
	const char *b = base0(cmd, len);
	if (!strcmp(comm, "dockerd") || !strcmp(b, "dockerd")) di->balena = 0;
	else if (!strncmp(comm, "balena-engine-d", 15) || !strcmp(comm, "balenad") ||
	         !strcmp(b, "balenad") || !strcmp(b, "balena-engine-daemon") ||
	         (!strcmp(b, "balena-engine") && len > strlen(cmd) + 1 &&
	          !strcmp(cmd + strlen(cmd) + 1, "daemon")))
		di->balena = 1;
	else return 0;
	copy(di->data_root, sizeof di->data_root,
	     di->balena ? "/var/lib/balena-engine" : "/var/lib/docker");
	copy(di->exec_root, sizeof di->exec_root,
	     di->balena ? "/var/run/balena-engine" : "/var/run/docker");
	copy(di->config_file, sizeof di->config_file,
	     di->balena ? "/etc/balena-engine/daemon.json" : "/etc/docker/daemon.json");
	size_t pos = 0;
	next_arg(cmd, len, &pos);
	const char *a, *v;
	while ((a = next_arg(cmd, len, &pos))) {
		char *dst = NULL;
		size_t dn = 0;
		if (is_opt(a, "data-root", &v) || is_opt(a, "g", &v) || is_opt(a, "graph", &v)) {
			dst = di->data_root;
			dn = sizeof di->data_root;
			di->data_root_given = 1;
		} else if (is_opt(a, "exec-root", &v)) {
			dst = di->exec_root;
			dn = sizeof di->exec_root;
		} else if (is_opt(a, "config-file", &v)) {
			dst = di->config_file;
			dn = sizeof di->config_file;
		}
		if (!dst) continue;
		if (!v) v = next_arg(cmd, len, &pos);
		copy(dst, dn, v);
	}
	return 1;
}

/* ---- mountinfo ---- */

/* Copy a mountinfo field, turning \ooo escapes back into bytes. */
static void unescape(const char *s, size_t n, char *out, size_t on)
{
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < on; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[j++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
			                  (s[i + 3] - '0'));
			i += 3;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
}

/* Split one mountinfo line: "id parent maj:min root mountpoint ...". */
static int mi_fields(const char *line, size_t n, unsigned *maj, unsigned *min, const char **root,
                     size_t *rootn, const char **mp, size_t *mpn)
{
	const char *f[5];
	size_t fl[5];
	size_t i = 0;
	for (int k = 0; k < 5; k++) {
		while (i < n && line[i] == ' ') i++;
		f[k] = line + i;
		while (i < n && line[i] != ' ') i++;
		fl[k] = (size_t)(line + i - f[k]);
		if (!fl[k]) return -1;
	}
	char dev[32];
	if (fl[2] >= sizeof dev) return -1;
	memcpy(dev, f[2], fl[2]);
	dev[fl[2]] = '\0';
	if (sscanf(dev, "%u:%u", maj, min) != 2) return -1;
	*root = f[3];
	*rootn = fl[3];
	*mp = f[4];
	*mpn = fl[4];
	return 0;
}

int mountinfo_root(const char *mi, size_t len, char *root, size_t rn, unsigned *maj, unsigned *min)
{
	int found = 0;
	const char *p = mi, *end = mi + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		unsigned a, b;
		const char *r, *m;
		size_t r_n, m_n;
		if (mi_fields(p, n, &a, &b, &r, &r_n, &m, &m_n) == 0 && m_n == 1 && m[0] == '/') {
			unescape(r, r_n, root, rn);
			*maj = a;
			*min = b;
			found = 1;
		}
		p = nl ? nl + 1 : end;
	}
	return found ? 0 : -1;
}

int mountinfo_host_path(const char *mi, size_t len, unsigned maj, unsigned min, const char *root,
                        char *out, size_t n)
{
	size_t best = 0;
	int found = 0;
	const char *p = mi, *end = mi + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
		unsigned a, b;
		const char *r, *m;
		size_t r_n, m_n;
		if (mi_fields(p, ln, &a, &b, &r, &r_n, &m, &m_n) == 0 && a == maj && b == min) {
			char mroot[PC_PATH], mpt[PC_PATH];
			unescape(r, r_n, mroot, sizeof mroot);
			unescape(m, m_n, mpt, sizeof mpt);
			size_t rl = strlen(mroot);
			if (rl == 1) rl = 0; /* "/" */
			int prefix =
			        !strncmp(root, mroot, rl) && (root[rl] == '/' || root[rl] == '\0');
			/* Longest prefix wins; between equals, the later (upper) mount. */
			if (prefix && (!found || rl >= best)) {
				const char *rest = root + rl;
				if (!strcmp(mpt, "/")) snprintf(out, n, "%s", *rest ? rest : "/");
				else snprintf(out, n, "%s%s", mpt, rest);
				best = rl;
				found = 1;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return found ? 0 : -1;
}

/* ---- files ---- */

cJSON *pc_read_json(const char *path, ea_error_t *err)
{
	char dir[PC_PATH];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || !slash[1]) {
		ea_fail(err, EA_E_BADNAME, "not a file path: %.200s", path);
		return NULL;
	}
	*slash = '\0';
	cleanup_close int dfd = fsx_open_root(dir[0] ? dir : "/", err);
	if (dfd < 0) return NULL;
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (fsx_read_file_at(dfd, slash + 1, PC_MAX_JSON, &data, &len, err) < 0) return NULL;
	/* one meaning, as runc reads it (duplicate keys: Go keeps the last) */
	cJSON *j = jsondoc_parse(data, len);
	if (!j) ea_fail(err, EA_E_FORMAT, "%.200s is not valid JSON with one meaning", path);
	return j;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

void container_clear(struct container *c)
{
	cJSON_Delete(c->config);
	memset(c, 0, sizeof *c);
}

static void note(struct container *c, const char *what, const ea_error_t *e)
{
	if (!c->problem[0] && snprintf(c->problem, sizeof c->problem, "%s: %s", what, e->msg) >=
	                              (int)sizeof c->problem)
		c->problem[sizeof c->problem - 2] = '~';
}

static const char *jstr(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Docker / balenaEngine: <data-root>/containers/<id>/config.v2.json. */
static void docker_image(struct container *c, const struct shim_info *shim,
                         const struct dockerd_info *d, int nd)
{
	const struct dockerd_info *use = NULL;
	int want_balena = !strcmp(c->runtime, "balena");
	/* The shim's socket is <exec-root>/containerd/containerd.sock. */
	if (shim && shim->address[0]) {
		for (int i = 0; i < nd && !use; i++) {
			size_t n = strlen(d[i].exec_root);
			if (n && !strncmp(shim->address, d[i].exec_root, n) &&
			    shim->address[n] == '/')
				use = &d[i];
		}
	}
	for (int i = 0; i < nd && !use; i++)
		if (d[i].balena == want_balena) use = &d[i];
	char path[PC_PATH + 128];
	const char *root = use           ? use->data_root
	                   : want_balena ? "/var/lib/balena-engine"
	                                 : "/var/lib/docker";
	if (use && !use->data_root_given) {
		/* daemon.json may move it. */
		cJSON *cfg = pc_read_json(use->config_file, NULL);
		const char *dr = cfg ? jstr(cfg, "data-root") : NULL;
		if (dr) {
			snprintf(path, sizeof path, "%s/containers/%s/config.v2.json", dr, c->id);
			if (exists(path)) root = NULL;
		}
		cJSON_Delete(cfg);
	}
	if (root && snprintf(path, sizeof path, "%s/containers/%s/config.v2.json", root, c->id) >=
	                    (int)sizeof path)
		return;
	ea_error_t e = {0};
	cJSON *j = pc_read_json(path, &e);
	if (!j) {
		note(c, "config.v2.json", &e);
		return;
	}
	const char *img = jstr(j, "Image");
	if (img) snprintf(c->image_id, sizeof c->image_id, "%s", img);
	const char *name = jstr(cJSON_GetObjectItemCaseSensitive(j, "Config"), "Image");
	if (name) snprintf(c->image_name, sizeof c->image_name, "%s", name);
	const char *cn = jstr(j, "Name");
	if (cn && !c->name[0]) snprintf(c->name, sizeof c->name, "%s", cn[0] == '/' ? cn + 1 : cn);
	cJSON_Delete(j);
	/* runc's state: <exec-root>/runtime-runc/moby/<id>/state.json */
	if (use) {
		if (snprintf(path, sizeof path, "%s/runtime-runc/moby/%s", use->exec_root, c->id) <
		            (int)sizeof path &&
		    exists(path))
			pc_copy(c->state, sizeof c->state, path);
	}
}

/* podman: <root>/<driver>-containers/<id>/userdata is the bundle;
 * containers.json two levels up, images.json in <driver>-images/. */
static void podman_image(struct container *c)
{
	char base[PC_PATH], path[PC_PATH + 64];
	snprintf(base, sizeof base, "%s", c->bundle);
	for (int i = 0; i < 2; i++) {
		char *s = strrchr(base, '/');
		if (!s) return;
		*s = '\0';
	}
	const char *leaf = strrchr(base, '/');
	if (!leaf || strlen(leaf) < 12 || strcmp(leaf + strlen(leaf) - 11, "-containers") != 0)
		return;
	snprintf(path, sizeof path, "%s/containers.json", base);
	ea_error_t e = {0};
	cJSON *j = pc_read_json(path, &e);
	if (!j) {
		note(c, "containers.json", &e);
		return;
	}
	const cJSON *it;
	char image[80] = "";
	cJSON_ArrayForEach (it, j) {
		const char *id = jstr(it, "id");
		if (!id || strcmp(id, c->id) != 0) continue;
		const char *img = jstr(it, "image");
		if (img) snprintf(image, sizeof image, "%s", img);
		const cJSON *names = cJSON_GetObjectItemCaseSensitive(it, "names");
		if (!c->name[0] && cJSON_IsArray(names) && cJSON_IsString(names->child))
			snprintf(c->name, sizeof c->name, "%s", names->child->valuestring);
	}
	cJSON_Delete(j);
	if (!image[0]) return;
	if (snprintf(c->image_id, sizeof c->image_id, "sha256:%s", image) >=
	    (int)sizeof c->image_id) {
		c->image_id[0] = '\0';
		return;
	}
	/* <driver>-images/images.json */
	size_t dl = strlen(leaf + 1) - 11;
	char drv[64];
	if (dl >= sizeof drv) return;
	memcpy(drv, leaf + 1, dl);
	drv[dl] = '\0';
	char root[PC_PATH];
	snprintf(root, sizeof root, "%.*s", (int)(leaf - base), base);
	if (snprintf(path, sizeof path, "%s/%s-images/images.json", root, drv) >= (int)sizeof path)
		return;
	j = pc_read_json(path, &e);
	if (!j) return;
	cJSON_ArrayForEach (it, j) {
		const char *id = jstr(it, "id");
		if (!id || strcmp(id, image) != 0) continue;
		const cJSON *names = cJSON_GetObjectItemCaseSensitive(it, "names");
		if (cJSON_IsArray(names) && cJSON_IsString(names->child))
			snprintf(c->image_name, sizeof c->image_name, "%s",
			         names->child->valuestring);
	}
	cJSON_Delete(j);
}

void container_load(struct container *c, const struct shim_info *shim,
                    const struct dockerd_info *dockerds, int ndockerds)
{
	if (c->bundle[0]) {
		char path[PC_PATH + 16];
		snprintf(path, sizeof path, "%s/config.json", c->bundle);
		ea_error_t e = {0};
		c->config = pc_read_json(path, &e);
		if (!c->config) note(c, "config.json", &e);
	}
	/* CRI engines name the image in the bundle's annotations. */
	const cJSON *ann =
	        c->config ? cJSON_GetObjectItemCaseSensitive(c->config, "annotations") : NULL;
	static const char *const img_keys[] = {
	        "io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName",
	        "io.containerd.image.name", "org.opencontainers.image.ref.name"};
	for (unsigned i = 0; ann && i < sizeof img_keys / sizeof img_keys[0] && !c->image_name[0];
	     i++) {
		const char *v = jstr(ann, img_keys[i]);
		if (v) snprintf(c->image_name, sizeof c->image_name, "%s", v);
	}
	const char *cn = ann ? jstr(ann, "io.kubernetes.cri.container-name") : NULL;
	if (!cn && ann) cn = jstr(ann, "io.kubernetes.container.name");
	if (cn && !c->name[0]) snprintf(c->name, sizeof c->name, "%s", cn);

	if (!strcmp(c->runtime, "docker") || !strcmp(c->runtime, "balena")) {
		docker_image(c, shim, dockerds, ndockerds);
	} else if (!strcmp(c->runtime, "podman") && c->bundle[0]) {
		podman_image(c);
		char path[PC_PATH];
		snprintf(path, sizeof path, "/run/runc/%s", c->id);
		if (exists(path)) snprintf(c->state, sizeof c->state, "%s", path);
	} else if (shim && (shim->kind == SHIM_CONTAINERD || shim->kind == SHIM_BALENA) &&
	           shim->ns[0]) {
		char path[PC_PATH];
		const char *rr =
		        shim->runtime_root[0] ? shim->runtime_root : "/run/containerd/runc";
		if (snprintf(path, sizeof path, "%s/%s/%s", rr, shim->ns, c->id) <
		            (int)sizeof path &&
		    exists(path))
			pc_copy(c->state, sizeof c->state, path);
	}
}
