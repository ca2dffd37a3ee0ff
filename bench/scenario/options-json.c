// SPDX-License-Identifier: MIT
/* A run_config as JSON and back (each run's "config" in results.json):
 * typed values keyed by run_config field name, through the option table
 * (see options.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

json_t *options__value_json(const struct run_config *c, const struct bench_option *o)
{
	const void *p = ((const char *)c + o->offset);
	switch (o->kind) {
	case OPT_KIND_UINT:
		return json_integer(*(const unsigned *)p);
	case OPT_KIND_U64: {
		uint64_t v = *(const uint64_t *)p;
		/* json_int_t is signed 64-bit: a u64 option is always a decimal
		 * string, whatever its value (docs/RESULTS.md) */
		char buf[32];
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
		return json_string(buf);
	}
	case OPT_KIND_DOUBLE:
		return json_real(*(const double *)p);
	case OPT_KIND_BOOL:
		return json_boolean(*(const bool *)p);
	case OPT_KIND_STRING:
	case OPT_KIND_CHOICE: {
		char buf[512];
		options__format(c, o, buf, sizeof(buf));
		return json_string(buf);
	}
	}
	return json_null();
}

json_t *options__to_json(const struct run_config *c)
{
	json_t *obj = json_object();
	if (!obj)
		return NULL;
	for (const struct bench_option *o = options__table(); o->name; o++)
		if (json_object_set_new(obj, o->key, options__value_json(c, o))) {
			json_decref(obj);
			return NULL;
		}
	return obj;
}

int options__from_json(struct run_config *c, const json_t *obj, char *err, size_t len)
{
	const char *k;
	json_t *v;
	char buf[512];

	if (!json_is_object(obj)) {
		snprintf(err, len, "config is not a JSON object");
		return -EINVAL;
	}
	json_object_foreach((json_t *)obj, k, v) {
		const struct bench_option *o = options__find(k);
		if (!o) {
			snprintf(err, len, "unknown key '%s'", k);
			return -EINVAL;
		}
		if (json_is_string(v))
			snprintf(buf, sizeof(buf), "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		else if (json_is_real(v))
			snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
		else if (json_is_boolean(v))
			snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
		else {
			snprintf(err, len, "%s: value has the wrong JSON type", o->key);
			return -EINVAL;
		}
		if (options__set_as(c, o, buf, o->key, err, len))
			return -EINVAL;
	}
	/* the names came, the pointers are derived here (never serialised) */
	return options__resolve(c, err, len);
}
