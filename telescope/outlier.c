/* outlier.c - the first genuine time of a file (see outlier.h). */
#include "telescope/outlier.h"

bool outlier_first_kept(const uint64_t *ts, size_t n, uint64_t *first_us)
{
	struct outlier_lookahead la;
	unsigned slot;
	outlier_init(&la);
	for (size_t i = 0; i <= n; i++) {
		const uint64_t *arriving_us = i < n ? &ts[i] : NULL;
		enum outlier_decision d;
		while ((d = outlier_settle(&la, arriving_us, &slot)) != OUTLIER_WAIT) {
			if (d == OUTLIER_ACCEPT) {
				*first_us = la.accepted_us;
				return true;
			}
		}
		if (arriving_us != NULL)
			outlier_push(&la, *arriving_us);
	}
	return false;
}
