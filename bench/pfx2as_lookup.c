/* pfx2as_lookup.c - the prefix-to-AS table (telescope/pfx2as.h) timed on
 * its own, for bench/pfx2as.sh: pfx2as_lookup LOOKUPS FILE... loads the
 * files, then looks up LOOKUPS pseudo-random addresses, half IPv4 (any
 * address) and half IPv6 (in 2000::/4, where the announced space is), and
 * prints what it measured as key=value lines, in wall and in CPU time (the
 * bench machine is shared: CPU time is what the work costs). Peak RSS is
 * the caller's (GNU time). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "telescope/pfx2as.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: fast and good enough to spread probes over the space. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pfx2as_lookup LOOKUPS FILE...\n");
		return 2;
	}
	unsigned long lookups = strtoul(argv[1], NULL, 10);
	double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	pfx2as_t *t;
	struct bs_err err;
	if (pfx2as_load((const char *const *)argv + 2, (size_t)argc - 2, &t, &err) != 0) {
		fprintf(stderr, "pfx2as_lookup: %s\n", err.msg);
		return 1;
	}
	double load = clock_s(CLOCK_MONOTONIC) - t0;
	double load_cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	uint64_t seed = 88172645463325252ull, hits = 0;
	t0 = clock_s(CLOCK_MONOTONIC);
	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	for (unsigned long i = 0; i < lookups; i++) {
		bs_addr_t a;
		uint64_t r = next(&seed);
		if (i % 2 == 0) {
			bs_addr_from_v4(&a, (uint32_t)r);
		} else {
			uint8_t b[16];
			uint64_t r2 = next(&seed);
			for (int k = 0; k < 8; k++) {
				b[k] = (uint8_t)(r >> (8 * k));
				b[8 + k] = (uint8_t)(r2 >> (8 * k));
			}
			b[0] = (uint8_t)(0x20 | (b[0] & 0x0f));
			bs_addr_from_v6(&a, b);
		}
		hits += pfx2as_lookup(t, &a) != NULL;
	}
	double look = clock_s(CLOCK_MONOTONIC) - t0;
	double look_cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("prefixes_v4=%zu\nprefixes_v6=%zu\nload_s=%.3f\nload_cpu_s=%.3f\nlookups=%lu\n"
	       "hits=%llu\nlookups_per_s=%.0f\nlookups_per_cpu_s=%.0f\n",
	       pfx2as_count(t, BS_AF_INET), pfx2as_count(t, BS_AF_INET6), load, load_cpu, lookups,
	       (unsigned long long)hits, look > 0 ? (double)lookups / look : 0.0,
	       look_cpu > 0 ? (double)lookups / look_cpu : 0.0);
	pfx2as_free(t);
	return 0;
}
