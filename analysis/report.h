/* report.h - the numbers of `backscatter report`: one or many collect
 * output directories read back and summed up into the tables a reader of
 * Moore et al. expects (issue 3, INTERFACE.md).
 *
 * The model is separate from rendering (render.h) so every number can be
 * tested without gnuplot or file output. Its rules:
 * - Many directories are one period. Pieces of one capture (hourly
 *   shards, nights) are joined by merge first (report_add_joined()), so an
 *   attack across them counts once. Otherwise an attack seen in two
 *   directories (same victim, protocol and start time: shards that
 *   overlap) counts once; the copy with more packets is kept (the shard
 *   that saw more).
 * - --since/--until select attacks by start time and time-series bins by
 *   bin start, in [since, until).
 * - Coverage: each directory covers its run's packet time range
 *   (summary.json time_range, widened to its attacks and bins). A UTC day
 *   or hour no directory covers is a gap ("no data"), never a zero.
 * - Time-series bins present in several directories with the same bounds
 *   (overlapping shards) are merged by taking each column's maximum, so
 *   packets seen twice are not counted twice.
 * Per attack the model keeps 64 bytes (victims and strings are interned
 * into tables); a year of nights, 10^6 attacks on 5 x 10^5 victims, needs
 * about 140 MB at the peak of report_finish() (130 MB measured with the
 * 56-byte record before top_port was kept, plus 8 MB) and takes a few
 * seconds. Grouping multi-vector attacks takes 38 bytes per attack more
 * for a moment, freed before the other tables' scratch is allocated. */
#ifndef ANALYSIS_REPORT_H
#define ANALYSIS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bs_error.h"
#include "telescope/addr.h"
#include "telescope/event.h"

/** Default length of the top-N tables (--top). */
#define REPORT_DEFAULT_TOP 10
/** Longest period a report covers, in days: about ten years of nights.
 * Per-hour tables are arrays over the period; a longer one comes from a
 * broken clock (a 1970 timestamp), not from a telescope. */
#define REPORT_MAX_SPAN_DAYS 3660u
/** Most points of a CDF curve: finer than a 900 pixel wide plot can show,
 * so 10^6 attacks still give a small data file. */
#define REPORT_CDF_MAX_POINTS 1000u
/** until_us meaning "no upper bound". */
#define REPORT_NO_UNTIL UINT64_MAX

typedef struct report report_t;

/** Empty report over the window [since_us, until_us) (microseconds since the
 * epoch; 0 and REPORT_NO_UNTIL for no bound) with top-N tables of top_n
 * rows (>= 1). NULL on allocation failure or when since_us >= until_us or
 * top_n is 0. Free with report_free(). */
report_t *report_create(uint64_t since_us, uint64_t until_us, uint32_t top_n);

/** Safe on NULL. */
void report_free(report_t *r);

/** Reads one collect output directory: DIR/summary.json, DIR/attacks.csv and
 * DIR/timeseries.csv, and DIR/prefix_attacks.csv when there is one (collect
 * --prefix-view) (dir is borrowed, copied). Must come before
 * report_finish(). 0; -BS_EIO (errno's text) when a file cannot be opened
 * or read; -BS_EFORMAT when one is malformed (summary.json by the rules of
 * summary_read()); -BS_ENOMEM; -BS_EINVAL after report_finish(). On error
 * err says in one line which file and what (-BS_ENOMEM and -BS_EINVAL may
 * come without a message), and the directory contributes nothing. err is
 * cleared on success and may be NULL. */
int report_add_dir(report_t *r, const char *dir, struct bs_err *err);

/** Reads directories dirs[0..n) (borrowed, copied) as one period whose
 * attacks and time series are those of joined, the output directory
 * `merge` wrote from them: each directory gives its summary.json (its
 * coverage, in whole time-series bins, its warnings, its place in the
 * list), joined gives every row and bin, so an attack across directories
 * counts once, as one collect over all their inputs counts it. A
 * directory's rows and bins are the joined ones that start in its time
 * range. The prefix view's rows are joined's prefix_attacks.csv when
 * merge wrote one (every directory had the view), else each directory's
 * own, as report_add_dir() reads them. Errors as report_add_dir(); after
 * one nothing of the call stays. */
int report_add_joined(report_t *r, const char *const *dirs, size_t n, const char *joined,
                      struct bs_err *err);

/** Where report_add_pieces() merges, and what it tells. */
struct report_pieces {
	const char *scratch_parent; /* existing directory for the scratch merge
	                               (a hidden .backscatter-report-XXXXXX, removed
	                               before returning) */
	const char *command_line;   /* for the scratch summary.json */
	const char *version;
	/* merge's warnings (a duplicate skipped, an incomplete piece), one line
	 * each, borrowed for the call; NULL drops them */
	void (*warn)(void *arg, const char *msg);
	void *arg;
};

/** Reads directories dirs[0..n) (borrowed) as one period when they are
 * pieces of one capture: merges them with merge's own code (merge.h:
 * merge_is_exact()) into a scratch directory under p->scratch_parent, then
 * report_add_joined() them, so an attack across them counts once. When
 * they are not pieces that merge joins exactly (fewer than two, no
 * flows.state, overlapping, other parameters, or the scratch merge
 * failed), nothing is added, *joined is false and why_apart (may be NULL)
 * says why in one line: the caller then reads them one by one. Returns 0,
 * or report_add_joined()'s error (nothing added); -BS_EINVAL for a NULL r
 * or p, or after report_finish(). */
int report_add_pieces(report_t *r, const char *const *dirs, size_t n, const struct report_pieces *p,
                      bool *joined, struct bs_err *why_apart, struct bs_err *err);

/** Removes duplicates and computes every table. Call once, after the last
 * report_add_dir(). 0; -BS_ERANGE when the period of report_days() spans
 * more than REPORT_MAX_SPAN_DAYS days (err says so; narrow the window);
 * -BS_ENOMEM; -BS_EINVAL when called twice. The accessors below are valid
 * after it returns 0 and return borrowed data that lives as long as r. */
int report_finish(report_t *r, struct bs_err *err);

/** Parses a --since/--until value: a UTC date "2026-11-24" (its midnight)
 * or a time as in the CSV files, "2026-11-24T03:00:05Z" with an optional
 * fraction. 0, -BS_EINVAL (bad syntax or date), -BS_ERANGE (before 1970);
 * *us = 0 on error. */
int report_parse_time(const char *s, uint64_t *us);

struct report_totals {
	uint64_t attacks;                    /* distinct attacks in the window */
	uint64_t duplicates;                 /* rows dropped as seen in another directory */
	uint64_t victims;                    /* distinct victim addresses */
	uint64_t victims_v6;                 /* of which IPv6 */
	uint64_t packets;                    /* backscatter packets, summed over the bins */
	uint64_t attack_packets;             /* backscatter packets of the attacks */
	uint64_t first_us, last_us;          /* covered period's first instant and end
	                                        (exclusive); both 0 when nothing is covered */
	uint64_t covered_us;                 /* time covered by at least one directory */
	uint64_t uniform_failed;             /* attacks with uniform = 0 */
	uint64_t rate_known;                 /* attacks with an est_attack_pps */
	uint64_t with_country, with_asn;     /* attacks with a country / an AS */
	uint64_t services;                   /* distinct (protocol, top_port) pairs,
	                                        "no port" counted once per protocol */
	uint64_t vector_groups;              /* multi-vector groups (report_combos()) */
	uint64_t vector_victims;             /* distinct victims of those groups */
	uint64_t vector_attacks;             /* attacks in those groups */
	uint64_t vector_combos;              /* distinct protocol sets among them */
	uint64_t prefixes, prefix_attacks;   /* the prefix view: distinct prefixes, attacks */
	size_t dirs_prefix_view;             /* directories with a prefix_attacks.csv */
	double telescope_min, telescope_max; /* IPv4 telescope size over the
	                                        directories (0 when unknown) */
	uint32_t interval_min, interval_max; /* time-series bin, seconds */
	size_t dirs;                         /* directories read */
	size_t dirs_incomplete;              /* of which "complete": false */
};

/** The totals; valid after report_finish(). */
const struct report_totals *report_totals(const report_t *r);

/** One collect directory as read. */
struct report_dir {
	const char *path;
	uint64_t first_us, last_us;  /* its run's packet time range; 0 when none */
	uint64_t rows;               /* attacks.csv rows in the window (before dedup) */
	uint64_t bins;               /* timeseries.csv rows in the window */
	double telescope_v4;         /* IPv4 telescope size, 0 when none */
	uint32_t interval_s;         /* time-series bin, 0 when unknown */
	bool complete;               /* summary.json "complete" */
	const char *const *warnings; /* summary.json "warnings" */
	size_t n_warnings;
};

/** Directories in the order added; *out receives the array. */
size_t report_dirs(const report_t *r, const struct report_dir **out);

/** One UTC day or hour of the covered period. */
struct report_period {
	uint64_t start_us;   /* midnight or full hour */
	uint64_t covered_us; /* input time inside it; 0 = no data (a gap) */
	uint64_t attacks;    /* attacks that started in it */
	uint64_t victims;    /* distinct victims of those attacks */
};

/** Every UTC day of the period, gaps included: from the window's start (or
 * when no --since, the first covered day) to its end (or the last covered
 * day); *out receives the array (NULL when there is none). */
size_t report_days(const report_t *r, const struct report_period **out);
/** Every UTC hour, as report_days(). */
size_t report_hours(const report_t *r, const struct report_period **out);

/** One time-series bin (merged over directories). */
struct report_bin {
	uint64_t start_us, end_us;
	uint64_t packets, attacks_active, attacks_started, victims;
};

/** Bins in time order; a bin whose start is not the previous one's end
 * follows a gap. */
size_t report_bins(const report_t *r, const struct report_bin **out);

/** Attack protocol and response-type mix. */
struct report_mix {
	uint64_t attacks[BS_PROTO_COUNT];        /* attacks of each protocol */
	uint64_t victims[BS_PROTO_COUNT];        /* distinct victims per protocol */
	uint64_t packets[BS_PROTO_COUNT];        /* their backscatter packets */
	uint64_t uniform_failed[BS_PROTO_COUNT]; /* their failed uniformity tests */
	uint64_t responses[BS_RESP_COUNT];       /* attacks that saw each type
	                                            (one attack may see several) */
};

/** The mix; valid after report_finish(). */
const struct report_mix *report_mix(const report_t *r);

/** One attacked service: the attacks of one protocol whose top_port (the
 * victim port most of their backscatter came from) is port. Attacks
 * without one (ICMP, other protocols: the CSV cell is empty) form one row
 * per protocol with port -1, so the shares of all rows add up to 100%. */
struct report_service {
	uint8_t proto;    /* enum bs_proto */
	int32_t port;     /* 0..65535, -1 for no port */
	const char *name; /* IANA service name (analysis/services.h); NULL when
	                     the port has none or there is no port */
	uint64_t attacks;
	uint64_t victims; /* distinct victims */
	uint64_t packets; /* backscatter packets of those attacks */
};

/** Up to top_n services by attacks (ties: more victims, then more packets,
 * then protocol, then port, "no port" last); report_totals()->services
 * says how many there are in all. */
size_t report_services(const report_t *r, const struct report_service **out);

/** Multi-vector attacks: the attacks of the period grouped as
 * attacks.csv's vector_group groups them (outdir/vgroup.h: same victim,
 * [start, end] intervals that meet, chained), but over the report's own
 * attacks, since attack_ids are numbers within one attacks.csv and the
 * period may join several. A group is multi-vector when its attacks have
 * two protocols or more. One row per set of protocols. */
struct report_combo {
	uint32_t protocols; /* bit (1u << BS_PROTO_*) per protocol, two or more */
	uint64_t groups;    /* multi-vector groups with exactly these protocols */
	uint64_t victims;   /* distinct victims of those groups */
	uint64_t attacks;   /* attacks in those groups */
};

/** Up to top_n protocol sets by victims (ties: more groups, then more
 * attacks, then the smaller bit set); report_totals()->vector_combos says
 * how many there are in all. */
size_t report_combos(const report_t *r, const struct report_combo **out);

/** A victim prefix of the prefix view (collect --prefix-view: its
 * directories' prefix_attacks.csv), with its attacks in the window. An
 * attack seen in two directories (same prefix, protocol and start) counts
 * once, the copy with more packets kept. */
struct report_prefix {
	bs_addr_t prefix;        /* bits past len zero */
	uint8_t len;             /* prefix length */
	uint8_t protos;          /* bit (1u << enum bs_proto) per protocol attacked */
	uint64_t attacks;        /* prefix attacks */
	uint64_t packets;        /* their backscatter packets */
	uint64_t victims;        /* most distinct victims in one of its attacks */
	uint64_t victim_attacks; /* of those, attacked on their own (that attack's count) */
};

/** Up to top_n prefixes by attacks (ties: more packets, more victims, then
 * address and length); report_totals()->prefixes and ->prefix_attacks say
 * how many there are in all. */
size_t report_prefixes(const report_t *r, const struct report_prefix **out);

/** One victim of a top table. */
struct report_victim {
	bs_addr_t addr;
	uint64_t attacks;
	uint64_t packets;      /* backscatter packets over its attacks */
	uint32_t protocols;    /* bit (1u << BS_PROTO_*) per protocol seen */
	uint64_t first_us;     /* start of its first attack */
	double max_est_pps;    /* highest est_attack_pps, NAN when none */
	uint64_t max_start_us; /* start of that attack */
	uint8_t max_proto;     /* its protocol */
	bool max_uniform;      /* whether it passed the uniformity test */
	const char *country;   /* of its latest attack, "" when unknown */
	uint32_t asn;          /* 0 when unknown */
	const char *as_org;    /* "" when unknown */
};

/** Up to top_n victims by attack count (ties: more packets first, then
 * address order). */
size_t report_top_victims(const report_t *r, const struct report_victim **out);
/** Up to top_n victims by their highest est_attack_pps (victims without a
 * rate are left out; ties: address order). */
size_t report_top_rates(const report_t *r, const struct report_victim **out);

/** A range of counts [lo, hi] (hi = UINT64_MAX: and above) and how many
 * items fell in it. */
struct report_bucket {
	uint64_t lo, hi;
	uint64_t count;   /* victims (repeats) or attacks (peak ppm) */
	uint64_t attacks; /* attacks of those victims (repeats); = count (peak ppm) */
};

/** Victims by their number of attacks, in buckets 1, 2, 3, 4, 5, 6-10,
 * 11-20, 21-50, 51-100, 101+, up to the last non-empty one. */
size_t report_repeats(const report_t *r, const struct report_bucket **out);
/** Attacks by peak_ppm in powers of two [2^k, 2^(k+1) - 1] (and [0, 0]),
 * from the lowest non-empty bucket to the highest. */
size_t report_peak_ppm(const report_t *r, const struct report_bucket **out);

/** A country or AS and its attacks. */
struct report_group {
	const char *country; /* ISO code; NULL for an AS row */
	uint32_t asn;        /* 0 for a country row */
	const char *as_org;  /* "" when unknown; NULL for a country row */
	uint64_t attacks;
	uint64_t victims; /* distinct victims */
};

/** Up to top_n countries by attacks (ties: victims, then code); attacks
 * without a country are left out (see report_totals()->with_country). */
size_t report_top_countries(const report_t *r, const struct report_group **out);
/** Up to top_n ASes by attacks (ties: victims, then number). as_org is the
 * first non-empty one seen. */
size_t report_top_ases(const report_t *r, const struct report_group **out);

/** The measured quantities whose distributions the report shows. */
enum report_metric {
	REPORT_DURATION,     /* end - start, seconds */
	REPORT_EST_PPS,      /* est_attack_pps, attacks that have one */
	REPORT_EST_PPS_UNIF, /* est_attack_pps of attacks that passed uniformity */
	REPORT_PEAK_PPM,     /* peak_ppm */
	REPORT_PACKETS,      /* backscatter packets per attack */
	REPORT_METRIC_COUNT
};

/** Quantiles of a distribution (nearest rank). */
enum report_quantile {
	REPORT_Q_MIN,
	REPORT_Q_P10,
	REPORT_Q_P25,
	REPORT_Q_MEDIAN,
	REPORT_Q_P75,
	REPORT_Q_P90,
	REPORT_Q_P99,
	REPORT_Q_MAX,
	REPORT_Q_COUNT
};

/** The level of a quantile, 0..1 (REPORT_Q_P90 is 0.9). */
double report_quantile_level(enum report_quantile q);

struct report_dist {
	uint64_t n;               /* values; the rest is 0 when n is 0 */
	double q[REPORT_Q_COUNT]; /* indexed by enum report_quantile */
	double mean;
};

/** Distribution of metric m; NULL for an m outside the enum. */
const struct report_dist *report_dist(const report_t *r, enum report_metric m);

/** A point of an empirical CDF: fraction of values <= value. */
struct report_cdf_point {
	double value;
	double fraction;
};

/** The CDF of metric m as at most REPORT_CDF_MAX_POINTS points in value
 * order (every value when there are fewer, else evenly spaced ranks, always
 * with the minimum and the maximum). 0 points for an m outside the enum. */
size_t report_cdf(const report_t *r, enum report_metric m, const struct report_cdf_point **out);

#endif
