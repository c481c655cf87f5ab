/* outdir.h - the output directory of collect and merge, as INTERFACE.md
 * defines it: attacks.csv, timeseries.csv and summary.json, and the edge
 * flows that let merge join pieces exactly (flows.state), written
 * together.
 *
 * This is the one place that names the three files and writes them: each
 * is written into a staging directory (transaction.h) and the three are
 * renamed into place only when all are complete, so a full disk or a kill
 * never leaves a new attacks.csv next to an old summary.json. collect and
 * merge hand over the same three things (the attack list, the time series
 * of packets, the summary); the attacks are counted into the time series
 * here, from the final list, so both count them alike. */
#ifndef OUTDIR_OUTDIR_H
#define OUTDIR_OUTDIR_H

#include "base/bs_error.h"
#include "outdir/attack_list.h"
#include "outdir/flowstate.h"
#include "outdir/names.h"
#include "outdir/pcapng.h"
#include "outdir/summary.h"
#include "outdir/tseries.h"

/** Creates dir and its missing parents, like `mkdir -p` (mode 0777 less
 * the umask). An existing directory is fine. 0, -BS_ENOMEM, or -BS_EIO
 * with err saying "DIR: reason" (ENOTDIR when dir or a parent is not a
 * directory, EACCES...). */
int outdir_make_dir(const char *dir, struct bs_err *err);

/** The edge flows of a result (flowstate.h), for flows.state. */
struct outdir_state {
	const flowstate_writer_t *flows;
	struct flowstate_header header;
};

/** The prefix view of a result (collect --prefix-view, attack.h), for
 * prefix_attacks.csv: its attacks (sorted when written) and lengths. */
struct outdir_prefix {
	attack_list_t *attacks;
	const struct attack_prefix_view *view;
};

/** Writes attacks.csv, timeseries.csv and summary.json, flows.state
 * when state is not NULL, prefix_attacks.csv when prefix is not NULL
 * (its victim_attacks counted from attacks) and evidence.pcapng when
 * evidence is not NULL, into dir (which
 * must exist) and renames them into place together. attacks is sorted into
 * attacks.csv order and its attacks are added to ts (which holds the
 * packets); the IPv4 size of summary->telescope is the n of
 * est_attack_pps. All three are borrowed. 0, or a negative BS_E* with err
 * naming the file that failed (-BS_EIO with errno's text, -BS_ERANGE for a
 * time past year 9999, -BS_ENOMEM); on error no file of dir is replaced.
 * Without state (prefix, evidence), a flows.state (prefix_attacks.csv,
 * evidence.pcapng) left in dir by an earlier run is removed after the
 * others are in place: it belongs to results no longer there. */
int outdir_write(const char *dir, attack_list_t *attacks, tseries_t *ts,
                 const struct summary *summary, const struct outdir_state *state,
                 const struct outdir_prefix *prefix, const pcapng_t *evidence, struct bs_err *err);

/** Removes the files outdir_write() writes from dir, then dir itself if
 * that leaves it empty (a scratch directory). Errors are ignored: what is
 * left is what could not be removed. */
void outdir_discard(const char *dir);

#endif
