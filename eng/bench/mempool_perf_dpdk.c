/*
 * DPDK side of eng/bench/ring-mempool-vs-dpdk.sh: times DPDK 22.11's own rte_mempool_generic_get/put in the shape of
 * mempool_perf_autotest's "cache=512 cores=1 constant_n=0" cases (22.11.11: keep 32/128/512, bulks 1/4/8/32, pool
 * of 2 x (512 + 512) - 1 objects of 2048 B, rounds of 65536 objects, table on the stack and cache-aligned, n not a
 * compile-time constant). The full autotest runs every core/cache/bulk/keep combination for 5 s (about an hour),
 * which rules out repeated rounds; this driver runs the same cases for a chosen time each.
 * Written for this project (not copied from DPDK); prints the autotest's line format.
 * Usage: mempool_perf_dpdk <EAL args> -- <seconds per case>
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_version.h>

#define OBJS_PER_ROUND 65536
#define MAX_KEEP 512
#define CACHE 512
#define POOL_SIZE (2 * (MAX_KEEP + CACHE) - 1)

/* One round: OBJS_PER_ROUND / keep cycles of get keep objects by get_bulk, put them back by put_bulk. */
static __attribute__((noinline)) int
round_of(struct rte_mempool *mp, struct rte_mempool_cache *cache, unsigned keep, unsigned get_bulk, unsigned put_bulk)
{
	void *table[MAX_KEEP] __rte_cache_aligned;
	static int shown;

	/* Where the table lies against the cache slots decides 4K aliasing; ours is placed the same (see the script). */
	if (!shown++)
		printf("# layout: (table - cache slots) mod 4096 = %u\n",
		       (unsigned)(((uintptr_t)table - (uintptr_t)cache->objs) & 4095));

	for (unsigned i = 0; i < OBJS_PER_ROUND / keep; i++) {
		for (unsigned idx = 0; idx < keep; idx += get_bulk)
			if (unlikely(rte_mempool_generic_get(mp, &table[idx], get_bulk, cache) < 0))
				return -1;
		for (unsigned idx = 0; idx < keep; idx += put_bulk)
			rte_mempool_generic_put(mp, &table[idx], put_bulk, cache);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	argc -= used;
	argv += used;
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	struct rte_mempool *mp = rte_mempool_create("perf_test_cache", POOL_SIZE, 2048, CACHE, 0,
						    NULL, NULL, NULL, NULL, SOCKET_ID_ANY, 0);
	if (mp == NULL) {
		fprintf(stderr, "rte_mempool_create failed\n");
		return 1;
	}
	struct rte_mempool_cache *cache = rte_mempool_default_cache(mp, rte_lcore_id());
	/* volatile: the sizes reach the loop as run-time values, as in the autotest (constant_n=0) */
	static const volatile unsigned keeps[] = {32, 128, 512}, bulks[] = {1, 4, 8, 32};
	uint64_t hz = rte_get_timer_hz();
	printf("# DPDK %s, timer %.1f MHz, pool %u objects, lcore %u\n", rte_version(), hz / 1e6, POOL_SIZE, rte_lcore_id());
	for (unsigned g = 0; g < 4; g++)
		for (unsigned p = 0; p < 4; p++)
			for (unsigned k = 0; k < 3; k++)
				if (round_of(mp, cache, keeps[k], bulks[g], bulks[p]) < 0)
					return 1;
	for (unsigned g = 0; g < 4; g++)
		for (unsigned p = 0; p < 4; p++)
			for (unsigned k = 0; k < 3; k++) {
				unsigned keep = keeps[k], gb = bulks[g], pb = bulks[p];
				uint64_t count = 0, start = rte_get_timer_cycles(), now = start;
				while (now - start < (uint64_t)(seconds * hz)) {
					if (round_of(mp, cache, keep, gb, pb) < 0) {
						fprintf(stderr, "pool exhausted\n");
						return 1;
					}
					count += OBJS_PER_ROUND;
					now = rte_get_timer_cycles();
				}
				printf("MEMPOOL cache=%u cores=1 n_get_bulk=%u n_put_bulk=%u n_keep=%u rate_persec=%.0f\n",
				       CACHE, gb, pb, keep, count / ((double)(now - start) / hz));
			}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
