/*
 * Raw FUSE requests against pvkit's virtio-fs from a bare-metal guest:
 * a good session first (INIT, LOOKUP, OPEN, READ of hello.txt), then
 * forged node ids and file handles, hostile names, malformed chains, an
 * INTERRUPT for nothing, a FORGET storm. Each attempt must be refused
 * (an error reply, or for a chain that cannot carry one, the chain
 * returned empty) and a good request must still be answered after it.
 *
 * Needs `--share DIR` where DIR holds hello.txt ("hello from the host\n"),
 * a folder sub/ and a symlink out -> ../secret.txt (a host file outside the
 * share), as tests/integration/hostfs_raw_fuse_requests.sh prepares.
 * Prints one line per check; exit status 0 when all passed. pvkit only.
 */
#include "runtime.h"
#include "virtio/fs.h"

#define S_IFMT 0170000
#define S_IFLNK 0120000
#define S_IFCHR 0020000
#define S_ISUID 04000

static struct vfs fs;
static uint64_t root_ino;
static int refusals;

/* A good request after every attempt: GETATTR of the root. */
static void still_serving(void)
{
	struct vfs_getattr_in in = {0};
	int rc = vfs_call(&fs, VFS_OP_GETATTR, VFS_ROOT_ID, &in, sizeof(in), 0);
	if (rc != 0)
		rt_fail("the device stopped answering (GETATTR root: %d)", rc);
}

/* rc < 0: the request was answered with an error. */
static void refused(const char *what, int rc)
{
	rt_check_true(what, rc < 0);
	refusals += rc < 0;
	still_serving();
}

/* The chain came back without a reply (nothing the device could write). */
static void returned_empty(const char *what, int sent)
{
	rt_check_true(what, sent == 0 && fs.in_written == 0);
	refusals += sent == 0 && fs.in_written == 0;
	still_serving();
}

static int lookup(uint64_t parent, const char *name, struct vfs_entry_out *e)
{
	int rc = vfs_call(&fs, VFS_OP_LOOKUP, parent, 0, 0, name);
	if (rc == 0)
		memcpy(e, vfs_reply_body(&fs), sizeof(*e));
	return rc;
}

static void forget(uint64_t nodeid, uint64_t n)
{
	struct vfs_forget_in in = {n};
	uint32_t len = vfs_build(&fs, VFS_OP_FORGET, nodeid, &in, sizeof(in), 0);
	if (vfs_send(&fs, VIRTIO_FS_HIPRIO_QUEUE, len, 0))
		rt_fail("FORGET did not complete");
}

static int open_file(uint64_t nodeid, uint64_t *fh)
{
	struct vfs_open_in in = {0, 0}; /* O_RDONLY */
	int rc = vfs_call(&fs, VFS_OP_OPEN, nodeid, &in, sizeof(in), 0);
	if (rc == 0)
		*fh = ((const struct vfs_open_out *)vfs_reply_body(&fs))->fh;
	return rc;
}

static int read_file(uint64_t nodeid, uint64_t fh, uint32_t size)
{
	struct vfs_read_in in = {.fh = fh, .offset = 0, .size = size};
	return vfs_call(&fs, VFS_OP_READ, nodeid, &in, sizeof(in), 0);
}

static void good_session(uint64_t *hello)
{
	struct vfs_getattr_in ga = {0};
	rt_check("GETATTR before INIT is refused",
		 (uint64_t)(vfs_call(&fs, VFS_OP_GETATTR, VFS_ROOT_ID, &ga,
				     sizeof(ga), 0) < 0),
		 1);
	rt_check("INIT", (uint64_t)vfs_fuse_init(&fs), 0);
	const struct vfs_init_out *io = vfs_reply_body(&fs);
	rt_check("  major", io->major, 7);
	rt_check("second INIT is refused",
		 (uint64_t)(vfs_fuse_init(&fs) < 0), 1);
	still_serving();
	root_ino = ((const struct vfs_attr_out *)vfs_reply_body(&fs))->attr.ino;

	struct vfs_entry_out e;
	rt_check("LOOKUP hello.txt", (uint64_t)lookup(VFS_ROOT_ID, "hello.txt", &e),
		 0);
	rt_check("  size", e.attr.size, 20);
	*hello = e.nodeid;
	uint64_t fh = 0;
	rt_check("OPEN", (uint64_t)open_file(e.nodeid, &fh), 0);
	rt_check("READ", (uint64_t)read_file(e.nodeid, fh, 4096), 0);
	rt_check("  bytes", fs.in_written - sizeof(struct vfs_out_header), 20);
	rt_check_true("  content", memcmp(vfs_reply_body(&fs),
					  "hello from the host\n", 20) == 0);
	struct vfs_release_in rel = {.fh = fh};
	vfs_call(&fs, VFS_OP_RELEASE, e.nodeid, &rel, sizeof(rel), 0);
}

static void forged_ids(uint64_t hello)
{
	struct vfs_getattr_in ga = {0};
	static const uint64_t bad[] = {0, ~0ull, 0x1234567890abcdefull,
				       0x80000000ull};
	static const char *const names[] = {
		"GETATTR node 0", "GETATTR node ~0", "GETATTR node random",
		"GETATTR node 0x80000000"};
	for (unsigned k = 0; k < 4; k++)
		refused(names[k], vfs_call(&fs, VFS_OP_GETATTR, bad[k], &ga,
					   sizeof(ga), 0));
	struct vfs_entry_out e;
	refused("LOOKUP under a forged parent",
		lookup(0xdeadbeefull, "hello.txt", &e));
	uint64_t fh;
	refused("OPEN a forged node", open_file(0x7777777ull, &fh));
	refused("READ a forged file handle", read_file(hello, 0xdeadbeefull,
						       64));
	refused("READ file handle ~0", read_file(hello, ~0ull, 64));
	struct vfs_link_in ln = {0x4242424242ull};
	refused("LINK from a forged node",
		vfs_call(&fs, VFS_OP_LINK, VFS_ROOT_ID, &ln, sizeof(ln),
			 "linked"));

	/* hello.txt was looked up once: forgetting it ends its node id */
	struct vfs_entry_out h2;
	rt_check("LOOKUP a node to forget",
		 (uint64_t)lookup(VFS_ROOT_ID, "hello.txt", &h2), 0);
	uint64_t id = h2.nodeid;
	forget(id, 2); /* good_session's lookup and this one */
	refused("GETATTR after FORGET",
		vfs_call(&fs, VFS_OP_GETATTR, id, &ga, sizeof(ga), 0));
	refused("FORGET of a forgotten node, then OPEN", open_file(id, &fh));
}

static void hostile_names(void)
{
	struct vfs_entry_out e;
	refused("LOOKUP 'sub/../hello.txt'",
		lookup(VFS_ROOT_ID, "sub/../hello.txt", &e));
	refused("LOOKUP '../secret.txt'", lookup(VFS_ROOT_ID, "../secret.txt", &e));
	refused("LOOKUP '/etc/passwd'", lookup(VFS_ROOT_ID, "/etc/passwd", &e));
	/* '..' at the root must stay at the root */
	int rc = lookup(VFS_ROOT_ID, "..", &e);
	int stays = rc < 0 || e.attr.ino == root_ino;
	rt_check_true("LOOKUP '..' at the root stays inside", stays);
	refusals += stays;
	if (rc == 0)
		forget(e.nodeid, 1);
	still_serving();

	static char longname[300];
	memset(longname, 'n', sizeof(longname) - 1);
	refused("LOOKUP a 299-byte name", lookup(VFS_ROOT_ID, longname, &e));
	struct vfs_mkdir_in md = {0755, 022};
	refused("MKDIR a 299-byte name",
		vfs_call(&fs, VFS_OP_MKDIR, VFS_ROOT_ID, &md, sizeof(md),
			 longname));
	refused("MKDIR 'a/b'", vfs_call(&fs, VFS_OP_MKDIR, VFS_ROOT_ID, &md,
					sizeof(md), "a/b"));
	struct vfs_create_in cr = {.flags = 01101, .mode = 0100644, .umask = 022};
	refused("CREATE '..'", vfs_call(&fs, VFS_OP_CREATE, VFS_ROOT_ID, &cr,
					sizeof(cr), ".."));
	refused("CREATE '../escaped'",
		vfs_call(&fs, VFS_OP_CREATE, VFS_ROOT_ID, &cr, sizeof(cr),
			 "../escaped"));
	struct vfs_mknod_in mk = {S_IFCHR | 0666, (1 << 8) | 3, 0, 0};
	refused("MKNOD a character device (/dev/null's numbers)",
		vfs_call(&fs, VFS_OP_MKNOD, VFS_ROOT_ID, &mk, sizeof(mk),
			 "null"));

	/* out -> ../secret.txt was made on the host: LOOKUP shows a symlink
	   (the guest resolves it, in its own tree); opening the node itself
	   must not follow it to the host file */
	rc = lookup(VFS_ROOT_ID, "out", &e);
	rt_check("LOOKUP the symlink 'out'", (uint64_t)rc, 0);
	rt_check("  is a symlink", e.attr.mode & S_IFMT, S_IFLNK);
	uint64_t fh;
	refused("OPEN the symlink node (no follow to the host)",
		open_file(e.nodeid, &fh));
	forget(e.nodeid, 1);

	/* rename out of the share */
	struct vfs_rename_in rn = {0x99999999ull};
	uint32_t len = vfs_build(&fs, VFS_OP_RENAME, VFS_ROOT_ID, &rn,
				 sizeof(rn), "hello.txt");
	memcpy(fs.out + len, "x", 2); /* the new name after the old one */
	((struct vfs_in_header *)fs.out)->len = len + 2;
	int sent = vfs_send(&fs, VIRTIO_FS_FIRST_REQUEST_QUEUE, len + 2,
			    VFS_BUF_BYTES);
	refused("RENAME into a forged directory",
		sent ? 1 : vfs_reply(&fs)->error);
	struct vfs_rename_in self = {VFS_ROOT_ID};
	len = vfs_build(&fs, VFS_OP_RENAME, VFS_ROOT_ID, &self, sizeof(self),
			"hello.txt");
	memcpy(fs.out + len, "../moved.txt", 13);
	((struct vfs_in_header *)fs.out)->len = len + 13;
	sent = vfs_send(&fs, VIRTIO_FS_FIRST_REQUEST_QUEUE, len + 13,
			VFS_BUF_BYTES);
	refused("RENAME to '../moved.txt'", sent ? 1 : vfs_reply(&fs)->error);
}

static void setuid_bit(void)
{
	struct vfs_entry_out e;
	rt_check("LOOKUP hello.txt again",
		 (uint64_t)lookup(VFS_ROOT_ID, "hello.txt", &e), 0);
	struct vfs_setattr_in sa = {.valid = VFS_FATTR_MODE,
				    .mode = 0100000 | S_ISUID | 0755};
	int rc = vfs_call(&fs, VFS_OP_SETATTR, e.nodeid, &sa, sizeof(sa), 0);
	const struct vfs_attr_out *ao = vfs_reply_body(&fs);
	int dropped = rc < 0 || !(ao->attr.mode & S_ISUID);
	rt_check_true("chmod u+s is refused or the bit dropped", dropped);
	refusals += dropped;
	forget(e.nodeid, 1);
	still_serving();
}

static void malformed_chains(void)
{
	struct vfs_getattr_in ga = {0};
	/* header len larger, then smaller, than the readable bytes */
	uint32_t len = vfs_build(&fs, VFS_OP_GETATTR, VFS_ROOT_ID, &ga,
				 sizeof(ga), 0);
	((struct vfs_in_header *)fs.out)->len = len + 100;
	int sent = vfs_send(&fs, VIRTIO_FS_FIRST_REQUEST_QUEUE, len,
			    VFS_BUF_BYTES);
	refused("header len > chain", sent ? 1 : vfs_reply(&fs)->error);
	len = vfs_build(&fs, VFS_OP_GETATTR, VFS_ROOT_ID, &ga, sizeof(ga), 0);
	((struct vfs_in_header *)fs.out)->len = len - 8;
	sent = vfs_send(&fs, VIRTIO_FS_FIRST_REQUEST_QUEUE, len, VFS_BUF_BYTES);
	refused("header len < chain", sent ? 1 : vfs_reply(&fs)->error);
	/* half a header */
	len = vfs_build(&fs, VFS_OP_GETATTR, VFS_ROOT_ID, 0, 0, 0);
	sent = vfs_send(&fs, VIRTIO_FS_FIRST_REQUEST_QUEUE, 20, VFS_BUF_BYTES);
	refused("a chain shorter than a header",
		sent ? 1 : vfs_reply(&fs)->error);
	/* GETATTR with no writable part: nowhere to answer */
	len = vfs_build(&fs, VFS_OP_GETATTR, VFS_ROOT_ID, &ga, sizeof(ga), 0);
	returned_empty("GETATTR with no writable part",
		       vfs_send(&fs, VIRTIO_FS_FIRST_REQUEST_QUEUE, len, 0));
	/* WRITE claiming more data than it carries */
	struct vfs_write_in wr = {.fh = 1, .offset = 0, .size = 65536};
	len = vfs_build(&fs, VFS_OP_WRITE, VFS_ROOT_ID, &wr, sizeof(wr), 0);
	((struct vfs_in_header *)fs.out)->len = len + 16; /* 16 bytes sent */
	sent = vfs_send(&fs, VIRTIO_FS_FIRST_REQUEST_QUEUE, len + 16,
			VFS_BUF_BYTES);
	refused("WRITE size beyond the request",
		sent ? 1 : vfs_reply(&fs)->error);
	/* a name without its NUL */
	len = vfs_build(&fs, VFS_OP_LOOKUP, VFS_ROOT_ID, "hello.txt", 9, 0);
	sent = vfs_send(&fs, VIRTIO_FS_FIRST_REQUEST_QUEUE, len, VFS_BUF_BYTES);
	refused("LOOKUP name without a NUL", sent ? 1 : vfs_reply(&fs)->error);
	/* BATCH_FORGET counting a million entries it does not carry */
	struct vfs_batch_forget_in bf = {1000000, 0};
	len = vfs_build(&fs, VFS_OP_BATCH_FORGET, 0, &bf, sizeof(bf), 0);
	returned_empty("BATCH_FORGET count beyond the request",
		       vfs_send(&fs, VIRTIO_FS_HIPRIO_QUEUE, len, 0));
	/* opcodes nobody serves */
	refused("opcode 999",
		vfs_call(&fs, 999, VFS_ROOT_ID, &ga, sizeof(ga), 0));
	refused("SETUPMAPPING (no DAX)",
		vfs_call(&fs, VFS_OP_SETUPMAPPING, VFS_ROOT_ID, &ga, sizeof(ga),
			 0));
	refused("NOTIFY_REPLY nobody asked for",
		vfs_call(&fs, VFS_OP_NOTIFY_REPLY, VFS_ROOT_ID, &ga, sizeof(ga),
			 0));
	struct vfs_interrupt_in it = {123456789};
	rt_check("INTERRUPT of nothing: EAGAIN",
		 (uint64_t)(int64_t)vfs_call(&fs, VFS_OP_INTERRUPT, 0, &it,
					     sizeof(it), 0),
		 (uint64_t)-11);
	still_serving();
}

/* 2000 FORGETs of made-up node ids, 16 chains per kick. */
static void forget_storm(void)
{
	struct virtqueue *vq = &fs.hiprio;
	unsigned done = 0;
	for (unsigned batch = 0; batch < 125; batch++) {
		for (unsigned k = 0; k < 16; k++) {
			struct {
				struct vfs_in_header h;
				struct vfs_forget_in f;
			} *m = (void *)(fs.out + 64 * k);
			m->h = (struct vfs_in_header){
				.len = sizeof(*m),
				.opcode = VFS_OP_FORGET,
				.unique = fs.next_unique++,
				.nodeid = 0x1000 + (uint64_t)(batch * 16 + k) * 7919};
			m->f.nlookup = 1;
			struct vq_buf b = {m, sizeof(*m), 0};
			if (vq_add(vq, &b, 1) < 0)
				rt_fail("FORGET storm: queue full");
		}
		vq_kick(vq);
		for (unsigned k = 0; k < 16; k++)
			done += vq_wait(vq, 0, VQ_TIMEOUT) >= 0;
		vmmio_ack_interrupt(&fs.dev);
	}
	rt_check("FORGET storm: chains returned", done, 2000);
	forget(VFS_ROOT_ID, 1000000); /* the root cannot be forgotten away */
	still_serving();
}

int main(void)
{
	if (vfs_init(&fs, 0))
		rt_fail("no virtio-fs device");
	printf("tag: %s, request queues: %u\n", fs.tag,
	       (unsigned)fs.num_request_queues);
	uint64_t hello = 0;
	good_session(&hello);
	forged_ids(hello);
	hostile_names();
	setuid_bit();
	malformed_chains();
	forget_storm();
	printf("refused attempts: %d\n", refusals);
	rt_check_true("at least 30 refused", refusals >= 30);
	return rt_summary();
}
