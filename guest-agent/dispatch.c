/*
 * Request dispatch, as qemu-ga's QMP dispatcher does it: check the
 * request's shape, find the command, refuse it while filesystems are
 * frozen unless it is safe then, check its arguments against the
 * command's parameter list, run it, and wrap the result or the error in
 * a reply (echoing "id"). Error classes and wording follow qemu-ga so
 * clients that match on them keep working. Also the commands about the
 * protocol itself: guest-ping, guest-sync[-delimited], guest-info.
 */
#include "agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void agent_error(struct agent_err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	e->cls = "GenericError";
	vsnprintf(e->desc, sizeof(e->desc), fmt, ap);
	va_end(ap);
}

void agent_error_errno(struct agent_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	e->cls = "GenericError";
	vsnprintf(e->desc, sizeof(e->desc), fmt, ap);
	va_end(ap);
	size_t n = strlen(e->desc);
	snprintf(e->desc + n, sizeof(e->desc) - n, ": %s", strerror(errnum));
}

void agent_log(const struct agent *ag, int level, const char *fmt, ...)
{
	if (ag && level > ag->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("pvkit-agent: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at s, or 0 if there is none. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

json_t *json_str_lossy(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	char *copy = strdup(s);
	if (!copy)
		return NULL;
	for (unsigned char *p = (unsigned char *)copy; *p;) {
		size_t n = utf8_len(p);
		if (n == 0) {
			*p++ = '?';
		} else {
			p += n;
		}
	}
	j = json_string(copy);
	free(copy);
	return j;
}

/* ---- the command table ---- */

enum ptype { P_INT, P_STR, P_BOOL, P_STRLIST, P_ANY };

struct param {
	const char *name;
	enum ptype type;
	bool optional;
};

#define CMD_FREEZE_SAFE 1u /* allowed while filesystems are frozen */
#define CMD_NO_REPLY 2u	   /* sends no reply on success */

struct command {
	const char *name;
	agent_cmd_fn *fn;
	unsigned flags;
	struct param params[6];
};

static agent_cmd_fn cmd_ping, cmd_sync, cmd_sync_delimited, cmd_info;

static const struct command commands[] = {
	{"guest-sync-delimited",
	 cmd_sync_delimited,
	 CMD_FREEZE_SAFE,
	 {{"id", P_INT, false}}},
	{"guest-sync", cmd_sync, CMD_FREEZE_SAFE, {{"id", P_INT, false}}},
	{"guest-ping", cmd_ping, CMD_FREEZE_SAFE, {{0}}},
	{"guest-info", cmd_info, CMD_FREEZE_SAFE, {{0}}},
	{"guest-get-osinfo", cmd_get_osinfo, 0, {{0}}},
	{"guest-get-host-name", cmd_get_host_name, 0, {{0}}},
	{"guest-get-time", cmd_get_time, 0, {{0}}},
	{"guest-set-time", cmd_set_time, 0, {{"time", P_INT, true}}},
	{"guest-get-timezone", cmd_get_timezone, 0, {{0}}},
	{"guest-get-load", cmd_get_load, 0, {{0}}},
	{"guest-get-memory-block-info", cmd_memory_block_info, 0, {{0}}},
	{"guest-shutdown", cmd_shutdown, CMD_NO_REPLY, {{"mode", P_STR, true}}},
	{"guest-exec",
	 cmd_exec,
	 0,
	 {{"path", P_STR, false},
	  {"arg", P_STRLIST, true},
	  {"env", P_STRLIST, true},
	  {"input-data", P_STR, true},
	  {"capture-output", P_ANY, true}}},
	{"guest-exec-status", cmd_exec_status, 0, {{"pid", P_INT, false}}},
	{"guest-file-open",
	 cmd_file_open,
	 0,
	 {{"path", P_STR, false}, {"mode", P_STR, true}}},
	{"guest-file-read",
	 cmd_file_read,
	 0,
	 {{"handle", P_INT, false}, {"count", P_INT, true}}},
	{"guest-file-write",
	 cmd_file_write,
	 0,
	 {{"handle", P_INT, false},
	  {"buf-b64", P_STR, false},
	  {"count", P_INT, true}}},
	{"guest-file-seek",
	 cmd_file_seek,
	 0,
	 {{"handle", P_INT, false},
	  {"offset", P_INT, false},
	  {"whence", P_ANY, false}}},
	{"guest-file-flush", cmd_file_flush, 0, {{"handle", P_INT, false}}},
	{"guest-file-close", cmd_file_close, 0, {{"handle", P_INT, false}}},
	{"guest-fsfreeze-status", cmd_fsfreeze_status, CMD_FREEZE_SAFE, {{0}}},
	{"guest-fsfreeze-freeze", cmd_fsfreeze_freeze, 0, {{0}}},
	{"guest-fsfreeze-thaw", cmd_fsfreeze_thaw, CMD_FREEZE_SAFE, {{0}}},
	{"guest-get-fsinfo", cmd_get_fsinfo, 0, {{0}}},
	{"guest-network-get-interfaces", cmd_network_get_interfaces, 0, {{0}}},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static bool cmd_enabled(const struct agent *ag, const struct command *c)
{
	return !ag->frozen || (c->flags & CMD_FREEZE_SAFE);
}

static json_t *cmd_ping(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)ag, (void)args, (void)e;
	return json_object();
}

static json_t *cmd_sync(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)ag, (void)e;
	return json_copy(json_object_get(args, "id"));
}

static json_t *cmd_sync_delimited(struct agent *ag, json_t *args,
				  struct agent_err *e)
{
	ag->delimit_next = true;
	return cmd_sync(ag, args, e);
}

static json_t *cmd_info(struct agent *ag, json_t *args, struct agent_err *e)
{
	(void)args, (void)e;
	json_t *list = json_array();
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		json_array_append_new(
			list,
			json_pack("{s:s, s:b, s:b}", "name", c->name, "enabled",
				  cmd_enabled(ag, c), "success-response",
				  !(c->flags & CMD_NO_REPLY)));
	}
	return json_pack("{s:s, s:o}", "version", AGENT_VERSION,
			 "supported_commands", list);
}

/* Checks arguments as qemu's QAPI input visitor does: declared
 * parameters first (missing, then wrong type), then leftovers. */
static bool check_args(const struct command *c, json_t *args,
		       struct agent_err *e)
{
	static const char *const tname[] = {[P_INT] = "integer",
					    [P_STR] = "string",
					    [P_BOOL] = "boolean",
					    [P_STRLIST] = "array"};
	const struct param *p;
	for (p = c->params; p->name; p++) {
		json_t *v = json_object_get(args, p->name);
		if (!v) {
			if (p->optional)
				continue;
			agent_error(e, "Parameter '%s' is missing", p->name);
			return false;
		}
		bool ok = true;
		switch (p->type) {
		case P_INT: ok = json_is_integer(v); break;
		case P_STR: ok = json_is_string(v); break;
		case P_BOOL: ok = json_is_boolean(v); break;
		case P_STRLIST: ok = json_is_array(v); break;
		case P_ANY: break;
		}
		if (!ok) {
			agent_error(e,
				    "Invalid parameter type for '%s', "
				    "expected: %s",
				    p->name, tname[p->type]);
			return false;
		}
		if (p->type == P_STRLIST) {
			size_t i;
			json_t *el;
			json_array_foreach(v, i, el)
			{
				if (json_is_string(el))
					continue;
				agent_error(e,
					    "Invalid parameter type for "
					    "'%s[%zu]', expected: string",
					    p->name, i);
				return false;
			}
		}
	}
	const char *key;
	json_t *v;
	json_object_foreach(args, key, v)
	{
		for (p = c->params; p->name; p++)
			if (!strcmp(p->name, key))
				break;
		if (!p->name) {
			agent_error(e, "Parameter '%s' is unexpected", key);
			return false;
		}
	}
	return true;
}

static json_t *error_obj(const char *cls, const char *desc)
{
	return json_pack("{s:{s:s, s:o}}", "error", "class", cls, "desc",
			 json_str_lossy(desc));
}

json_t *agent_error_reply(const char *desc)
{
	return error_obj("GenericError", desc);
}

/* Checks the request's members as qmp_dispatch_check_obj does; returns
 * the command name or NULL with *e set. */
static const char *check_request(json_t *req, struct agent_err *e)
{
	const char *key;
	json_t *v;
	const char *exec = NULL;
	json_object_foreach(req, key, v)
	{
		if (!strcmp(key, "execute")) {
			if (!json_is_string(v)) {
				agent_error(e, "QMP input member 'execute' "
					       "must be a string");
				return NULL;
			}
			exec = json_string_value(v);
		} else if (!strcmp(key, "arguments")) {
			if (!json_is_object(v)) {
				agent_error(e, "QMP input member 'arguments' "
					       "must be an object");
				return NULL;
			}
		} else if (strcmp(key, "id")) {
			agent_error(e, "QMP input member '%s' is unexpected",
				    key);
			return NULL;
		}
	}
	if (!exec)
		agent_error(e, "QMP input lacks member 'execute'");
	return exec;
}

json_t *agent_handle_request(struct agent *ag, const char *buf, size_t len)
{
	struct agent_err e = {0};
	json_error_t jerr;
	json_t *reply = NULL, *id = NULL;
	json_t *req = json_loadb(
		buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!req) {
		agent_error(&e, "JSON parse error, %s", jerr.text);
		return error_obj(e.cls, e.desc);
	}
	if (!json_is_object(req)) {
		json_decref(req);
		return agent_error_reply("QMP input must be a JSON object");
	}
	id = json_object_get(req, "id");

	const char *name = check_request(req, &e);
	const struct command *c = NULL;
	if (name) {
		for (size_t i = 0; i < NCOMMANDS; i++)
			if (!strcmp(commands[i].name, name))
				c = &commands[i];
		if (!c) {
			e.cls = "CommandNotFound";
			snprintf(e.desc, sizeof(e.desc),
				 "The command %s has not been found", name);
		} else if (!cmd_enabled(ag, c)) {
			e.cls = "CommandNotFound";
			snprintf(e.desc, sizeof(e.desc),
				 "Command %s has been disabled: the agent is "
				 "in frozen state",
				 name);
			c = NULL;
		}
	}
	if (c) {
		json_t *args = json_object_get(req, "arguments");
		json_t *empty = NULL;
		if (!args)
			args = empty = json_object();
		if (check_args(c, args, &e)) {
			agent_log(ag, 2, "running %s", c->name);
			json_t *ret = c->fn(ag, args, &e);
			if (ret)
				reply = json_pack("{s:o}", "return", ret);
			else if (!e.desc[0] && (c->flags & CMD_NO_REPLY))
				reply = NULL; /* success, silently */
			else if (!e.desc[0])
				agent_error(&e, "out of memory");
		}
		json_decref(empty);
	}
	if (e.desc[0]) {
		agent_log(ag, 1, "%.64s: %s", name ? name : "request", e.desc);
		reply = error_obj(e.cls, e.desc);
	}
	if (reply && id)
		json_object_set(reply, "id", id);
	json_decref(req);
	return reply;
}
