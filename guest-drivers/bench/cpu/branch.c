/*
 * CPU benchmark: branch-heavy code. Quicksort of pseudo-random keys (data-
 * dependent compares) and a byte-driven tokenizer state machine (a switch
 * per input byte).
 */
#include "bench.h"

#define NKEYS 8192
#define ROUNDS BENCH_SCALE(400, 20)
#define TEXT 65536

static uint32_t keys[NKEYS];
static uint8_t text[TEXT];

static void quicksort(uint32_t *a, long lo, long hi)
{
	while (lo < hi) {
		uint32_t pivot = a[lo + (hi - lo) / 2];
		long i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				uint32_t t = a[i];
				a[i++] = a[j];
				a[j--] = t;
			}
		}
		/* recurse into the smaller half to bound the stack */
		if (j - lo < hi - i) {
			quicksort(a, lo, j);
			lo = i;
		} else {
			quicksort(a, i, hi);
			hi = j;
		}
	}
}

enum tok_state { S_SPACE, S_WORD, S_NUMBER, S_PUNCT, S_QUOTE };

/* Counts words, numbers, punctuation runs and quoted strings. */
static uint64_t tokenize(const uint8_t *s, long n)
{
	enum tok_state st = S_SPACE;
	uint64_t words = 0, numbers = 0, puncts = 0, quotes = 0, value = 0;
	for (long i = 0; i < n; i++) {
		uint8_t c = s[i];
		int alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
		int digit = c >= '0' && c <= '9';
		switch (st) {
		case S_QUOTE:
			if (c == '"')
				st = S_SPACE;
			continue;
		case S_NUMBER:
			if (digit) {
				value = value * 10 + (c - '0');
				continue;
			}
			break;
		case S_WORD:
			if (alpha || digit)
				continue;
			break;
		case S_PUNCT:
			if (!alpha && !digit && c != ' ' && c != '"')
				continue;
			break;
		case S_SPACE:
			break;
		}
		if (c == '"') {
			st = S_QUOTE;
			quotes++;
		} else if (alpha) {
			st = S_WORD;
			words++;
		} else if (digit) {
			st = S_NUMBER;
			numbers++;
			value = value * 10 + (c - '0');
		} else if (c == ' ') {
			st = S_SPACE;
		} else {
			st = S_PUNCT;
			puncts++;
		}
	}
	return words | numbers << 16 | puncts << 32 | quotes << 48 | (value & 0xff) << 56;
}

static const char alphabet[] = "etaoinshrdlu  ETAOIN   0123456789 .,;:-+*/() \"";

int main(void)
{
	uint64_t rng = 0x243f6a8885a308d3UL, sum = 0;
	for (long i = 0; i < TEXT; i++)
		text[i] = (uint8_t)alphabet[bench_rand(&rng) % (sizeof(alphabet) - 1)];

	uint64_t t0 = bench_instret();
	for (int r = 0; r < ROUNDS; r++) {
		for (long i = 0; i < NKEYS; i++)
			keys[i] = (uint32_t)bench_rand(&rng);
		quicksort(keys, 0, NKEYS - 1);
		for (long i = 1; i < NKEYS; i++)
			if (keys[i - 1] > keys[i])
				sum += 1UL << 63; /* unsorted: poisons the checksum */
		sum = sum * 31 + keys[r % NKEYS] + keys[NKEYS / 2];
		text[r % TEXT] = (uint8_t)alphabet[r % (sizeof(alphabet) - 1)];
		sum ^= tokenize(text, TEXT);
	}
	uint64_t t1 = bench_instret();
	bench_report("branch", sum, t1 - t0);
	return 0;
}
