/*
 * hostfs unit tests, the ordinary operations: raw FUSE requests through
 * libfuse into hostfs (test_hostfs_rig.h), each checked against what the
 * host folder then holds.
 */
#include "test_hostfs_rig.h"

#include <dirent.h>
#include <sys/xattr.h>

START_TEST(lookup_getattr_match_the_host_file)
{
	struct rig r;
	rig_start(&r);
	struct fuse_entry_out e;
	ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, "file", &e), 0);
	struct stat st;
	ck_assert_int_eq(stat(rig_path(&r, "share/file"), &st), 0);
	ck_assert_uint_eq(e.attr.ino, st.st_ino);
	ck_assert_uint_eq(e.attr.size, 5);
	ck_assert(S_ISREG(e.attr.mode));
	ck_assert_uint_ne(e.nodeid, FUSE_ROOT_ID);
	struct fuse_attr a;
	ck_assert_int_eq(rig_getattr(&r, e.nodeid, &a), 0);
	ck_assert_uint_eq(a.ino, st.st_ino);
	ck_assert_int_eq(rig_getattr(&r, FUSE_ROOT_ID, &a), 0);
	ck_assert(S_ISDIR(a.mode));
	/* The same host file is one node id, however it is reached. */
	ck_assert_uint_eq(rig_lookup_ok(&r, FUSE_ROOT_ID, "file"), e.nodeid);
	ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, "missing", &e), -ENOENT);
	rig_stop(&r);
}
END_TEST

START_TEST(create_write_read_reach_the_host)
{
	struct rig r;
	rig_start(&r);
	struct fuse_entry_out e;
	uint64_t fh;
	ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, "new", O_RDWR | O_EXCL,
				    S_IFREG | 0640, &e, &fh),
			 0);
	ck_assert_int_eq(rig_write_fh(&r, e.nodeid, fh, 0, "written"), 0);
	ck_assert_uint_eq(((const struct fuse_write_out *)rig_out(&r))->size,
			  7);
	ck_assert_int_eq(rig_read_fh(&r, e.nodeid, fh, 2, 100), 0);
	ck_assert_uint_eq(rig_out_len(&r), 5);
	ck_assert_mem_eq(rig_out(&r), "itten", 5);
	struct fuse_flush_in fl = {.fh = fh};
	ck_assert_int_eq(rig_call(&r, FUSE_FLUSH, e.nodeid, &fl, sizeof(fl)),
			 0);
	struct fuse_fsync_in fs = {.fh = fh};
	ck_assert_int_eq(rig_call(&r, FUSE_FSYNC, e.nodeid, &fs, sizeof(fs)),
			 0);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, e.nodeid, fh), 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/new")) & 07777,
			  0640);
	FILE *f = fopen(rig_path(&r, "share/new"), "r");
	char buf[16] = {0};
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf), f), 7);
	fclose(f);
	ck_assert_str_eq(buf, "written");
	/* O_EXCL on an existing name */
	ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, "new", O_RDWR | O_EXCL,
				    S_IFREG | 0640, &e, &fh),
			 -EEXIST);
	/* CREATE of an existing name without O_EXCL opens it (O_TRUNC
	   empties it and clears a set-ID bit the host gave it). */
	ck_assert_int_eq(chmod(rig_path(&r, "share/new"), 04640), 0);
	ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, "new", O_RDWR | O_TRUNC,
				    S_IFREG | 0600, &e, &fh),
			 0);
	struct stat st;
	ck_assert_int_eq(stat(rig_path(&r, "share/new"), &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, e.nodeid, fh), 0);
	/* OPEN of an existing file for reading */
	uint64_t node = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, node, O_RDONLY, &fh), 0);
	ck_assert_int_eq(rig_read_fh(&r, node, fh, 0, 4096), 0);
	ck_assert_uint_eq(rig_out_len(&r), 5);
	ck_assert_mem_eq(rig_out(&r), "hello", 5);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, node, fh), 0);
	rig_stop(&r);
}
END_TEST

/* The names READDIR (or READDIRPLUS) lists in node, one string. */
static void list_dir(struct rig *r, uint64_t node, uint32_t opcode, char *names,
		     size_t len)
{
	uint64_t fh;
	ck_assert_int_eq(rig_open(r, FUSE_OPENDIR, node, O_RDONLY, &fh), 0);
	names[0] = '\0';
	uint64_t off = 0;
	for (;;) {
		/* Small buffers: the listing has to resume at offsets. */
		struct fuse_read_in in = {.fh = fh, .offset = off, .size = 160};
		ck_assert_int_eq(rig_call(r, opcode, node, &in, sizeof(in)), 0);
		size_t n = rig_out_len(r), pos = 0;
		if (!n)
			break;
		const char *p = rig_out(r);
		while (pos < n) {
			const struct fuse_dirent *d;
			size_t size;
			if (opcode == FUSE_READDIRPLUS) {
				const struct fuse_direntplus *dp =
					(const void *)(p + pos);
				d = &dp->dirent;
				size = FUSE_DIRENTPLUS_SIZE(dp);
				bool dot = d->namelen <= 2 && d->name[0] == '.';
				ck_assert(dot || dp->entry_out.nodeid);
			} else {
				d = (const void *)(p + pos);
				size = FUSE_DIRENT_SIZE(d);
			}
			snprintf(names + strlen(names), len - strlen(names),
				 "%.*s,", (int)d->namelen, d->name);
			off = d->off;
			pos += size;
		}
	}
	ck_assert_int_eq(rig_release(r, FUSE_RELEASEDIR, node, fh), 0);
}

static bool listed(const char *names, const char *name)
{
	char want[64];
	snprintf(want, sizeof(want), ",%s,", name);
	char all[1024];
	snprintf(all, sizeof(all), ",%s", names);
	return strstr(all, want) != NULL;
}

START_TEST(mkdir_readdir_and_readdirplus_list_every_name)
{
	struct rig r;
	rig_start(&r);
	struct fuse_mkdir_in mk = {.mode = 0750};
	ck_assert_int_eq(rig_call3(&r, FUSE_MKDIR, FUSE_ROOT_ID, &mk,
				   sizeof(mk), "sub", 4, NULL, 0),
			 0);
	ck_assert(S_ISDIR(rig_host_mode(rig_path(&r, "share/sub"))));
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/sub")) & 07777,
			  0750);
	for (int i = 0; i < 20; i++) {
		char p[64];
		snprintf(p, sizeof(p), "share/file-%02d", i);
		close(open(rig_path(&r, p), O_CREAT | O_WRONLY, 0600));
	}
	char names[1024];
	for (int plus = 0; plus < 2; plus++) {
		list_dir(&r, FUSE_ROOT_ID,
			 plus ? FUSE_READDIRPLUS : FUSE_READDIR, names,
			 sizeof(names));
		ck_assert(listed(names, "."));
		ck_assert(listed(names, ".."));
		ck_assert(listed(names, "sub"));
		ck_assert(listed(names, "file"));
		ck_assert(listed(names, "dir"));
		ck_assert(listed(names, "file-00"));
		ck_assert(listed(names, "file-19"));
		int count = 0;
		for (const char *c = names; *c; c++)
			count += *c == ',';
		ck_assert_int_eq(count, 25);
	}
	/* RMDIR and UNLINK */
	ck_assert_int_eq(rig_call(&r, FUSE_RMDIR, FUSE_ROOT_ID, "sub", 4), 0);
	ck_assert_int_eq(rig_call(&r, FUSE_UNLINK, FUSE_ROOT_ID, "file-00", 8),
			 0);
	ck_assert_int_eq(access(rig_path(&r, "share/sub"), F_OK), -1);
	ck_assert_int_eq(access(rig_path(&r, "share/file-00"), F_OK), -1);
	ck_assert_int_eq(rig_call(&r, FUSE_RMDIR, FUSE_ROOT_ID, "file", 5),
			 -ENOTDIR);
	rig_stop(&r);
}
END_TEST

START_TEST(rename_with_and_without_flags)
{
	struct rig r;
	rig_start(&r);
	uint64_t dir = rig_lookup_ok(&r, FUSE_ROOT_ID, "dir");
	struct fuse_rename_in rn = {.newdir = dir};
	ck_assert_int_eq(rig_call_names(&r, FUSE_RENAME, FUSE_ROOT_ID, &rn,
					sizeof(rn), "file", "moved"),
			 0);
	ck_assert_int_eq(access(rig_path(&r, "share/dir/moved"), F_OK), 0);
	rig_sh("printf other-file > %s/share/other", r.tmp);
	struct fuse_rename2_in r2 = {.newdir = FUSE_ROOT_ID,
				     .flags = RENAME_NOREPLACE};
	ck_assert_int_eq(rig_call_names(&r, FUSE_RENAME2, dir, &r2, sizeof(r2),
					"moved", "other"),
			 -EEXIST);
	r2.flags = RENAME_EXCHANGE;
	ck_assert_int_eq(rig_call_names(&r, FUSE_RENAME2, dir, &r2, sizeof(r2),
					"moved", "other"),
			 0);
	struct stat st;
	ck_assert_int_eq(stat(rig_path(&r, "share/other"), &st), 0);
	ck_assert_int_eq(st.st_size, 5); /* "hello" is at the root again */
	ck_assert_int_eq(stat(rig_path(&r, "share/dir/moved"), &st), 0);
	ck_assert_int_eq(st.st_size, 10); /* "other-file" */
	r2.flags = RENAME_NOREPLACE | RENAME_EXCHANGE;
	ck_assert_int_eq(rig_call_names(&r, FUSE_RENAME2, dir, &r2, sizeof(r2),
					"moved", "other"),
			 -EINVAL);
	rig_stop(&r);
}
END_TEST

START_TEST(symlink_readlink_and_hard_link)
{
	struct rig r;
	rig_start(&r);
	ck_assert_int_eq(rig_call_names(&r, FUSE_SYMLINK, FUSE_ROOT_ID, NULL, 0,
					"sl", "some/target"),
			 0);
	const struct fuse_entry_out *e = rig_out(&r);
	ck_assert(S_ISLNK(e->attr.mode));
	uint64_t sl = e->nodeid;
	char target[64] = {0};
	ck_assert_int_eq(readlink(rig_path(&r, "share/sl"), target, 63), 11);
	ck_assert_str_eq(target, "some/target");
	ck_assert_int_eq(rig_call(&r, FUSE_READLINK, sl, NULL, 0), 0);
	ck_assert_uint_eq(rig_out_len(&r), 11);
	ck_assert_mem_eq(rig_out(&r), "some/target", 11);
	ck_assert_int_eq(rig_call(&r, FUSE_READLINK, FUSE_ROOT_ID, NULL, 0),
			 -EINVAL);

	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	struct fuse_link_in ln = {.oldnodeid = file};
	ck_assert_int_eq(rig_call_names(&r, FUSE_LINK, FUSE_ROOT_ID, &ln,
					sizeof(ln), "hard", NULL),
			 0);
	e = rig_out(&r);
	ck_assert_uint_eq(e->nodeid, file); /* deduplicated by (dev, ino) */
	ck_assert_uint_eq(e->attr.nlink, 2);
	/* A directory cannot be hard-linked. */
	ln.oldnodeid = rig_lookup_ok(&r, FUSE_ROOT_ID, "dir");
	ck_assert_int_eq(rig_call_names(&r, FUSE_LINK, FUSE_ROOT_ID, &ln,
					sizeof(ln), "dirlink", NULL),
			 -EPERM);
	rig_stop(&r);
}
END_TEST

START_TEST(setattr_size_mode_times_with_and_without_fh)
{
	struct rig r;
	rig_start(&r);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	struct fuse_setattr_in sa = {.valid = FATTR_SIZE, .size = 2};
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, file, &sa, sizeof(sa)), 0);
	ck_assert_uint_eq(
		((const struct fuse_attr_out *)rig_out(&r))->attr.size, 2);
	struct stat st;
	ck_assert_int_eq(stat(rig_path(&r, "share/file"), &st), 0);
	ck_assert_int_eq(st.st_size, 2);

	sa = (struct fuse_setattr_in){.valid = FATTR_MODE, .mode = 0604};
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, file, &sa, sizeof(sa)), 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/file")) & 07777,
			  0604);

	sa = (struct fuse_setattr_in){.valid = FATTR_MTIME | FATTR_ATIME,
				      .mtime = 1000000000,
				      .mtimensec = 5,
				      .atime = 2000000000};
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, file, &sa, sizeof(sa)), 0);
	ck_assert_int_eq(stat(rig_path(&r, "share/file"), &st), 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1000000000);
	ck_assert_int_eq(st.st_mtim.tv_nsec, 5);
	ck_assert_int_eq(st.st_atim.tv_sec, 2000000000);
	/* MTIME_NOW, atime omitted */
	sa = (struct fuse_setattr_in){.valid = FATTR_MTIME | FATTR_MTIME_NOW};
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, file, &sa, sizeof(sa)), 0);
	ck_assert_int_eq(stat(rig_path(&r, "share/file"), &st), 0);
	ck_assert_int_gt(st.st_mtim.tv_sec, 1000000000);
	ck_assert_int_eq(st.st_atim.tv_sec, 2000000000);

	/* Through a file handle: ftruncate and fchmod of the open file. */
	uint64_t fh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_RDWR, &fh), 0);
	sa = (struct fuse_setattr_in){.valid = FATTR_SIZE | FATTR_FH |
					       FATTR_MODE,
				      .fh = fh,
				      .size = 9,
				      .mode = 0600};
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, file, &sa, sizeof(sa)), 0);
	ck_assert_int_eq(stat(rig_path(&r, "share/file"), &st), 0);
	ck_assert_int_eq(st.st_size, 9);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	/* The fh must belong to the node. */
	uint64_t dir = rig_lookup_ok(&r, FUSE_ROOT_ID, "dir");
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, dir, &sa, sizeof(sa)),
			 -EBADF);
	ck_assert_int_eq(rig_release(&r, FUSE_RELEASE, file, fh), 0);
	/* A directory has no size. */
	sa = (struct fuse_setattr_in){.valid = FATTR_SIZE, .size = 0};
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, dir, &sa, sizeof(sa)),
			 -EISDIR);
	rig_stop(&r);
}
END_TEST

START_TEST(statfs_access_fallocate_lseek_copy_range)
{
	struct rig r;
	rig_start(&r);
	ck_assert_int_eq(rig_call(&r, FUSE_STATFS, FUSE_ROOT_ID, NULL, 0), 0);
	const struct fuse_statfs_out *sf = rig_out(&r);
	ck_assert_uint_gt(sf->st.bsize, 0);
	ck_assert_uint_gt(sf->st.blocks, 0);

	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	struct fuse_access_in ac = {.mask = R_OK};
	r.uid = 4242; /* "other": mode 0644 gives read only */
	ck_assert_int_eq(rig_call(&r, FUSE_ACCESS, file, &ac, sizeof(ac)), 0);
	ac.mask = W_OK;
	ck_assert_int_eq(rig_call(&r, FUSE_ACCESS, file, &ac, sizeof(ac)),
			 -EACCES);
	r.uid = getuid();

	uint64_t fh;
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_RDWR, &fh), 0);
	struct fuse_fallocate_in fa = {.fh = fh, .offset = 0, .length = 65536};
	ck_assert_int_eq(rig_call(&r, FUSE_FALLOCATE, file, &fa, sizeof(fa)),
			 0);
	struct stat st;
	ck_assert_int_eq(stat(rig_path(&r, "share/file"), &st), 0);
	ck_assert_int_eq(st.st_size, 65536);
	struct fuse_lseek_in ls = {.fh = fh, .offset = 0, .whence = SEEK_DATA};
	ck_assert_int_eq(rig_call(&r, FUSE_LSEEK, file, &ls, sizeof(ls)), 0);
	ck_assert_uint_eq(((const struct fuse_lseek_out *)rig_out(&r))->offset,
			  0);
	ls.whence = SEEK_SET;
	ck_assert_int_eq(rig_call(&r, FUSE_LSEEK, file, &ls, sizeof(ls)),
			 -EINVAL);

	struct fuse_entry_out e;
	uint64_t out_fh;
	ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, "copy", O_RDWR,
				    S_IFREG | 0600, &e, &out_fh),
			 0);
	struct fuse_copy_file_range_in cr = {.fh_in = fh,
					     .nodeid_out = e.nodeid,
					     .fh_out = out_fh,
					     .len = 5};
	ck_assert_int_eq(
		rig_call(&r, FUSE_COPY_FILE_RANGE, file, &cr, sizeof(cr)), 0);
	ck_assert_uint_eq(((const struct fuse_write_out *)rig_out(&r))->size,
			  5);
	ck_assert_int_eq(rig_read_fh(&r, e.nodeid, out_fh, 0, 100), 0);
	ck_assert_mem_eq(rig_out(&r), "hello", 5);
	/* Locks are the client's own (ENOSYS): never a blocked worker. */
	struct fuse_lk_in lk = {.fh = fh};
	ck_assert_int_eq(rig_call(&r, FUSE_GETLK, file, &lk, sizeof(lk)),
			 -ENOSYS);
	rig_stop(&r);
}
END_TEST

START_TEST(read_only_refuses_every_change)
{
	struct rig r;
	rig_make_tree(&r);
	struct hostfs_options o;
	hostfs_default_options(&o, r.share);
	o.read_only = true;
	rig_start_with(&r, &o);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	struct fuse_entry_out e;
	uint64_t fh;
	ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, "x", O_RDWR,
				    S_IFREG | 0600, &e, &fh),
			 -EROFS);
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_WRONLY, &fh), -EROFS);
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_RDONLY | O_TRUNC, &fh),
			 -EROFS);
	struct fuse_mkdir_in mk = {.mode = 0755};
	ck_assert_int_eq(rig_call3(&r, FUSE_MKDIR, FUSE_ROOT_ID, &mk,
				   sizeof(mk), "d2", 3, NULL, 0),
			 -EROFS);
	ck_assert_int_eq(rig_call(&r, FUSE_UNLINK, FUSE_ROOT_ID, "file", 5),
			 -EROFS);
	struct fuse_setattr_in sa = {.valid = FATTR_MODE, .mode = 0600};
	ck_assert_int_eq(rig_call(&r, FUSE_SETATTR, file, &sa, sizeof(sa)),
			 -EROFS);
	struct fuse_rename_in rn = {.newdir = FUSE_ROOT_ID};
	ck_assert_int_eq(rig_call_names(&r, FUSE_RENAME, FUSE_ROOT_ID, &rn,
					sizeof(rn), "file", "f2"),
			 -EROFS);
	ck_assert_int_eq(rig_call_names(&r, FUSE_SYMLINK, FUSE_ROOT_ID, NULL, 0,
					"s", "t"),
			 -EROFS);
	/* Reading still works, and a read-only fh refuses writes. */
	ck_assert_int_eq(rig_open(&r, FUSE_OPEN, file, O_RDONLY, &fh), 0);
	ck_assert_int_eq(rig_read_fh(&r, file, fh, 0, 10), 0);
	ck_assert_mem_eq(rig_out(&r), "hello", 5);
	ck_assert_int_eq(rig_write_fh(&r, file, fh, 0, "x"), -EROFS);
	ck_assert_int_eq(rig_call(&r, FUSE_STATFS, FUSE_ROOT_ID, NULL, 0), 0);
	ck_assert_uint_eq(rig_host_mode(rig_path(&r, "share/file")) & 0777,
			  0644);
	rig_stop(&r);
}
END_TEST

START_TEST(xattrs_off_by_default_and_filtered_when_on)
{
	struct rig r;
	rig_start(&r);
	uint64_t file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	struct fuse_getxattr_in gx = {.size = 0};
	ck_assert_int_eq(rig_call3(&r, FUSE_GETXATTR, file, &gx, sizeof(gx),
				   "user.x", 7, NULL, 0),
			 -ENOSYS);
	rig_stop(&r);

	rig_make_tree(&r);
	struct hostfs_options o;
	hostfs_default_options(&o, r.share);
	o.xattr = true;
	rig_start_with(&r, &o);
	file = rig_lookup_ok(&r, FUSE_ROOT_ID, "file");
	struct fuse_setxattr_in sx = {.size = 3};
	int err = rig_call3(&r, FUSE_SETXATTR, file, &sx, 8, "user.x", 7, "abc",
			    3);
	if (err == -EOPNOTSUPP) {
		/* The host file system has no user xattrs (tmpfs before 6.6). */
		rig_stop(&r);
		return;
	}
	ck_assert_int_eq(err, 0);
	char v[8] = {0};
	ck_assert_int_eq(getxattr(rig_path(&r, "share/file"), "user.x", v, 8),
			 3);
	ck_assert_str_eq(v, "abc");
	gx.size = 64;
	ck_assert_int_eq(rig_call3(&r, FUSE_GETXATTR, file, &gx, sizeof(gx),
				   "user.x", 7, NULL, 0),
			 0);
	ck_assert_uint_eq(rig_out_len(&r), 3);
	struct fuse_getxattr_in lx = {.size = 0};
	ck_assert_int_eq(rig_call(&r, FUSE_LISTXATTR, file, &lx, sizeof(lx)),
			 0);
	ck_assert_uint_ge(((const struct fuse_getxattr_out *)rig_out(&r))->size,
			  7);
	ck_assert_int_eq(rig_call3(&r, FUSE_SETXATTR, file, &sx, 8, "trusted.x",
				   10, "abc", 3),
			 -EPERM);
	ck_assert_int_eq(rig_call3(&r, FUSE_SETXATTR, file, &sx, 8,
				   "security.capability", 20, "abc", 3),
			 -EPERM);
	ck_assert_int_eq(
		rig_call(&r, FUSE_REMOVEXATTR, file, "security.selinux", 17),
		-EPERM);
	ck_assert_int_eq(rig_call(&r, FUSE_REMOVEXATTR, file, "user.x", 7), 0);
	rig_stop(&r);
}
END_TEST

START_TEST(ownership_is_mapped_one_to_one)
{
	struct rig r;
	rig_make_tree(&r);
	struct hostfs_options o;
	hostfs_default_options(&o, r.share);
	o.map_guest_uid = 1234; /* the client's 1234 is the host's owner */
	o.map_host_uid = getuid();
	o.map_guest_gid = 4321;
	o.map_host_gid = getgid();
	rig_start_with(&r, &o);
	struct fuse_entry_out e;
	ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, "file", &e), 0);
	ck_assert_uint_eq(e.attr.uid, 1234);
	ck_assert_uint_eq(e.attr.gid, 4321);
	/* A host file owned by 1234 would be shown as nobody, not as the
	   mapped id: it is someone else's. Only root can make one. */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(rig_path(&r, "share/dir"), 1234, 4321),
				 0);
		ck_assert_int_eq(rig_lookup(&r, FUSE_ROOT_ID, "dir", &e), 0);
		ck_assert_uint_eq(e.attr.uid, 65534);
		ck_assert_uint_eq(e.attr.gid, 65534);
		/* A file the client's 1234 creates belongs to the host's
		   mapped owner. */
		r.uid = 1234;
		r.gid = 4321;
		uint64_t fh;
		ck_assert_int_eq(rig_create(&r, FUSE_ROOT_ID, "mine", O_RDWR,
					    S_IFREG | 0600, &e, &fh),
				 0);
		struct stat st;
		ck_assert_int_eq(stat(rig_path(&r, "share/mine"), &st), 0);
		ck_assert_uint_eq(st.st_uid, getuid());
		ck_assert_uint_eq(e.attr.uid, 1234);
	}
	rig_stop(&r);
}
END_TEST

Suite *hostfs_suite(void)
{
	Suite *s = suite_create("hostfs");
	TCase *tc = tcase_create("ops");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, lookup_getattr_match_the_host_file);
	tcase_add_test(tc, create_write_read_reach_the_host);
	tcase_add_test(tc, mkdir_readdir_and_readdirplus_list_every_name);
	tcase_add_test(tc, rename_with_and_without_flags);
	tcase_add_test(tc, symlink_readlink_and_hard_link);
	tcase_add_test(tc, setattr_size_mode_times_with_and_without_fh);
	tcase_add_test(tc, statfs_access_fallocate_lseek_copy_range);
	tcase_add_test(tc, read_only_refuses_every_change);
	tcase_add_test(tc, xattrs_off_by_default_and_filtered_when_on);
	tcase_add_test(tc, ownership_is_mapped_one_to_one);
	suite_add_tcase(s, tc);
	return s;
}
