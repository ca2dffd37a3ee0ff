// SPDX-License-Identifier: MIT
/*
 * Scenario files (INI, parsed by libinih) + CLI overrides -> keys and their
 * value lists (scenario-expand.c turns them into variants).
 *
 * Values are kept per key as a JSON array of canonical texts (each one parsed
 * and re-formatted by options.c, so "064" and "64" are the same value); the
 * public sc->keys holds the same values typed.  Every value is validated
 * when it is read, so expansion can only fail on cross-field checks.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "embedded.h"
#include "options.h"
#include "scenario.h"
#include "scenario-int.h"

#define SCENARIO_MAX_FILE (1u << 20)

int scenario__ensure_init(struct scenario *sc)
{
	if (!sc->raw_)
		sc->raw_ = json_object();
	if (!sc->cli_)
		sc->cli_ = json_object();
	if (!sc->keys)
		sc->keys = json_object();
	return sc->raw_ && sc->cli_ && sc->keys ? 0 : -ENOMEM;
}

void scenario__sync_level(struct scenario *sc)
{
	struct run_config c;
	char err[256];
	options__defaults(&c);
	const char *const lvl[] = { "repeat", "seed", "warmup_s", NULL };
	for (unsigned i = 0; lvl[i]; i++) {
		const struct bench_option *o = options__find(lvl[i]);
		json_t *a = sc->raw_ ? json_object_get(sc->raw_, o->key) : NULL;
		if (a && json_array_size(a))
			options__set(&c, o, json_string_value(json_array_get(a, 0)), err, sizeof(err));
	}
	sc->repeat = c.repeat;
	sc->seed = c.seed;
	sc->warmup_s = c.warmup_s;
}

void scenario__init(struct scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	scenario__ensure_init(sc);
	scenario__sync_level(sc);
}

/* Typed value(s) of a canonical text list: a scalar for one value, else an array. */
static json_t *typed(const struct bench_option *o, json_t *raw)
{
	struct run_config c;
	char err[256];
	options__defaults(&c);
	json_t *arr = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(raw, i, v) {
		options__set(&c, o, json_string_value(v), err, sizeof(err));
		json_array_append_new(arr, options__value_json(&c, o));
	}
	if (json_array_size(arr) == 1) {
		json_t *one = json_incref(json_array_get(arr, 0));
		json_decref(arr);
		return one;
	}
	return arr;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/*
 * Parse "a, b, c" for option o and append the canonical texts to raw
 * (which may already hold values: continuation lines).  @spelled names the
 * key in messages.  0 or -EINVAL with err.
 */
static int parse_values(const struct bench_option *o, const char *spelled, const char *text,
			json_t *raw, char *err, size_t len)
{
	struct run_config c;
	char why[512], canon[512];
	char *dup = strdup(text ? text : "");
	int ret = -EINVAL;

	if (!dup) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	options__defaults(&c);
	char *all = trim(dup);

	if (o->flags & OPT_F_NOLIST || (!*all && o->kind == OPT_KIND_STRING)) {
		/* one value, commas included; "" is a valid string */
		if (options__set_as(&c, o, all, spelled, err, len))
			goto out;
		options__format(&c, o, canon, sizeof(canon));
		json_array_append_new(raw, json_string(canon));
		ret = 0;
		goto out;
	}
	if (!*all) {
		snprintf(err, len, "%s: empty value; give one or more values separated by commas",
			 spelled);
		goto out;
	}
	char *p = all;
	for (;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		char *v = trim(p);
		if (!*v) {
			/* a trailing comma is fine (multi-line lists); ",," is a typo */
			if (!comma && json_array_size(raw))
				break;
			snprintf(err, len, "%s: empty element in list '%s'", spelled, text);
			goto out;
		}
		if (options__set_as(&c, o, v, spelled, why, sizeof(why))) {
			snprintf(err, len, "%s", why);
			goto out;
		}
		options__format(&c, o, canon, sizeof(canon));
		size_t i;
		json_t *e;
		json_array_foreach(raw, i, e) {
			if (!strcmp(json_string_value(e), canon)) {
				snprintf(err, len, "%s: '%s' is listed twice", spelled, v);
				goto out;
			}
		}
		json_array_append_new(raw, json_string(canon));
		if (!comma)
			break;
		p = comma + 1;
	}
	if ((o->flags & OPT_F_SCENARIO) && json_array_size(raw) > 1) {
		snprintf(err, len, "%s: scenario-level key takes one value, not a list", spelled);
		goto out;
	}
	ret = 0;
out:
	free(dup);
	return ret;
}

/* ---- INI ---------------------------------------------------------------- */

struct ini_ctx {
	const char *name;       /* for messages */
	const char *text;
	const char *pos;        /* reader position */
	const char *line;       /* start of the current line in text */
	int lineno;             /* current line (1-based) */
	json_t *raw;            /* key -> [canonical texts] */
	json_t *first;          /* key -> line of first occurrence */
	const char *prev_key;   /* option key of the previous handler call */
	char err[768];
	int err_line;
	bool stop;
};

static void ctx_err(struct ini_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ctx_err(struct ini_ctx *x, const char *fmt, ...)
{
	if (x->err_line)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	x->err_line = x->lineno;
	x->stop = true;
}

/* fgets over the string, one whole line per call, counting lines ourselves
 * so handler errors can name their line (libinih's handler has no lineno). */
static char *scn_reader(char *str, int num, void *stream)
{
	struct ini_ctx *x = stream;
	if (x->stop || !*x->pos)
		return NULL;
	const char *nl = strchr(x->pos, '\n');
	size_t n = nl ? (size_t)(nl - x->pos) + 1 : strlen(x->pos);
	x->lineno++;
	x->line = x->pos;
	if (num < 4 || n > (size_t)num - 3) {
		/* inih would split it and parse the tail as a new line */
		ctx_err(x, "line is too long (at most %d characters)", num > 3 ? num - 3 : 0);
		return NULL;
	}
	memcpy(str, x->pos, n);
	str[n] = '\0';
	x->pos += n;
	return str;
}

/* Is the current line a libinih continuation line: indented, and the value
 * is the whole line (a normal "key = value" line passes only the value)? */
static bool is_continuation(const struct ini_ctx *x, const char *value)
{
	if (*x->line != ' ' && *x->line != '\t')
		return false;
	const char *l = x->line;
	while (*l == ' ' || *l == '\t')
		l++;
	return !strncmp(l, value, strlen(value));
}

static bool is_option_section(const char *s)
{
	for (unsigned i = 0; options_sections[i]; i++)
		if (!strcmp(options_sections[i], s))
			return true;
	return false;
}

static int scn_handler(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *x = user;
	char why[768];

	if (x->err_line)
		return 1;
	const struct bench_option *o = options__find(name);
	if (!o) {
		const char *s = options__suggest(name);
		if (s) {
			const struct bench_option *so = options__find(s);
			ctx_err(x, "unknown key '%s' (did you mean '%s'?)", name,
				strchr(name, '-') ? so->name : so->key);
		} else {
			ctx_err(x, "unknown key '%s' (see docs/SCENARIOS.md or 'bench info --options')",
				name);
		}
		return 0;
	}
	json_t *raw = json_object_get(x->raw, o->key);
	if (raw && x->prev_key == o->key && is_continuation(x, value)) {
		/* some libinih versions keep inline comments on continuation lines */
		char v[512];
		snprintf(v, sizeof(v), "%s", value);
		for (char *c = strchr(v, ';'); c; c = strchr(c + 1, ';'))
			if (c > v && isspace((unsigned char)c[-1])) {
				*c = '\0';
				break;
			}
		value = trim(v);
		if (strchr(value, '=')) {
			ctx_err(x, "this indented line continues the value of '%s'; remove the "
				"leading whitespace", name);
			return 0;
		}
		if (o->flags & (OPT_F_NOLIST | OPT_F_SCENARIO)) {
			ctx_err(x, "%s: takes one value; an indented line continues the previous "
				"value, remove the leading whitespace", name);
			return 0;
		}
		if (parse_values(o, name, value, raw, why, sizeof(why))) {
			ctx_err(x, "%s", why);
			return 0;
		}
		return 1;
	}
	if (*section && is_option_section(section) && strcmp(section, o->section)) {
		ctx_err(x, "key '%s' belongs in section [%s], not [%s]", name, o->section, section);
		return 0;
	}
	if (raw) {
		ctx_err(x, "key '%s' is given twice (first on line %lld); give all values in one list",
			name, (long long)json_integer_value(json_object_get(x->first, o->key)));
		return 0;
	}
	raw = json_array();
	if (parse_values(o, name, value, raw, why, sizeof(why))) {
		json_decref(raw);
		ctx_err(x, "%s", why);
		return 0;
	}
	json_object_set_new(x->raw, o->key, raw);
	json_object_set_new(x->first, o->key, json_integer(x->lineno));
	x->prev_key = o->key;
	return 1;
}

/* Text of line n (1-based) of s, trimmed, for syntax-error messages. */
static void line_text(const char *s, int n, char *buf, size_t len)
{
	for (int i = 1; i < n && s; i++) {
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	if (!s) {
		buf[0] = '\0';
		return;
	}
	size_t l = strcspn(s, "\r\n");
	while (l && isspace((unsigned char)*s)) {
		s++;
		l--;
	}
	if (l > 60)
		l = 60;
	snprintf(buf, len, "%.*s", (int)l, s);
}

/* Rebuild sc->keys from sc->raw_ (key order: file, then CLI additions). */
static int rebuild_keys(struct scenario *sc)
{
	json_t *keys = json_object();
	const char *k;
	json_t *v;
	if (!keys)
		return -ENOMEM;
	json_object_foreach(sc->raw_, k, v)
		json_object_set_new(keys, k, typed(options__find(k), v));
	json_decref(sc->keys);
	sc->keys = keys;
	scenario__sync_level(sc);
	return 0;
}

int scenario__load_string(struct scenario *sc, const char *name, const char *text,
			  char *err, size_t len)
{
	struct ini_ctx x = { .name = name, .text = text, .pos = text };
	int ret = -EINVAL;

	if (scenario__ensure_init(sc)) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	x.raw = json_object();
	x.first = json_object();
	if (!x.raw || !x.first) {
		snprintf(err, len, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	int r = ini_parse_stream(scn_reader, &x, scn_handler, &x);
	if (r == -2) {
		snprintf(err, len, "%s: out of memory", name);
		ret = -ENOMEM;
		goto out;
	}
	if (r > 0 && (!x.err_line || r < x.err_line)) {
		char l[80];
		line_text(text, r, l, sizeof(l));
		if (l[0] == '[')
			snprintf(err, len, "%s:%d: bad section header '%s'; write [name]", name, r, l);
		else
			snprintf(err, len, "%s:%d: expected 'key = value', got '%s'", name, r, l);
		goto out;
	}
	if (x.err_line) {
		snprintf(err, len, "%s:%d: %s", name, x.err_line, x.err);
		goto out;
	}
	/* success: the file's keys, then the CLI's on top */
	const char *k;
	json_t *v;
	json_object_foreach(sc->cli_, k, v)
		json_object_set(x.raw, k, v);
	json_decref(sc->raw_);
	sc->raw_ = x.raw;
	x.raw = NULL;
	snprintf(sc->source, sizeof(sc->source), "%s", name);
	ret = rebuild_keys(sc);
	if (ret)
		snprintf(err, len, "out of memory");
out:
	json_decref(x.raw);
	json_decref(x.first);
	return ret;
}

int scenario__load(struct scenario *sc, const char *path, char *err, size_t len)
{
	char name[256];

	if (!path || !strncmp(path, "embedded:", 9)) {
		const char *n = path ? path + 9 : "default.ini";
		const struct fb_embedded *e = embedded__find(n);
		if (!e) {
			snprintf(err, len, "no embedded scenario '%s' (try embedded:default.ini)", n);
			return -ENOENT;
		}
		snprintf(name, sizeof(name), "embedded:%s", n);
		return scenario__load_string(sc, name, e->data, err, len);
	}

	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		snprintf(err, len, "%s: cannot open scenario: %s", path, strerror(e));
		return -e;
	}
	char *buf = malloc(SCENARIO_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	size_t n = fread(buf, 1, SCENARIO_MAX_FILE + 1, f);
	int rerr = ferror(f);
	fclose(f);
	int ret;
	if (rerr) {
		snprintf(err, len, "%s: read error (is it a directory?)", path);
		ret = -EIO;
	} else if (n > SCENARIO_MAX_FILE) {
		snprintf(err, len, "%s: larger than %u bytes; not a scenario file", path,
			 SCENARIO_MAX_FILE);
		ret = -EFBIG;
	} else if (memchr(buf, '\0', n)) {
		snprintf(err, len, "%s: contains a NUL byte; not a text file", path);
		ret = -EINVAL;
	} else {
		buf[n] = '\0';
		ret = scenario__load_string(sc, path, buf, err, len);
	}
	free(buf);
	return ret;
}

int scenario__override(struct scenario *sc, const char *key, const char *value,
		       char *err, size_t len)
{
	char spelled[80];

	if (scenario__ensure_init(sc)) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	const struct bench_option *o = options__find(key);
	if (!o) {
		const char *s = options__suggest(key);
		if (s)
			snprintf(err, len, "unknown key '%s'; did you mean '%s'?", key, s);
		else
			snprintf(err, len, "unknown key '%s' (see 'bench info --options')", key);
		return -EINVAL;
	}
	snprintf(spelled, sizeof(spelled), "--%s", o->name);
	json_t *raw = json_array();
	if (!raw) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	if (parse_values(o, spelled, value, raw, err, len)) {
		json_decref(raw);
		return -EINVAL;
	}
	json_object_set(sc->cli_, o->key, raw);
	json_object_set_new(sc->raw_, o->key, raw);
	if (rebuild_keys(sc)) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

unsigned scenario__nr_values(const struct scenario *sc, const char *key)
{
	const struct bench_option *o = options__find(key);
	if (!o)
		return 0;
	json_t *a = sc->raw_ ? json_object_get(sc->raw_, o->key) : NULL;
	return a ? (unsigned)json_array_size(a) : 1;
}

void scenario__free(struct scenario *sc)
{
	json_decref(sc->keys);
	json_decref(sc->raw_);
	json_decref(sc->cli_);
	free(sc->variants);
	memset(sc, 0, sizeof(*sc));
}
