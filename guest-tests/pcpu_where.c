/* Which pCPU runs this guest (HC_WHERE, docs/guest-abi.md): an index among the pCPUs online, printed
 * for scripts/check-pcpus.sh. The suite runs it twice (pcpu_where_again); on 2 pCPUs the two start
 * together, and the 200 ms wait keeps each on its pCPU while the other asks, so they must name
 * different pCPUs. */
#include "guest.h"
#include "tsc.h"

void test_main(void)
{
	if (!require_microhv("where_index_below_online"))
		return;
	u64 online = 0;
	s64 pcpu = hc_where(&online);
	CHECK(online >= 1 && pcpu >= 0 && (u64)pcpu < online, "where_index_below_online");
	tap_diag("vCPU 0 on pCPU %lld of %llu", pcpu, online);
	tsc_delay_us(200000);
}
