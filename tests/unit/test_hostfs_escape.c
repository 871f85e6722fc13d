/*
 * hostfs unit tests, the hostile client: raw FUSE requests no kernel
 * would send (forged node ids and handles, names with '/' or "..",
 * device nodes, set-ID bits, symlinks out of the share, truncated
 * requests). Each attempt must be refused and must leave the host as it
 * was; TMP/outside/secret must never be reached.
 */
#include "test_hostfs_rig.h"

#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>

static void assert_outside_untouched(struct rig *r)
{
	FILE *f = fopen(rig_path(r, "outside/secret"), "r");
	ck_assert_ptr_nonnull(f);
	char buf[16] = {0};
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf), f), 6);
	fclose(f);
	ck_assert_str_eq(buf, "secret");
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) = 1",
		 rig_path(r, "outside"));
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) = 2", r->tmp);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(forged_node_ids_are_stale)
{
	struct rig r;
	rig_start(&r);
	struct fuse_attr a;
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	const uint64_t forged[] = {
		0,
		1ull << 63,
		0xdeadbeefcafef00dull,
		UINT64_MAX,
		file + (1ull << 32), /* the right slot, a wrong generation */
		file + 1,	     /* a slot never handed out */
		(uint64_t)(uintptr_t)&r, /* a host pointer */
	};
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		ck_assert_int_eq(rig_getattr(&r, forged[i], &a), -ESTALE);
		struct fuse_entry_out e;
		ck_assert_int_eq(rig_lookup(&r, forged[i], "file", &e),
				 -ESTALE);
		uint64_t fh;
		ck_assert_int_eq(
			rig_open(&r, FUSE_OPEN, forged[i], O_RDONLY, &fh),
			-ESTALE);
		ck_assert_int_eq(
			rig_call(&r, FUSE_UNLINK, forged[i], "file", 5),
			-ESTALE);
	}
	rig_stop(&r);
}
END_TEST

START_TEST(forgotten_node_id_is_stale_and_its_slot_not_confused)
{
	struct rig r;
	rig_start(&r);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	struct fuse_forget_in fg = {.nlookup = 1};
	ck_assert_int_eq(rig_call(&r, FUSE_FORGET, file, &fg, sizeof(fg)),
			 RIG_NO_REPLY);
	struct fuse_attr a;
	ck_assert_int_eq(rig_getattr(&r, file, &a), -ESTALE);
	/* The slot comes back with a new generation for another file: the
	   old id must not name it. */
	uint64_t dir = rig_lookup_ok(&r, FUSE_ROOT_ID, "dir");
	ck_assert_uint_eq((uint32_t)dir, (uint32_t)file);
	ck_assert_uint_ne(dir, file);
	ck_assert_int_eq(rig_getattr(&r, file, &a), -ESTALE);
	/* The root cannot be forgotten, and a bogus count is harmless. */
	fg.nlookup = UINT64_MAX;
	rig_call(&r, FUSE_FORGET, FUSE_ROOT_ID, &fg, sizeof(fg));
	ck_assert_int_eq(rig_getattr(&r, FUSE_ROOT_ID, &a), 0);
	struct {
		struct fuse_batch_forget_in in;
		struct fuse_forget_one one[3];
	} batch = {.in = {.count = 3},
		   .one = {{0, 5}, {0xdeadbeefull, 1}, {dir, 99}}};
	ck_assert_int_eq(
		rig_call(&r, FUSE_BATCH_FORGET, 0, &batch, sizeof(batch)),
		RIG_NO_REPLY);
	ck_assert_int_eq(rig_getattr(&r, dir, &a), -ESTALE);
	rig_stop(&r);
}
END_TEST

START_TEST(forget_does_not_free_an_inode_an_open_handle_uses)
{
	struct rig r;
	rig_start(&r);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	uint64_t fh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_RDWR, &fh), 0);
	struct fuse_forget_in fg = {.nlookup = 1000000};
	rig_call(&r, FUSE_FORGET, file, &fg, sizeof(fg));
	/* Lookups of other files must not reuse the slot under the fh. */
	rig_sh("cd %s/share && touch f0 f1 f2 f3 f4 f5 f6 f7", r.tmp);
	for (int i = 0; i < 8; i++) {
		char name[8];
		snprintf(name, sizeof(name), "f%d", i);
		ck_assert_uint_ne(rig_lookup_ok(&r, FUSE_ROOT_ID, name), file);
	}
	/* The open handle keeps the inode, and so its node id, alive. */
	struct fuse_attr a;
	ck_assert_int_eq(rig_getattr(&r, file, &a), 0);
	ck_assert_int_eq(rig_write_fh(&r, file, fh, 0, "HE"), 0);
	ck_assert_int_eq(rig_read_fh(&r, file, fh, 0, 5), 0);
	ck_assert_mem_eq(rig_out(&r), "HEllo", 5);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, file, fh), 0);
	/* The client forgot it and nothing holds it: gone. */
	ck_assert_int_eq(rig_getattr(&r, file, &a), -ESTALE);
	rig_stop(&r);
}
END_TEST

START_TEST(forged_and_released_file_handles_are_refused)
{
	struct rig r;
	rig_start(&r);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	uint64_t fh, dfh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_RDONLY, &fh), 0);
	ck_assert_int_eq(
		rig_open(&r, FUSE_OPENDIR, FUSE_ROOT_ID, O_RDONLY, &dfh), 0);
	const uint64_t forged[] = {0,
				   1ull << 63,
				   0xdeadbeefcafef00dull,
				   fh + (1ull << 32),
				   fh + 7,
				   (uint64_t)(uintptr_t)&r};
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		ck_assert_int_eq(rig_read_fh(&r, file, forged[i], 0, 5),
				 -EBADF);
		ck_assert_int_eq(rig_write_fh(&r, file, forged[i], 0, "x"),
				 -EBADF);
		ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, file, forged[i]),
				 -EBADF);
	}
	/* A directory handle is not a file handle, nor the reverse. */
	ck_assert_int_eq(rig_read_fh(&r, file, dfh, 0, 5), -EBADF);
	struct fuse_read_in rd = {.fh = fh, .size = 4096};
	ck_assert_int_eq(
		rig_call(&r, FUSE_READDIR, FUSE_ROOT_ID, &rd, sizeof(rd)),
		-EBADF);
	/* After RELEASE the fh is gone, and a second RELEASE is refused. */
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, file, fh), 0);
	ck_assert_int_eq(rig_read_fh(&r, file, fh, 0, 5), -EBADF);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, file, fh), -EBADF);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASEDIR, 1, dfh), 0);
	rig_stop(&r);
}
END_TEST

START_TEST(names_must_be_one_component)
{
	struct rig r;
	rig_start(&r);
	struct fuse_entry_out e;
	char longname[NAME_MAX + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[NAME_MAX + 1] = '\0';
	ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, "../outside", &e),
			 -EINVAL);
	ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, "../outside/secret", &e),
			 -EINVAL);
	ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, "dir/../../outside", &e),
			 -EINVAL);
	ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, "/etc", &e), -EINVAL);
	ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, "", &e), -EINVAL);
	ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, longname, &e),
			 -ENAMETOOLONG);
	/* Creating and removing names: the same rule, "." and ".." too. */
	struct fuse_mkdir_in mk = {.mode = 0755};
	const char *bad[] = {"../escape", "a/b", ".", "..", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(rig_call3(&r, FUSE_MKDIR, FUSE_ROOT_ID, &mk,
					   sizeof(mk), bad[i],
					   strlen(bad[i]) + 1, NULL, 0),
				 -EINVAL);
		uint64_t fh;
		ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, bad[i], O_RDWR,
					    S_IFREG | 0600, &e, &fh),
				 -EINVAL);
		ck_assert_int_eq(rig_call_names(&r, FUSE_SYMLINK, FUSE_ROOT_ID,
						NULL, 0, bad[i], "x"),
				 -EINVAL);
	}
	ck_assert_int_eq(rig_call(&r, FUSE_UNLINK, FUSE_ROOT_ID,
				  "../outside/secret", 18),
			 -EINVAL);
	ck_assert_int_eq(rig_call(&r, FUSE_RMDIR, FUSE_ROOT_ID, "..", 3),
			 -EINVAL);
	ck_assert_int_eq(rig_call3(&r, FUSE_MKDIR, FUSE_ROOT_ID, &mk,
				   sizeof(mk), longname, NAME_MAX + 2, NULL, 0),
			 -ENAMETOOLONG);
	assert_outside_untouched(&r);
	rig_stop(&r);
}
END_TEST

START_TEST(dotdot_at_the_root_is_the_root)
{
	struct rig r;
	rig_start(&r);
	ck_assert_uint_eq(rig_lookup_ok(&r, FUSE_ROOT_ID, ".."), FUSE_ROOT_ID);
	ck_assert_uint_eq(rig_lookup_ok(&r, FUSE_ROOT_ID, "."), FUSE_ROOT_ID);
	uint64_t dir = rig_lookup_ok(&r, FUSE_ROOT_ID, "dir");
	ck_assert_uint_eq(rig_lookup_ok(&r, dir, ".."), FUSE_ROOT_ID);
	ck_assert_uint_eq(rig_lookup_ok(&r, dir, "."), dir);
	/* A directory the host moves out of the share is no ladder: its
	   ".." is outside. */
	rig_sh("mkdir %s/share/dir/d2; true %s %s", r.tmp);
	uint64_t d2 = rig_lookup_ok(&r, dir, "d2");
	ck_assert_uint_eq(rig_lookup_ok(&r, d2, ".."), dir);
	rig_sh("mv %s/share/dir/d2 %s/outside/d2; true %s", r.tmp);
	struct fuse_entry_out e;
	ck_assert_int_eq(rig_lookup(&r, d2, "..", &e), -EACCES);
	/* The root's listing shows ".." as the root itself: not even the
	   inode number of the share's parent leaks. */
	struct stat root, parent;
	ck_assert_int_eq(stat(r.share, &root), 0);
	ck_assert_int_eq(stat(r.tmp, &parent), 0);
	uint64_t fh;
	ck_assert_int_eq(
		rig_open(&r, FUSE_OPENDIR, FUSE_ROOT_ID, O_RDONLY, &fh), 0);
	struct fuse_read_in rd = {.fh = fh, .size = 4096};
	ck_assert_int_eq(
		rig_call(&r, FUSE_READDIR, FUSE_ROOT_ID, &rd, sizeof(rd)), 0);
	bool seen = false;
	for (size_t pos = 0; pos < rig_out_len(&r);) {
		const struct fuse_dirent *d =
			(const void *)((const char *)rig_out(&r) + pos);
		if (d->namelen == 2 && !memcmp(d->name, "..", 2)) {
			ck_assert_uint_eq(d->ino, root.st_ino);
			seen = true;
		}
		ck_assert_uint_ne(d->ino, parent.st_ino);
		pos += FUSE_DIRENT_SIZE(d);
	}
	ck_assert(seen);
	rig_stop(&r);
}
END_TEST

START_TEST(symlinks_out_of_the_share_are_never_followed)
{
	struct rig r;
	rig_start(&r);
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "ln -s %s/outside %s/share/abs && ln -s ../outside "
		 "%s/share/rel && ln -s %s/outside/secret %s/share/absfile",
		 r.tmp, r.tmp, r.tmp, r.tmp, r.tmp);
	ck_assert_int_eq(system(cmd), 0);
	const char *links[] = {"abs", "rel", "absfile"};
	for (size_t i = 0; i < 3; i++) {
		struct fuse_entry_out e;
		ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, links[i], &e), 0);
		/* The link itself, not what it points at. */
		ck_assert(S_ISLNK(e.attr.mode));
		ck_assert_int_eq(rig_lookup(&r, e.nodeid, "secret", &e),
				 -ENOTDIR);
		uint64_t link = rig_lookup_ok(&r, FUSE_ROOT_ID, links[i]);
		uint64_t fh;
		ck_assert_int_eq(rig_open(&r, FUSE_OPEN, link, O_RDONLY, &fh),
				 -ELOOP);
		ck_assert_int_eq(
			rig_open(&r, FUSE_OPENDIR, link, O_RDONLY, &fh),
			-ENOTDIR);
		/* CREATE over the link's name does not write through it. */
		ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, links[i],
					    O_RDWR | O_TRUNC, S_IFREG | 0600,
					    &e, &fh),
				 -ELOOP);
		/* SETATTR of the link changes nothing behind it. */
		struct fuse_setattr_in sa = {.valid = FATTR_SIZE};
		ck_assert_int_eq(
			rig_call(&r, FUSE_SETATTR, link, &sa, sizeof(sa)),
			-EINVAL);
	}
	assert_outside_untouched(&r);
	rig_stop(&r);
}
END_TEST

START_TEST(no_device_nodes_and_no_special_files_opened)
{
	struct rig r;
	rig_start(&r);
	const uint32_t modes[] = {S_IFCHR | 0666, S_IFBLK | 0666,
				  S_IFSOCK | 0666, 0666};
	for (size_t i = 0; i < 4; i++) {
		struct fuse_mknod_in mk = {.mode = modes[i],
					   .rdev = makedev(1, 3)};
		ck_assert_int_eq(rig_call3(&r, FUSE_MKNOD, FUSE_ROOT_ID, &mk,
					   sizeof(mk), "dev", 4, NULL, 0),
				 -EPERM);
	}
	ck_assert_int_eq(access(rig_path(&r, "share/dev"), F_OK), -1);
	/* A fifo may be made; opening it is refused (no I/O on special
	   files, and no worker blocked in open). */
	struct fuse_mknod_in mk = {.mode = S_IFIFO | 0600};
	ck_assert_int_eq(rig_call3(&r, FUSE_MKNOD, FUSE_ROOT_ID, &mk,
				   sizeof(mk), "fifo", 5, NULL, 0),
			 0);
	uint64_t fifo = ((const struct fuse_entry_out *)rig_out(&r))->nodeid;
	uint64_t fh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, fifo, O_RDWR, &fh), -EACCES);
	/* A device node the host put in the share is not opened either. */
	if (geteuid() == 0) {
		ck_assert_int_eq(mknod(rig_path(&r, "share/null"),
				       S_IFCHR | 0666, makedev(1, 3)),
				 0);
		uint64_t null = rig_lookup_ok(&r, FUSE_ROOT_ID, "null");
		ck_assert_int_eq(rig_open(&r, FUSE_OPEN, null, O_RDWR, &fh),
				 -EACCES);
		struct fuse_entry_out e;
		ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, "null", O_RDWR,
					    S_IFREG | 0600, &e, &fh),
				 -EACCES);
	}
	rig_stop(&r);
}
END_TEST

START_TEST(set_id_bits_are_never_given)
{
	struct rig r;
	rig_start(&r);
	struct fuse_entry_out e;
	uint64_t fh;
	ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, "suid", O_RDWR,
				    S_IFREG | 06755, &e, &fh),
			 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/suid")) & 07777,
			  0755);
	ck_assert_uint_eq(e.attr.mode & 07777, 0755);
	struct fuse_mkdir_in mk = {.mode = 02755};
	ck_assert_int_eq(rig_call3(&r, FUSE_MKDIR, FUSE_ROOT_ID, &mk,
				   sizeof(mk), "sgid", 5, NULL, 0),
			 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/sgid")) & 07777,
			  0755);
	struct fuse_mknod_in mn = {.mode = S_IFREG | 04777};
	ck_assert_int_eq(rig_call3(&r, FUSE_MKNOD, FUSE_ROOT_ID, &mn,
				   sizeof(mn), "mn", 3, NULL, 0),
			 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/mn")) & 07777,
			  0777);
	/* chmod u+s / g+s: stripped silently. */
	struct fuse_setattr_in sa = {.valid = FATTR_MODE, .mode = 06777};
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)),
			 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/suid")) & 07777,
			  0777);
	sa.valid |= FATTR_FH;
	sa.fh = fh;
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)),
			 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/suid")) & 07777,
			  0777);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, e.nodeid, fh), 0);
	/* A set-ID file the host made loses the bits at the first write. */
	ck_assert_int_eq(chmod(rig_path(&r, "share/file"), 06755), 0);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_WRONLY, &fh), 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/file")) & 07777,
			  06755);
	ck_assert_int_eq(rig_write_fh(&r, file, fh, 0, "J"), 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/file")) & 07777,
			  0755);
	/* ... and at a truncate. */
	ck_assert_int_eq(chmod(rig_path(&r, "share/file"), 04755), 0);
	sa = (struct fuse_setattr_in){.valid = FATTR_SIZE, .size = 1};
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, file, &sa, sizeof(sa)), 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/file")) & 07777,
			  0755);
	rig_stop(&r);
}
END_TEST

START_TEST(rename_and_link_cannot_name_outside)
{
	struct rig r;
	rig_start(&r);
	struct fuse_rename_in rn = {.newdir = FUSE_ROOT_ID};
	const char *bad[] = {"../outside/x", "a/b", "..", "."};
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(rig_call_names(&r, FUSE_RENAME, FUSE_ROOT_ID,
						&rn, sizeof(rn), "file",
						bad[i]),
				 -EINVAL);
		ck_assert_int_eq(rig_call_names(&r, FUSE_RENAME, FUSE_ROOT_ID,
						&rn, sizeof(rn), bad[i], "x"),
				 -EINVAL);
	}
	rn.newdir = 0xdeadbeefull;
	ck_assert_int_eq(rig_call_names(&r, FUSE_RENAME, FUSE_ROOT_ID, &rn,
					sizeof(rn), "file", "x"),
			 -ESTALE);
	struct fuse_rename2_in r2 = {.newdir = FUSE_ROOT_ID,
				     .flags = RENAME_WHITEOUT};
	ck_assert_int_eq(rig_call_names(&r, FUSE_RENAME2, FUSE_ROOT_ID, &r2,
					sizeof(r2), "file", "x"),
			 -EINVAL);
	/* LINK names its source by node id only: a forged one is stale,
	   and the new name is one component. */
	struct fuse_link_in ln = {.oldnodeid = 0x7fffffffull};
	ck_assert_int_eq(rig_call_names(&r, FUSE_LINK, FUSE_ROOT_ID, &ln,
					sizeof(ln), "hard", NULL),
			 -ESTALE);
	ln.oldnodeid = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	ck_assert_int_eq(rig_call_names(&r, FUSE_LINK, FUSE_ROOT_ID, &ln,
					sizeof(ln), "../outside/hard", NULL),
			 -EINVAL);
	/* A parent that is a file. */
	ck_assert_int_eq(rig_call_names(&r, FUSE_LINK, ln.oldnodeid, &ln,
					sizeof(ln), "hard", NULL),
			 -ENOTDIR);
	assert_outside_untouched(&r);
	ck_assert_int_eq(access(rig_path(&r, "share/file"), F_OK), 0);
	rig_stop(&r);
}
END_TEST

START_TEST(truncated_requests_never_reach_libfuse)
{
	/* hostfs_check_request is what a transport runs first; here every
	   request shape that would make libfuse read past the buffer. */
	struct {
		struct fuse_in_header h;
		char args[64];
	} req;
	const struct {
		uint32_t opcode;
		size_t args; /* bytes after the header */
		const char *fill;
	} cases[] = {
		{FUSE_LOOKUP, 4, "abcd"},    /* name without NUL */
		{FUSE_LOOKUP, 0, NULL},	     /* no name at all */
		{FUSE_GETATTR, 8, NULL},     /* short fuse_getattr_in */
		{FUSE_SETATTR, 40, NULL},    /* short fuse_setattr_in */
		{FUSE_READ, 16, NULL},	     /* short fuse_read_in */
		{FUSE_MKDIR, 8, NULL},	     /* struct, no name */
		{FUSE_SYMLINK, 5, "a\0bcd"}, /* second name cut */
		{FUSE_RENAME, 10, "\1\0\0\0\0\0\0\0a"}, /* one name */
		{FUSE_CREATE, 16, NULL},		/* struct, no name */
		{FUSE_INIT, 4, NULL},			/* short init */
		{FUSE_NOTIFY_REPLY, 32, NULL},		/* never asked for */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&req, 0, sizeof(req));
		if (cases[i].fill)
			memcpy(req.args, cases[i].fill, cases[i].args);
		req.h.opcode = cases[i].opcode;
		req.h.len = sizeof(req.h) + cases[i].args;
		ck_assert_msg(hostfs_check_request(&req, req.h.len) == EINVAL,
			      "opcode %u with %zu bytes passed",
			      cases[i].opcode, cases[i].args);
	}
	/* WRITE whose size is larger than the payload that came. */
	struct {
		struct fuse_in_header h;
		struct fuse_write_in w;
		char data[8];
	} wr = {.h = {.opcode = FUSE_WRITE, .len = sizeof(wr)},
		.w = {.size = 4096}};
	ck_assert_int_eq(hostfs_check_request(&wr, sizeof(wr)), EINVAL);
	wr.w.size = 8;
	ck_assert_int_eq(hostfs_check_request(&wr, sizeof(wr)), 0);
	/* The header's len must be the buffer's. */
	ck_assert_int_eq(hostfs_check_request(&wr, sizeof(wr) - 1), EINVAL);
	wr.h.len = 1 << 20;
	ck_assert_int_eq(hostfs_check_request(&wr, sizeof(wr)), EINVAL);
	ck_assert_int_eq(hostfs_check_request(&wr, 10), EINVAL);
	/* BATCH_FORGET claiming more entries than it carries. */
	struct {
		struct fuse_in_header h;
		struct fuse_batch_forget_in b;
		struct fuse_forget_one one[2];
	} bf = {.h = {.opcode = FUSE_BATCH_FORGET, .len = sizeof(bf)},
		.b = {.count = 1000000}};
	ck_assert_int_eq(hostfs_check_request(&bf, sizeof(bf)), EINVAL);
	bf.b.count = 2;
	ck_assert_int_eq(hostfs_check_request(&bf, sizeof(bf)), 0);
	/* A well-formed LOOKUP passes. */
	memset(&req, 0, sizeof(req));
	req.h.opcode = FUSE_LOOKUP;
	memcpy(req.args, "name", 5);
	req.h.len = sizeof(req.h) + 5;
	ck_assert_int_eq(hostfs_check_request(&req, req.h.len), 0);
}
END_TEST

START_TEST(huge_sizes_are_capped_not_allocated)
{
	struct rig r;
	rig_start(&r);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	uint64_t fh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_RDONLY, &fh), 0);
	ck_assert_int_eq(rig_read_fh(&r, file, fh, 0, UINT32_MAX), 0);
	ck_assert_uint_eq(rig_out_len(&r), 5);
	ck_assert_int_eq(rig_read_fh(&r, file, fh, UINT64_MAX, 10), -EINVAL);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, file, fh), 0);
	ck_assert_int_eq(
		rig_open(&r, FUSE_OPENDIR, FUSE_ROOT_ID, O_RDONLY, &fh), 0);
	struct fuse_read_in rd = {.fh = fh, .size = UINT32_MAX};
	ck_assert_int_eq(
		rig_call(&r, FUSE_READDIRPLUS, FUSE_ROOT_ID, &rd, sizeof(rd)),
		0);
	ck_assert_uint_gt(rig_out_len(&r), 0);
	rd.offset = 0x7fffffffffffffffull; /* a cookie the host never gave */
	rig_call(&r, FUSE_READDIR, FUSE_ROOT_ID, &rd, sizeof(rd));
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASEDIR, 1, fh), 0);
	rig_stop(&r);
}
END_TEST

START_TEST(destroy_drops_every_node_id_and_handle)
{
	struct rig r;
	rig_start(&r);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	uint64_t dir = rig_lookup_ok(&r, FUSE_ROOT_ID, "dir");
	uint64_t fh, dfh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_RDONLY, &fh), 0);
	ck_assert_int_eq(rig_open(&r, FUSE_OPENDIR, dir, O_RDONLY, &dfh), 0);
	ck_assert_int_eq(rig_call(&r, FUSE_DESTROY, 0, NULL, 0), 0);
	/* A client after DESTROY (or a new one on the same hostfs) cannot
	   use what the old one held. */
	struct fuse_attr a;
	ck_assert_int_eq(rig_getattr(&r, file, &a), -ESTALE);
	ck_assert_int_eq(rig_getattr(&r, dir, &a), -ESTALE);
	ck_assert_int_eq(rig_read_fh(&r, file, fh, 0, 5), -EBADF);
	struct fuse_read_in rd = {.fh = dfh, .size = 4096};
	ck_assert_int_eq(rig_call(&r, FUSE_READDIR, dir, &rd, sizeof(rd)),
			 -EBADF);
	ck_assert_int_eq(rig_getattr(&r, FUSE_ROOT_ID, &a), 0);
	ck_assert_uint_ne(rig_lookup_ok(&r, FUSE_ROOT_ID, "file"), file);
	rig_stop(&r);
}
END_TEST

START_TEST(a_client_cannot_pin_every_host_fd)
{
	/* Check runs each test in its own process: the limit is ours. */
	struct rlimit rl;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 128;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	struct rig r;
	rig_start(&r);
	rig_sh("cd %s/share && for i in $(seq 150); do : > f$i; done", r.tmp);
	uint64_t ids[150];
	int refused = 0, held = 0;
	for (int i = 0; i < 150; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i + 1);
		struct fuse_entry_out e;
		int err = rig_lookup(&r, FUSE_ROOT_ID, name, &e);
		ck_assert(err == 0 || err == -ENFILE);
		ids[i] = e.nodeid;
		refused += err == -ENFILE;
		held += err == 0;
	}
	ck_assert_int_gt(refused, 0);
	ck_assert_int_le(held, 96);
	/* pvkit itself still has descriptors to spare. */
	int spare[16];
	for (int i = 0; i < 16; i++)
		ck_assert_int_ge(spare[i] = open("/dev/null", O_RDONLY), 0);
	for (int i = 0; i < 16; i++)
		close(spare[i]);
	/* Forgetting gives the budget back. */
	for (int i = 0; i < 150; i++) {
		struct fuse_forget_in fg = {.nlookup = 1};
		if (ids[i])
			rig_call(&r, FUSE_FORGET, ids[i], &fg, sizeof(fg));
	}
	for (int i = 0; i < 50; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", 150 - i);
		rig_lookup_ok(&r, FUSE_ROOT_ID, name);
	}
	rig_stop(&r);
}
END_TEST

START_TEST(two_shares_share_one_fd_budget)
{
	struct rlimit rl;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 128;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	/* Two shares of one process, as `pvkit run --share A --share B`
	   creates them: one fd budget between them. */
	struct hostfs_fd_budget *budget = hostfs_fd_budget_new();
	ck_assert_ptr_nonnull(budget);
	struct rig a, b;
	struct hostfs_options o;
	rig_make_tree(&a);
	hostfs_default_options(&o, a.share);
	o.fd_budget = budget;
	rig_start_with(&a, &o);
	rig_make_tree(&b);
	hostfs_default_options(&o, b.share);
	o.fd_budget = budget;
	rig_start_with(&b, &o);
	rig_sh("cd %s/share && for i in $(seq 150); do : > f$i; done", a.tmp);
	rig_sh("cd %s/share && for i in $(seq 150); do : > f$i; done", b.tmp);
	int held = 0, other = 0;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 150; i++) {
			char name[16];
			snprintf(name, sizeof(name), "f%d", i + 1);
			struct fuse_entry_out e;
			int err =
				rig_lookup(k ? &b : &a, FUSE_ROOT_ID, name, &e);
			held += err == 0;
			other += err && err != -ENFILE;
		}
	/* 3/4 of 128 for both shares together, the rest refused with
	   ENFILE, and pvkit itself still has descriptors to spare. */
	ck_assert_int_eq(other, 0);
	ck_assert_int_le(held, 96);
	int spare[16];
	for (int i = 0; i < 16; i++)
		ck_assert_int_ge(spare[i] = open("/dev/null", O_RDONLY), 0);
	for (int i = 0; i < 16; i++)
		close(spare[i]);
	rig_stop(&a);
	rig_stop(&b);
	hostfs_fd_budget_free(budget);
}
END_TEST

START_TEST(readdirplus_stops_at_a_spent_fd_budget_and_resumes)
{
	/* Budget 3/4 of 128; filler lookups spend all of it but 5, so a
	   READDIRPLUS of 20 files can take node ids for only 5 of them. */
	struct rlimit rl;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 128;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	struct rig r;
	rig_start(&r);
	rig_sh("mkdir %s/share/rd %s/share/fill", r.tmp);
	rig_sh("cd %s/share/rd && for i in $(seq 0 19); do : > e$i; done",
	       r.tmp);
	rig_sh("cd %s/share/fill && for i in $(seq 150); do : > f$i; done",
	       r.tmp);
	uint64_t rd = rig_lookup_ok(&r, FUSE_ROOT_ID, "rd");
	uint64_t fill = rig_lookup_ok(&r, FUSE_ROOT_ID, "fill");
	uint64_t fh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPENDIR, rd, O_RDONLY, &fh), 0);
	uint64_t fillers[150];
	int nfill = 0;
	for (int i = 0; i < 150; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i + 1);
		struct fuse_entry_out e;
		int err = rig_lookup(&r, fill, name, &e);
		ck_assert(err == 0 || err == -ENFILE);
		if (err)
			break;
		fillers[nfill++] = e.nodeid;
	}
	ck_assert_int_lt(nfill, 150);
	ck_assert_int_ge(nfill, 5);
	struct fuse_forget_in fg = {.nlookup = 1};
	for (int i = 0; i < 5; i++)
		rig_call(&r, FUSE_FORGET, fillers[--nfill], &fg, sizeof(fg));

	int seen[20] = {0}, dots = 0, batches = 0;
	uint64_t off = 0;
	for (;;) {
		ck_assert_int_lt(++batches, 30);
		struct fuse_read_in in = {
			.fh = fh, .offset = off, .size = 64 << 10};
		ck_assert_int_eq(
			rig_call(&r, FUSE_READDIRPLUS, rd, &in, sizeof(in)), 0);
		size_t len = rig_out_len(&r);
		if (!len)
			break;
		const char *p = rig_out(&r);
		uint64_t ids[32];
		int nids = 0, files = 0;
		for (size_t pos = 0; pos < len;) {
			const struct fuse_direntplus *d =
				(const void *)(p + pos);
			ck_assert_uint_le(pos + FUSE_DIRENTPLUS_SIZE(d), len);
			char name[64] = {0};
			ck_assert_uint_lt(d->dirent.namelen, sizeof(name));
			memcpy(name, d->dirent.name, d->dirent.namelen);
			off = d->dirent.off;
			pos += FUSE_DIRENTPLUS_SIZE(d);
			if (!strcmp(name, ".") || !strcmp(name, "..")) {
				dots++;
				continue;
			}
			/* Every entry sent is a looked-up one, never a
			   name without a node id or attributes. */
			ck_assert_uint_ne(d->entry_out.nodeid, 0);
			ck_assert(S_ISREG(d->entry_out.attr.mode));
			ck_assert_uint_eq(d->entry_out.attr.ino, d->dirent.ino);
			int k;
			ck_assert_int_eq(sscanf(name, "e%d", &k), 1);
			ck_assert(k >= 0 && k < 20);
			seen[k]++;
			files++;
			ck_assert_int_lt(nids, 32);
			ids[nids++] = d->entry_out.nodeid;
		}
		/* The budget held 5 node ids: the batch ended at the first
		   entry it could not look up, not 20 names later. */
		ck_assert_int_le(files, 5);
		/* Giving them back lets the next batch go on. */
		for (int i = 0; i < nids; i++)
			rig_call(&r, FUSE_FORGET, ids[i], &fg, sizeof(fg));
	}
	ck_assert_int_gt(batches, 2);
	ck_assert_int_eq(dots, 2);
	for (int k = 0; k < 20; k++)
		ck_assert_msg(seen[k] == 1, "e%d listed %d times", k, seen[k]);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASEDIR, rd, fh), 0);
	rig_stop(&r);
}
END_TEST

START_TEST(proc_magic_links_in_the_share_are_not_followed)
{
	/* A /proc mounted inside the share (root only: a private mount
	   namespace for this test's process, gone when it exits). Crossing
	   into it is allowed; its magic links (root, cwd, exe, fd/N) are
	   links to hostfs, never the host objects behind them. */
	if (geteuid() != 0 || unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return;
	struct rig r;
	rig_start(&r);
	rig_sh("mkdir %s/share/proc", r.tmp);
	ck_assert_int_eq(mount("/proc", rig_path(&r, "share/proc"), NULL,
			       MS_BIND | MS_REC, NULL),
			 0);
	uint64_t proc = rig_lookup_ok(&r, FUSE_ROOT_ID, "proc");
	uint64_t one = rig_lookup_ok(&r, proc, "1");
	const char *magic[] = {"root", "cwd", "exe"};
	for (size_t i = 0; i < 3; i++) {
		struct fuse_entry_out e;
		ck_assert_int_eq(rig_lookup(&r, one, magic[i], &e), 0);
		ck_assert(S_ISLNK(e.attr.mode));
		ck_assert_int_eq(rig_lookup(&r, e.nodeid, "etc", &e), -ENOTDIR);
		uint64_t link = rig_lookup_ok(&r, one, magic[i]);
		uint64_t fh;
		ck_assert_int_eq(rig_open(&r, FUSE_OPEN, link, O_RDONLY, &fh),
				 -ELOOP);
		ck_assert_int_eq(
			rig_open(&r, FUSE_OPENDIR, link, O_RDONLY, &fh),
			-ENOTDIR);
	}
	/* /proc/self/fd/N of this very process: hostfs's own fds. */
	uint64_t self = rig_lookup_ok(&r, proc, "self");
	struct fuse_entry_out e;
	ck_assert_int_eq(rig_lookup(&r, self, "fd", &e), -ENOTDIR);
	uint64_t pid_dir = rig_lookup_ok(&r, proc, "thread-self");
	ck_assert_int_eq(rig_lookup(&r, pid_dir, "fd", &e), -ENOTDIR);
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", getpid());
	uint64_t me = rig_lookup_ok(&r, proc, pid);
	uint64_t fds = rig_lookup_ok(&r, me, "fd");
	uint64_t fh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPENDIR, fds, O_RDONLY, &fh), 0);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASEDIR, fds, fh), 0);
	ck_assert_int_eq(rig_lookup(&r, fds, "3", &e), 0);
	ck_assert(S_ISLNK(e.attr.mode));
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, e.nodeid, O_RDWR, &fh),
			 -ELOOP);
	ck_assert_int_eq(rig_lookup(&r, e.nodeid, "x", &e), -ENOTDIR);
	ck_assert_int_eq(umount2(rig_path(&r, "share/proc"), MNT_DETACH), 0);
	rig_stop(&r);
}
END_TEST

Suite *hostfs_escape_suite(void)
{
	Suite *s = suite_create("hostfs_escape");
	TCase *tc = tcase_create("hostile client");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, forged_node_ids_are_stale);
	tcase_add_test(tc,
		       forgotten_node_id_is_stale_and_its_slot_not_confused);
	tcase_add_test(tc, forget_does_not_free_an_inode_an_open_handle_uses);
	tcase_add_test(tc, forged_and_released_file_handles_are_refused);
	tcase_add_test(tc, names_must_be_one_component);
	tcase_add_test(tc, dotdot_at_the_root_is_the_root);
	tcase_add_test(tc, symlinks_out_of_the_share_are_never_followed);
	tcase_add_test(tc, no_device_nodes_and_no_special_files_opened);
	tcase_add_test(tc, set_id_bits_are_never_given);
	tcase_add_test(tc, rename_and_link_cannot_name_outside);
	tcase_add_test(tc, truncated_requests_never_reach_libfuse);
	tcase_add_test(tc, huge_sizes_are_capped_not_allocated);
	tcase_add_test(tc, destroy_drops_every_node_id_and_handle);
	tcase_add_test(tc, a_client_cannot_pin_every_host_fd);
	tcase_add_test(tc, two_shares_share_one_fd_budget);
	tcase_add_test(tc, readdirplus_stops_at_a_spent_fd_budget_and_resumes);
	tcase_add_test(tc, proc_magic_links_in_the_share_are_not_followed);
	suite_add_tcase(s, tc);
	return s;
}
