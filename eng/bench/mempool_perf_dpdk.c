/*
 * DPDK side of eng/bench/ring-mempool-vs-dpdk.sh: times DPDK's own rte_mempool_generic_get/put with a per-lcore
 * cache of 512, one core, in the same loop shape and sizes as mempool_perf_autotest (cache=512 cores=1), because the
 * full autotest of 22.11.11 runs every core/cache/bulk/keep combination for 5 s each (about an hour).
 * Written for this project; prints the autotest's line format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <rte_eal.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_version.h>

#define OBJS_PER_ROUND 65536
#define MAX_KEEP 128
#define CACHE 512

static void *table[MAX_KEEP];

/* noinline + runtime sizes: as in the autotest, n is not a compile-time constant. */
static __attribute__((noinline)) int
keep_cycle(struct rte_mempool *mp, struct rte_mempool_cache *cache, unsigned keep, unsigned get_bulk, unsigned put_bulk)
{
	for (unsigned idx = 0; idx < keep; idx += get_bulk)
		if (rte_mempool_generic_get(mp, &table[idx], get_bulk, cache) < 0)
			return -1;
	for (unsigned idx = 0; idx < keep; idx += put_bulk)
		rte_mempool_generic_put(mp, &table[idx], put_bulk, cache);
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
	unsigned size = rte_lcore_count() * (MAX_KEEP + CACHE) - 1;
	struct rte_mempool *mp = rte_mempool_create("perf_cmp", size, 2048, CACHE, 0, NULL, NULL, NULL, NULL, SOCKET_ID_ANY, 0);
	if (mp == NULL) {
		fprintf(stderr, "rte_mempool_create failed\n");
		return 1;
	}
	struct rte_mempool_cache *cache = rte_mempool_default_cache(mp, rte_lcore_id());
	static const unsigned keeps[] = {32, 128}, bulks[] = {1, 4, 32};
	uint64_t hz = rte_get_timer_hz();
	printf("# DPDK %s, timer %.1f MHz, pool %u objects\n", rte_version(), hz / 1e6, size);
	for (unsigned k = 0; k < 2; k++)
		for (unsigned g = 0; g < 3; g++)
			for (unsigned p = 0; p < 3; p++) {
				unsigned keep = keeps[k], gb = bulks[g], pb = bulks[p];
				for (unsigned i = 0; i < OBJS_PER_ROUND / keep; i++)
					keep_cycle(mp, cache, keep, gb, pb);
				uint64_t count = 0, start = rte_get_timer_cycles(), now = start;
				while (now - start < (uint64_t)(seconds * hz)) {
					for (unsigned i = 0; i < OBJS_PER_ROUND / keep; i++)
						if (keep_cycle(mp, cache, keep, gb, pb) < 0) {
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
