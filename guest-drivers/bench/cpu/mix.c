/*
 * CPU benchmark: a mixed "typical program" workload in the spirit of the
 * classic synthetic benchmarks (our own code): record copies through
 * pointers, short string copies and compares, a switch on an enum, calls
 * through a function table, integer divide, and 2-D array updates.
 */
#include "bench.h"

#define ITERS BENCH_SCALE(6000000L, 300000L)
#define NREC 16

enum color { RED, GREEN, BLUE, GREY };

struct record {
	struct record *link;
	enum color color;
	int32_t id, score;
	char name[20];
};

static struct record recs[NREC];
static int32_t grid[8][8];
static const char *const names[4] = {
	"ALPHA RECORD NAME", "BRAVO RECORD NAME", "ALPHA RECORD NAMF", "DELTA ENTRY",
};

static __attribute__((noinline)) void str_copy(char *d, const char *s)
{
	while ((*d++ = *s++))
		;
}

static __attribute__((noinline)) int str_cmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

static int32_t op_add(int32_t a, int32_t b) { return a + b; }
static int32_t op_scale(int32_t a, int32_t b) { return a * 3 - b; }
static int32_t op_mod(int32_t a, int32_t b) { return a % (b | 1); }
static int32_t (*const ops[3])(int32_t, int32_t) = { op_add, op_scale, op_mod };

static __attribute__((noinline)) enum color next_color(enum color c, int32_t v)
{
	switch (c) {
	case RED:
		return v & 1 ? GREEN : BLUE;
	case GREEN:
		return v > 100 ? GREY : RED;
	case BLUE:
		return (v & 6) == 6 ? RED : GREY;
	default:
		return (enum color)((v >> 3) & 3);
	}
}

static __attribute__((noinline)) void step(struct record *a, struct record *b, long i)
{
	struct record tmp = *a; /* structure assignment */
	int32_t v = ops[i % 3](tmp.score, b->id);
	tmp.score = v / 7 + (v % 13);
	tmp.color = next_color(tmp.color, tmp.score);
	if (str_cmp(tmp.name, b->name) < 0)
		str_copy(tmp.name, names[(i >> 2) & 3]);
	else
		tmp.name[0] = (char)('A' + (i & 15));
	grid[tmp.id & 7][(i >> 3) & 7] += tmp.score & 0xff;
	grid[(i >> 6) & 7][b->id & 7] ^= (int32_t)tmp.color;
	*b->link = tmp;
	b->link->link = &recs[(tmp.id + 1) % NREC];
}

int main(void)
{
	for (int k = 0; k < NREC; k++) {
		recs[k].link = &recs[(k * 5 + 3) % NREC];
		recs[k].color = (enum color)(k & 3);
		recs[k].id = k;
		recs[k].score = k * 37 - 100;
		str_copy(recs[k].name, names[k & 3]);
	}

	uint64_t t0 = bench_instret();
	for (long i = 0; i < ITERS; i++)
		step(&recs[i % NREC], &recs[(i * 7 + 3) % NREC], i);
	uint64_t t1 = bench_instret();

	uint64_t sum = 0;
	for (int k = 0; k < NREC; k++) {
		sum = sum * 131 + (uint32_t)recs[k].score + recs[k].color;
		for (const char *p = recs[k].name; *p; p++)
			sum = sum * 31 + (unsigned char)*p;
	}
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++)
			sum = sum * 17 + (uint32_t)grid[i][j];
	bench_report("mix", sum, t1 - t0);
	return 0;
}
