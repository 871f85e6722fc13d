/*
 * The argument checks the virtio-fs server applies before libfuse sees a
 * request (host/fs/virtiofs_args.c): counted payloads (WRITE, SETXATTR,
 * BATCH_FORGET, IOCTL) must lie inside the request, names must end inside
 * it, fixed parts must be whole, unknown opcodes and NOTIFY_REPLY are not
 * passed on.
 */
#include <check.h>
#include <errno.h>
#include <linux/fuse.h>
#include <string.h>

#include "host/fs/virtiofs_args.h"

static uint8_t req[8192];

/* header + arg + name (NUL included when name != NULL) + extra bytes */
static size_t build(uint32_t opcode, const void *arg, size_t arg_len,
		    const char *name, size_t extra)
{
	memset(req, 0, sizeof(req));
	struct fuse_in_header h = {.opcode = opcode, .unique = 7, .nodeid = 1};
	size_t len = sizeof(h);
	if (arg_len)
		memcpy(req + len, arg, arg_len);
	len += arg_len;
	if (name) {
		memcpy(req + len, name, strlen(name) + 1);
		len += strlen(name) + 1;
	}
	len += extra;
	h.len = (uint32_t)len;
	memcpy(req, &h, sizeof(h));
	return len;
}

START_TEST(well_formed_requests_pass)
{
	struct fuse_getattr_in ga = {0};
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_GETATTR, &ga,
							sizeof(ga), NULL, 0)),
			 0);
	ck_assert_int_eq(virtiofs_check_args(
				 req, build(FUSE_LOOKUP, NULL, 0, "file", 0)),
			 0);
	struct fuse_write_in w = {.size = 100};
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_WRITE, &w,
							sizeof(w), NULL, 100)),
			 0);
	struct fuse_rename_in rn = {1};
	size_t len = build(FUSE_RENAME, &rn, sizeof(rn), "old", 0);
	memcpy(req + len, "new", 4);
	ck_assert_int_eq(virtiofs_check_args(req, len + 4), 0);
	struct fuse_batch_forget_in bf = {.count = 2};
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_BATCH_FORGET, &bf,
							sizeof(bf), NULL, 32)),
			 0);
	ck_assert_int_eq(
		virtiofs_check_args(req, build(FUSE_STATFS, NULL, 0, NULL, 0)),
		0);
}
END_TEST

START_TEST(counted_payloads_stay_inside)
{
	struct fuse_write_in w = {.size = 101};
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_WRITE, &w,
							sizeof(w), NULL, 100)),
			 EINVAL);
	w.size = 0xffffffff;
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_WRITE, &w,
							sizeof(w), NULL, 0)),
			 EINVAL);
	struct fuse_batch_forget_in bf = {.count = 3};
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_BATCH_FORGET, &bf,
							sizeof(bf), NULL, 32)),
			 EINVAL);
	struct fuse_setxattr_in sx = {.size = 10};
	ck_assert_int_eq(
		virtiofs_check_args(req, build(FUSE_SETXATTR, &sx, sizeof(sx),
					       "user.a", 9)),
		EINVAL);
	ck_assert_int_eq(
		virtiofs_check_args(req, build(FUSE_SETXATTR, &sx, sizeof(sx),
					       "user.a", 10)),
		0);
	struct fuse_ioctl_in io = {.in_size = 64};
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_IOCTL, &io,
							sizeof(io), NULL, 63)),
			 EINVAL);
}
END_TEST

START_TEST(names_and_fixed_parts)
{
	/* a name without its NUL */
	size_t len = build(FUSE_LOOKUP, "abc", 3, NULL, 0);
	ck_assert_int_eq(virtiofs_check_args(req, len), EINVAL);
	/* RENAME with only the old name */
	struct fuse_rename_in rn = {1};
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_RENAME, &rn,
							sizeof(rn), "old", 0)),
			 EINVAL);
	/* a fixed part cut short */
	struct fuse_read_in rd = {0};
	ck_assert_int_eq(
		virtiofs_check_args(
			req, build(FUSE_READ, &rd, sizeof(rd) - 1, NULL, 0)),
		EINVAL);
	ck_assert_int_eq(
		virtiofs_check_args(req, build(FUSE_SETATTR, NULL, 0, NULL, 0)),
		EINVAL);
	/* shorter than a header */
	ck_assert_int_eq(virtiofs_check_args(req, 20), EINVAL);
	/* request extensions (libfuse 3.14 has none) */
	len = build(FUSE_STATFS, NULL, 0, NULL, 0);
	((struct fuse_in_header *)req)->total_extlen = 1;
	ck_assert_int_eq(virtiofs_check_args(req, len), EINVAL);
}
END_TEST

START_TEST(opcodes_not_passed_on)
{
	ck_assert_int_eq(virtiofs_check_args(req, build(999, NULL, 0, NULL, 8)),
			 ENOSYS);
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_NOTIFY_REPLY, NULL,
							0, NULL, 64)),
			 ENOSYS);
	ck_assert_int_eq(virtiofs_check_args(req, build(4096 /* CUSE_INIT */,
							NULL, 0, NULL, 64)),
			 ENOSYS);
	ck_assert_int_eq(virtiofs_check_args(req, build(FUSE_SETUPMAPPING, NULL,
							0, NULL, 64)),
			 ENOSYS);
}
END_TEST

Suite *virtio_fs_args_suite(void)
{
	Suite *s = suite_create("virtio_fs_args");
	TCase *t = tcase_create("args");
	tcase_add_test(t, well_formed_requests_pass);
	tcase_add_test(t, counted_payloads_stay_inside);
	tcase_add_test(t, names_and_fixed_parts);
	tcase_add_test(t, opcodes_not_passed_on);
	suite_add_tcase(s, t);
	return s;
}
