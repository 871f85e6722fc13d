/*
 * hostfs tables: node ids and file handles the client may name. Both are
 * (generation << 32 | slot) into arrays hostfs owns, so a forged, stale or
 * random number finds no entry instead of becoming a host pointer. Inodes
 * are deduplicated by (st_dev, st_ino) and freed only when the client has
 * forgotten them AND no in-flight op or open handle still holds them.
 */
#define _GNU_SOURCE /* O_PATH, AT_EMPTY_PATH, renameat2 */
#include "hostfs_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define ROOT_SLOT 1u
#define MAX_SLOTS (1u << 30)

static uint64_t make_id(uint32_t slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | slot;
}

static uint32_t next_gen(uint32_t gen)
{
	/* Generation 0 is the root's; every other slot lives at >= 1. */
	return gen + 1 ? gen + 1 : 1;
}

static uint32_t bucket_of(const struct hostfs_inode_table *t, dev_t dev,
			  ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev;
	return (uint32_t)(h ^ h >> 29) & (t->capacity - 1);
}

static void hash_insert(struct hostfs_inode_table *t, struct hostfs_inode *in)
{
	uint32_t b = bucket_of(t, in->dev, in->ino);
	in->hash_next = t->buckets[b];
	t->buckets[b] = in->slot;
}

static void hash_remove(struct hostfs_inode_table *t, struct hostfs_inode *in)
{
	uint32_t *link = &t->buckets[bucket_of(t, in->dev, in->ino)];
	while (*link && *link != in->slot)
		link = &t->slots[*link]->hash_next;
	if (*link)
		*link = in->hash_next;
}

static struct hostfs_inode *hash_find(const struct hostfs_inode_table *t,
				      dev_t dev, ino_t ino)
{
	for (uint32_t s = t->buckets[bucket_of(t, dev, ino)]; s;
	     s = t->slots[s]->hash_next) {
		struct hostfs_inode *in = t->slots[s];
		if (in->dev == dev && in->ino == ino)
			return in;
	}
	return NULL;
}

/* Doubles the inode arrays (capacity stays a power of two) and rehashes. */
static int inodes_grow(struct hostfs_inode_table *t)
{
	uint32_t cap = t->capacity ? t->capacity * 2 : 64;
	if (cap > MAX_SLOTS)
		return ENFILE;
	struct hostfs_inode **slots = realloc(t->slots, cap * sizeof(*slots));
	if (!slots)
		return ENOMEM;
	t->slots = slots;
	uint32_t *free_slots = realloc(t->free_slots, cap * sizeof(uint32_t));
	if (!free_slots)
		return ENOMEM;
	t->free_slots = free_slots;
	uint32_t *buckets = calloc(cap, sizeof(uint32_t));
	if (!buckets)
		return ENOMEM;
	free(t->buckets);
	t->buckets = buckets;
	t->capacity = cap;
	for (uint32_t s = ROOT_SLOT; s < t->nslots; s++)
		if (t->slots[s]->live)
			hash_insert(t, t->slots[s]);
	return 0;
}

int hostfs_inodes_init(struct hostfs_inode_table *t, int root_fd,
		       const struct stat *st)
{
	*t = (struct hostfs_inode_table){0};
	pthread_mutex_init(&t->lock, NULL);
	if (inodes_grow(t))
		return ENOMEM;
	struct hostfs_inode *root = calloc(1, sizeof(*root));
	if (!root)
		return ENOMEM;
	*root = (struct hostfs_inode){
		.fd = root_fd,
		.dev = st->st_dev,
		.ino = st->st_ino,
		.type = st->st_mode & S_IFMT,
		.slot = ROOT_SLOT,
		.gen = 0,
		.nlookup = 1,
		.refs = 1, /* never freed while hostfs lives */
		.live = true,
	};
	t->slots[0] = NULL;
	t->slots[ROOT_SLOT] = root;
	t->nslots = ROOT_SLOT + 1;
	hash_insert(t, root);
	return 0;
}

void hostfs_inodes_destroy(struct hostfs_inode_table *t)
{
	for (uint32_t s = ROOT_SLOT; s < t->nslots; s++) {
		if (t->slots[s]->live)
			close(t->slots[s]->fd);
		free(t->slots[s]);
	}
	free(t->slots);
	free(t->free_slots);
	free(t->buckets);
	pthread_mutex_destroy(&t->lock);
}

fuse_ino_t hostfs_inode_id(const struct hostfs_inode *in)
{
	return make_id(in->slot, in->gen);
}

/* Caller holds the lock. */
static struct hostfs_inode *inode_by_id(struct hostfs_inode_table *t,
					fuse_ino_t id)
{
	uint32_t slot = (uint32_t)id, gen = (uint32_t)(id >> 32);
	if (slot < ROOT_SLOT || slot >= t->nslots)
		return NULL;
	struct hostfs_inode *in = t->slots[slot];
	if (!in->live || in->gen != gen)
		return NULL;
	return in;
}

struct hostfs_inode *hostfs_inode_get(struct hostfs *fs, fuse_ino_t id)
{
	struct hostfs_inode_table *t = &fs->inodes;
	pthread_mutex_lock(&t->lock);
	struct hostfs_inode *in = inode_by_id(t, id);
	if (in)
		in->refs++;
	pthread_mutex_unlock(&t->lock);
	return in;
}

/* Takes one of the fs's fd budget; false when it is spent. */
static bool hold_fd(struct hostfs *fs)
{
	if (atomic_fetch_add(&fs->budget->held, 1) < fs->budget->max)
		return true;
	atomic_fetch_sub(&fs->budget->held, 1);
	return false;
}

/* Caller holds the inode table's lock. */
static void release_if_unused(struct hostfs *fs, struct hostfs_inode *in)
{
	struct hostfs_inode_table *t = &fs->inodes;
	if (in->refs || in->nlookup || !in->live)
		return;
	hash_remove(t, in);
	close(in->fd);
	atomic_fetch_sub(&fs->budget->held, 1);
	in->fd = -1;
	in->live = false;
	in->gen = next_gen(in->gen);
	t->free_slots[t->nfree++] = in->slot;
}

void hostfs_inode_put(struct hostfs *fs, struct hostfs_inode *in)
{
	struct hostfs_inode_table *t = &fs->inodes;
	pthread_mutex_lock(&t->lock);
	if (in->refs)
		in->refs--;
	release_if_unused(fs, in);
	pthread_mutex_unlock(&t->lock);
}

/* Caller holds the lock. A fresh slot, or NULL when full. */
static struct hostfs_inode *inode_alloc(struct hostfs_inode_table *t)
{
	if (t->nfree)
		return t->slots[t->free_slots[--t->nfree]];
	if (t->nslots == t->capacity && inodes_grow(t))
		return NULL;
	struct hostfs_inode *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->slot = t->nslots;
	in->gen = 1;
	in->fd = -1;
	t->slots[t->nslots++] = in;
	return in;
}

int hostfs_inode_lookup_fd(struct hostfs *fs, int fd, const struct stat *st,
			   fuse_ino_t *id, uint64_t *generation)
{
	struct hostfs_inode_table *t = &fs->inodes;
	pthread_mutex_lock(&t->lock);
	struct hostfs_inode *in = hash_find(t, st->st_dev, st->st_ino);
	if (in) {
		close(fd);
	} else {
		if (!hold_fd(fs)) {
			pthread_mutex_unlock(&t->lock);
			close(fd);
			return ENFILE;
		}
		in = inode_alloc(t);
		if (!in) {
			atomic_fetch_sub(&fs->budget->held, 1);
			pthread_mutex_unlock(&t->lock);
			close(fd);
			return ENOMEM;
		}
		in->fd = fd;
		in->dev = st->st_dev;
		in->ino = st->st_ino;
		in->type = st->st_mode & S_IFMT;
		in->nlookup = 0;
		in->refs = 0;
		in->live = true;
		hash_insert(t, in);
	}
	in->nlookup++;
	*id = hostfs_inode_id(in);
	*generation = in->gen;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

bool hostfs_inode_lookup_known(struct hostfs *fs, const struct stat *st,
			       fuse_ino_t *id, uint64_t *generation)
{
	struct hostfs_inode_table *t = &fs->inodes;
	pthread_mutex_lock(&t->lock);
	struct hostfs_inode *in = hash_find(t, st->st_dev, st->st_ino);
	if (in) {
		in->nlookup++;
		*id = hostfs_inode_id(in);
		*generation = in->gen;
	}
	pthread_mutex_unlock(&t->lock);
	return in != NULL;
}

void hostfs_inode_forget(struct hostfs *fs, fuse_ino_t id, uint64_t n)
{
	struct hostfs_inode_table *t = &fs->inodes;
	pthread_mutex_lock(&t->lock);
	struct hostfs_inode *in = inode_by_id(t, id);
	/* The root is never forgotten; a count larger than the client's
	   lookups only brings it to zero. */
	if (in && in->slot != ROOT_SLOT) {
		in->nlookup = n >= in->nlookup ? 0 : in->nlookup - n;
		release_if_unused(fs, in);
	}
	pthread_mutex_unlock(&t->lock);
}

int hostfs_handles_init(struct hostfs_handle_table *t)
{
	*t = (struct hostfs_handle_table){0};
	pthread_mutex_init(&t->lock, NULL);
	t->nslots = 1; /* fh 0 is never valid */
	return 0;
}

static void handle_free_resources(struct hostfs_handle *h)
{
	if (h->dir)
		closedir(h->dir);
	else if (h->fd >= 0)
		close(h->fd);
	h->dir = NULL;
	h->fd = -1;
}

void hostfs_handles_destroy(struct hostfs *fs)
{
	struct hostfs_handle_table *t = &fs->handles;
	for (uint32_t s = 1; s < t->nslots; s++) {
		struct hostfs_handle *h = t->slots[s];
		if (h->live || h->refs) {
			handle_free_resources(h);
			hostfs_inode_put(fs, h->inode);
		}
		pthread_mutex_destroy(&h->dir_lock);
		free(h);
	}
	free(t->slots);
	free(t->free_slots);
	pthread_mutex_destroy(&t->lock);
}

/* Caller holds the lock. */
static struct hostfs_handle *handle_alloc(struct hostfs_handle_table *t)
{
	if (t->nfree)
		return t->slots[t->free_slots[--t->nfree]];
	if (t->nslots >= t->capacity) {
		uint32_t cap = t->capacity ? t->capacity * 2 : 64;
		if (cap > MAX_SLOTS)
			return NULL;
		struct hostfs_handle **slots =
			realloc(t->slots, cap * sizeof(*slots));
		if (!slots)
			return NULL;
		t->slots = slots;
		uint32_t *free_slots =
			realloc(t->free_slots, cap * sizeof(uint32_t));
		if (!free_slots)
			return NULL;
		t->free_slots = free_slots;
		t->capacity = cap;
	}
	struct hostfs_handle *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	pthread_mutex_init(&h->dir_lock, NULL);
	h->slot = t->nslots;
	h->gen = 1;
	h->fd = -1;
	t->slots[t->nslots++] = h;
	return h;
}

int hostfs_handle_new(struct hostfs *fs, struct hostfs_inode *in, int fd,
		      DIR *dir, bool may_have_priv, uint64_t *fh)
{
	/* The handle's reference on the inode exists before the fh does: a
	   client guessing the fh and releasing it at once must find it. */
	pthread_mutex_lock(&fs->inodes.lock);
	in->refs++;
	pthread_mutex_unlock(&fs->inodes.lock);

	if (!hold_fd(fs)) {
		hostfs_inode_put(fs, in);
		return ENFILE;
	}
	struct hostfs_handle_table *t = &fs->handles;
	pthread_mutex_lock(&t->lock);
	struct hostfs_handle *h = handle_alloc(t);
	if (!h) {
		pthread_mutex_unlock(&t->lock);
		atomic_fetch_sub(&fs->budget->held, 1);
		hostfs_inode_put(fs, in);
		return ENOMEM;
	}
	h->fd = dir ? dirfd(dir) : fd;
	h->dir = dir;
	h->is_dir = dir != NULL;
	h->may_have_priv = may_have_priv;
	h->dir_pos = 0;
	h->inode = in;
	h->refs = 1; /* the table's own, dropped at RELEASE */
	h->live = true;
	*fh = make_id(h->slot, h->gen);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* Caller holds the lock. */
static struct hostfs_handle *handle_by_fh(struct hostfs_handle_table *t,
					  uint64_t fh, bool is_dir)
{
	uint32_t slot = (uint32_t)fh, gen = (uint32_t)(fh >> 32);
	if (slot < 1 || slot >= t->nslots)
		return NULL;
	struct hostfs_handle *h = t->slots[slot];
	if (!h->live || h->gen != gen || h->is_dir != is_dir)
		return NULL;
	return h;
}

struct hostfs_handle *hostfs_handle_get(struct hostfs *fs, uint64_t fh,
					bool is_dir)
{
	struct hostfs_handle_table *t = &fs->handles;
	pthread_mutex_lock(&t->lock);
	struct hostfs_handle *h = handle_by_fh(t, fh, is_dir);
	if (h)
		h->refs++;
	pthread_mutex_unlock(&t->lock);
	return h;
}

void hostfs_handle_put(struct hostfs *fs, struct hostfs_handle *h)
{
	struct hostfs_handle_table *t = &fs->handles;
	struct hostfs_inode *in = NULL;
	pthread_mutex_lock(&t->lock);
	if (--h->refs == 0) {
		handle_free_resources(h);
		atomic_fetch_sub(&fs->budget->held, 1);
		in = h->inode;
		h->inode = NULL;
		h->gen = next_gen(h->gen);
		t->free_slots[t->nfree++] = h->slot;
	}
	pthread_mutex_unlock(&t->lock);
	if (in)
		hostfs_inode_put(fs, in);
}

int hostfs_handle_close(struct hostfs *fs, uint64_t fh, bool is_dir)
{
	struct hostfs_handle_table *t = &fs->handles;
	pthread_mutex_lock(&t->lock);
	struct hostfs_handle *h = handle_by_fh(t, fh, is_dir);
	if (h)
		h->live = false;
	pthread_mutex_unlock(&t->lock);
	if (!h)
		return EBADF;
	hostfs_handle_put(fs, h);
	return 0;
}

void hostfs_forget_client(struct hostfs *fs)
{
	struct hostfs_handle_table *t = &fs->handles;
	struct hostfs_inode **drop = NULL;
	size_t ndrop = 0;
	pthread_mutex_lock(&t->lock);
	drop = calloc(t->nslots, sizeof(*drop));
	for (uint32_t s = 1; drop && s < t->nslots; s++) {
		struct hostfs_handle *h = t->slots[s];
		if (!h->live)
			continue;
		/* As RELEASE would; an op still using it frees it. */
		h->live = false;
		if (--h->refs == 0) {
			handle_free_resources(h);
			atomic_fetch_sub(&fs->budget->held, 1);
			drop[ndrop++] = h->inode;
			h->inode = NULL;
			h->gen = next_gen(h->gen);
			t->free_slots[t->nfree++] = h->slot;
		}
	}
	pthread_mutex_unlock(&t->lock);
	for (size_t i = 0; i < ndrop; i++)
		hostfs_inode_put(fs, drop[i]);
	free(drop);

	struct hostfs_inode_table *it = &fs->inodes;
	pthread_mutex_lock(&it->lock);
	for (uint32_t s = ROOT_SLOT + 1; s < it->nslots; s++) {
		struct hostfs_inode *in = it->slots[s];
		if (in->live) {
			in->nlookup = 0;
			release_if_unused(fs, in);
		}
	}
	pthread_mutex_unlock(&it->lock);
}
