/* fuzz_outdir.c - per-input work of the fuzz targets for attacks.csv,
 * timeseries.csv and summary.json (see fuzz_outdir.h).
 *
 * Contract checks return a static string instead of aborting, so the Check
 * suite can name the file that broke one and the fuzz entry points can turn
 * it into a crash libFuzzer saves. The message a reader or merge gave with
 * a broken contract is printed to stderr, as the crash log is where the
 * person fixing it looks first.
 *
 * The CSV readers read from memory (fmemopen), four times per reader, so
 * the error buffer and the callback are fuzzed along with the bytes. merge
 * reads directories, so its shards are real files in a private directory
 * made and removed for each input (libFuzzer ends with _Exit(), so an
 * atexit() cleanup would leave one per run); under scripts/fuzz.sh that
 * directory is on a tmpfs, where the fsync() of every output is free. */
#include "fuzz_outdir.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "telescope/addr.h"
#include "base/bs_error.h"
#include "base/bs_time.h"
#include "outdir/csvwrite.h"
#include "telescope/event.h"
#include "analysis/merge.h"
#include "analysis/report.h"
#include "outdir/csvread.h"
#include "outdir/names.h"

/* What the test callback returns to stop a reader: a code no reader returns
 * by itself, so that rc can only have come from the callback. */
#define FUZZ_CB_ERROR (-BS_ENOTFOUND)
/* Largest port number, for top_port. */
#define FUZZ_MAX_PORT 65535
/* FNV-1a, 64 bits: a digest of the rows one reader passed, to compare it
 * with another's without keeping the rows. */
#define FUZZ_FNV_OFFSET 0xcbf29ce484222325ull
#define FUZZ_FNV_PRIME  0x100000001b3ull
/* Shards per input and files per shard (merge.h). */
#define FUZZ_SHARDS 2
#define FUZZ_FILES  3
/* Room for $TMPDIR, the directory name and a file name. */
#define FUZZ_DIR_MAX 4096
/* Rows of report's top tables: fewer than the directories can fill. */
#define FUZZ_TOP 3
/* What merge_write() puts into summary.json as the command and version. */
#define FUZZ_COMMAND_LINE "fuzz_merge"
#define FUZZ_VERSION      "0"

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* An address as addr.h promises it: a known family, IPv4 padded with 0. */
static bool addr_ok(const bs_addr_t *a)
{
	return a->family == BS_AF_INET6 ||
	       (a->family == BS_AF_INET && all_zero(a->bytes + 4, sizeof a->bytes - 4));
}

/* A time the writers can write back (bs_format_time) to the same value. */
static bool time_ok(uint64_t us)
{
	char buf[BS_TIME_STRLEN];
	uint64_t back;
	return bs_format_time(us, buf, sizeof buf) == 0 && bs_parse_time(buf, &back) == 0 &&
	       back == us;
}

static void mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * FUZZ_FNV_PRIME;
}

static void mix_u64(uint64_t *h, uint64_t v)
{
	mix(h, &v, sizeof v);
}

/* ---- csvread ---- */

/* What one read passed to its callback. */
struct rows {
	bool full;       /* read by a csvread_*_full() reader */
	size_t n;        /* rows passed */
	size_t stop_at;  /* the callback fails on this row (from 1); 0: never */
	uint64_t digest; /* of the fields every reader fills, in row order */
	const char *why; /* first contract a row broke */
};

static const char *check_attack(const struct csvread_attack *a, bool full)
{
	if (!addr_ok(&a->victim))
		return "csvread: victim of no family or with stray bytes";
	if (a->proto >= BS_PROTO_COUNT)
		return "csvread: protocol out of range";
	if (a->end_us < a->start_us || !time_ok(a->start_us) || !time_ok(a->end_us))
		return "csvread: start and end not a time range the writer can write";
	if (a->responses >> BS_RESP_COUNT != 0)
		return "csvread: unknown response bit";
	if (!isnan(a->est_attack_pps) && !(isfinite(a->est_attack_pps) && a->est_attack_pps >= 0))
		return "csvread: est_attack_pps neither unknown nor a non-negative number";
	if (a->country == NULL || a->as_org == NULL)
		return "csvread: country or as_org NULL";
	if (a->top_port < -1 || a->top_port > FUZZ_MAX_PORT)
		return "csvread: top_port neither -1 nor a port";
	if (!full) {
		/* csvread.h: these keep their "unknown" value in the report reader
		 * (which reads top_port too, for the attacked-services table). */
		if (a->bytes != 0 || a->telescope_addrs != 0 || a->victim_ports != 0 ||
		    a->attack_ports != -1 || !isnan(a->uniformity_a2) || a->icmp_mismatches != 0 ||
		    a->has_responder || !all_zero(&a->responder, sizeof a->responder))
			return "csvread_attacks: a column only the full reader reads is set";
		return NULL;
	}
	if (a->attack_ports < -1 || a->attack_ports > FUZZ_MAX_PORT + 1)
		return "csvread_attacks_full: attack_ports neither -1 nor a number of ports";
	if (isinf(a->uniformity_a2))
		return "csvread_attacks_full: uniformity_a2 infinite";
	if (a->has_responder ? !addr_ok(&a->responder)
	                     : !all_zero(&a->responder, sizeof a->responder))
		return "csvread_attacks_full: responder inconsistent with has_responder";
	return NULL;
}

static int on_attack(const struct csvread_attack *a, void *arg)
{
	struct rows *r = arg;
	r->n++;
	if (r->why == NULL)
		r->why = check_attack(a, r->full);
	/* The fields both readers fill; NAN has more than one bit pattern. */
	double pps = isnan(a->est_attack_pps) ? -1.0 : a->est_attack_pps;
	mix(&r->digest, &a->victim, sizeof a->victim);
	mix_u64(&r->digest, a->start_us);
	mix_u64(&r->digest, a->end_us);
	mix_u64(&r->digest, a->packets);
	mix(&r->digest, &pps, sizeof pps);
	mix_u64(&r->digest, a->responses);
	mix_u64(&r->digest, a->peak_ppm);
	mix_u64(&r->digest, a->asn);
	mix_u64(&r->digest, a->proto);
	mix_u64(&r->digest, a->uniform);
	mix_u64(&r->digest, (uint64_t)(int64_t)a->top_port);
	if (a->country != NULL && a->as_org != NULL) {
		mix(&r->digest, a->country, strlen(a->country) + 1);
		mix(&r->digest, a->as_org, strlen(a->as_org) + 1);
	}
	return r->n == r->stop_at ? FUZZ_CB_ERROR : 0;
}

static const char *check_bin(const struct csvread_bin *b, bool full)
{
	if (b->end_us <= b->start_us || !time_ok(b->start_us) || !time_ok(b->end_us))
		return "csvread: bin end not after its start, or not a time the writer can write";
	if (!full)
		return all_zero(b->packets_proto, sizeof b->packets_proto)
		           ? NULL
		           : "csvread_timeseries: per-protocol counts set";
	uint64_t sum = 0;
	for (int p = 0; p < BS_PROTO_COUNT; p++) {
		if (b->packets_proto[p] > UINT64_MAX - sum)
			return "csvread_timeseries_full: per-protocol counts overflow";
		sum += b->packets_proto[p];
	}
	return sum == b->packets ? NULL
	                         : "csvread_timeseries_full: per-protocol counts do not add up";
}

static int on_bin(const struct csvread_bin *b, void *arg)
{
	struct rows *r = arg;
	r->n++;
	if (r->why == NULL)
		r->why = check_bin(b, r->full);
	mix_u64(&r->digest, b->start_us);
	mix_u64(&r->digest, b->end_us);
	mix_u64(&r->digest, b->packets);
	mix_u64(&r->digest, b->attacks_active);
	mix_u64(&r->digest, b->attacks_started);
	mix_u64(&r->digest, b->victims);
	return r->n == r->stop_at ? FUZZ_CB_ERROR : 0;
}

/* The full reader's columns of a prefix row (csvread.h). */
static const char *check_prefix_full(const struct csvread_prefix *p, bool full)
{
	if (!full)
		return p->bytes == 0 && p->telescope_addrs == 0 && p->victim_ports == 0 &&
		               p->top_port == -1 && p->responses == 0 && p->peak_ppm == 0 &&
		               isnan(p->uniformity_a2) && !p->uniform && p->attack_ports == -1
		           ? NULL
		           : "csvread_prefix_attacks: a column of the full reader set";
	if (p->top_port < -1 || p->top_port > 65535 || p->attack_ports < -1 ||
	    p->attack_ports > 65536 || (p->responses >> BS_RESP_COUNT) != 0 ||
	    isinf(p->uniformity_a2))
		return "csvread_prefix_attacks_full: a value out of range";
	return NULL;
}

static const char *check_prefix(const struct csvread_prefix *p, bool full)
{
	bs_addr_t masked = p->prefix;
	bs_addr_mask(&masked, p->len);
	if (p->len > (p->prefix.family == BS_AF_INET ? 32u : 128u) ||
	    bs_addr_cmp(&masked, &p->prefix) != 0)
		return "csvread_prefix_attacks: a length past the family's or bits past it";
	if (p->end_us < p->start_us || !time_ok(p->start_us) || !time_ok(p->end_us) ||
	    p->proto >= BS_PROTO_COUNT || p->victim_attacks > p->victims)
		return "csvread_prefix_attacks: a row its rules forbid";
	return check_prefix_full(p, full);
}

static int on_prefix(const struct csvread_prefix *p, void *arg)
{
	struct rows *r = arg;
	r->n++;
	if (r->why == NULL)
		r->why = check_prefix(p, r->full);
	mix(&r->digest, &p->prefix, sizeof p->prefix);
	mix_u64(&r->digest, p->len);
	mix_u64(&r->digest, p->proto);
	mix_u64(&r->digest, p->start_us);
	mix_u64(&r->digest, p->end_us);
	mix_u64(&r->digest, p->packets);
	mix_u64(&r->digest, p->victims);
	mix_u64(&r->digest, p->victim_attacks);
	return r->n == r->stop_at ? FUZZ_CB_ERROR : 0;
}

/* One of the readers of csvread.h. */
struct csv_reader {
	bool full;
	int (*attacks)(FILE *f, csvread_attack_cb cb, void *arg, struct bs_err *err);
	int (*bins)(FILE *f, csvread_bin_cb cb, void *arg, struct bs_err *err);
	int (*prefixes)(FILE *f, csvread_prefix_cb cb, void *arg, struct bs_err *err);
};

/* The report and full readers of each file, in pairs. */
static const struct csv_reader csv_readers[] = {
    {false, csvread_attacks, NULL, NULL},        {true, csvread_attacks_full, NULL, NULL},
    {false, NULL, csvread_timeseries, NULL},     {true, NULL, csvread_timeseries_full, NULL},
    {false, NULL, NULL, csvread_prefix_attacks}, {true, NULL, NULL, csvread_prefix_attacks_full},
};
#define N_CSV_READERS (sizeof csv_readers / sizeof csv_readers[0])
#define N_CSV_PAIRED  N_CSV_READERS /* the readers in report/full pairs */

/* Reads data with rd into r; *rc receives the reader's code. False when the
 * in-memory file cannot be opened. */
static bool read_csv(const struct csv_reader *rd, const uint8_t *data, size_t size, struct rows *r,
                     struct bs_err *err, int *rc)
{
	/* "r" mode never writes to the buffer: the cast only drops const. */
	FILE *f = fmemopen((void *)(uintptr_t)data, size, "r");
	if (f == NULL)
		return false;
	r->full = rd->full;
	r->digest = FUZZ_FNV_OFFSET;
	*rc = rd->attacks ? rd->attacks(f, on_attack, r, err)
	      : rd->bins  ? rd->bins(f, on_bin, r, err)
	                  : rd->prefixes(f, on_prefix, r, err);
	fclose(f);
	return true;
}

/* The rules of a call that returns rc and fills err: rc is 0 or one of
 * codes (0-terminated), the ones its header lists; err is cleared on
 * success and on error holds rc and one line (out of memory may leave no
 * message: there is no room to make one). Returns NULL or "WHO: what". */
static const char *check_err(const char *who, int rc, const struct bs_err *err, const int *codes)
{
	static char why[BS_ERR_MSGLEN];
	bool listed = rc == 0;
	for (const int *c = codes; *c != 0; c++)
		listed |= rc == *c;
	const char *broken = NULL;
	if (!listed)
		broken = "unexpected return code";
	else if (memchr(err->msg, '\0', sizeof err->msg) == NULL)
		broken = "message not NUL-terminated";
	else if (rc == 0 && (err->code != 0 || err->msg[0] != '\0'))
		broken = "message on success";
	else if (rc != 0 && err->msg[0] != '\0' && err->code != rc)
		broken = "message with another code than the one returned";
	else if (rc != 0 && rc != -BS_ENOMEM && err->msg[0] == '\0')
		broken = "error without a message";
	else if (strpbrk(err->msg, "\r\n") != NULL)
		broken = "message of more than one line";
	if (broken == NULL)
		return NULL;
	snprintf(why, sizeof why, "%s: %s", who, broken);
	return why;
}

/* Runs rd three ways: with a message, without (err NULL), with a failing
 * callback. *rc and *rows are the first run's. */
static const char *fuzz_csv_reader(const struct csv_reader *rd, const uint8_t *data, size_t size,
                                   int *rc, struct rows *rows)
{
	static const int csv_codes[] = {-BS_EFORMAT, -BS_ENOMEM, 0};
	struct bs_err *err = malloc(sizeof *err); /* on the heap: ASan sees any overrun */
	const char *why = NULL;
	struct rows r = {0}, again = {0};
	int rc2;

	*rc = 0;
	*rows = r;
	if (err == NULL)
		return "csvread: out of memory in the check";
	memset(err, 'x', sizeof *err);
	if (!read_csv(rd, data, size, &r, err, rc)) {
		why = "csvread: fmemopen failed";
		goto out;
	}
	*rows = r;
	why = r.why != NULL ? r.why : check_err("csvread", *rc, err, csv_codes);
	if (why != NULL)
		goto out;

	/* csvread.h: err may be NULL. */
	if (!read_csv(rd, data, size, &again, NULL, &rc2)) {
		why = "csvread: fmemopen failed";
		goto out;
	}
	if (rc2 != *rc || again.n != r.n || again.digest != r.digest) {
		why = "csvread: the result depends on whether a message is wanted";
		goto out;
	}
	if (r.n == 0)
		goto out;

	/* A callback error stops the read at once and is returned as is, with
	 * err as the callback left it: cleared, as this one writes nothing. */
	again = (struct rows){.stop_at = (r.n + 1) / 2};
	memset(err, 'x', sizeof *err);
	if (!read_csv(rd, data, size, &again, err, &rc2))
		why = "csvread: fmemopen failed";
	else if (rc2 != FUZZ_CB_ERROR || again.n != again.stop_at || err->msg[0] != '\0')
		why = "csvread: a callback error is not returned at once, err untouched";
out:
	if (why != NULL && memchr(err->msg, '\0', sizeof err->msg) != NULL)
		fprintf(stderr, "csvread: rc %d, message '%s'\n", *rc, err->msg);
	free(err);
	return why;
}

const char *fuzz_run_csvread(const uint8_t *data, size_t size)
{
	int rc[N_CSV_READERS];
	struct rows rows[N_CSV_READERS];

	if (size == 0)
		data = (const uint8_t *)""; /* fmemopen(NULL) would allocate its own buffer */
	for (size_t i = 0; i < N_CSV_READERS; i++) {
		const char *why = fuzz_csv_reader(&csv_readers[i], data, size, &rc[i], &rows[i]);
		if (why != NULL)
			return why;
	}
	/* csvread.h: the full readers read what the report readers read and
	 * more, so a file the full reader takes gives the same rows to both. */
	for (size_t i = 0; i < N_CSV_PAIRED; i += 2)
		if (rc[i + 1] == 0 && (rc[i] != 0 || rows[i].n != rows[i + 1].n ||
		                       rows[i].digest != rows[i + 1].digest))
			return "csvread: the report reader differs on a file the full reader "
			       "takes";
	return NULL;
}

/* ---- output directories: the files merge and report read ---- */

static const char *const shard_files[FUZZ_FILES] = {"summary.json", "attacks.csv",
                                                    "timeseries.csv"};
/* After the shards' three files each, their prefix_attacks.csv: parts
 * that older seeds do not have, so that they keep their meaning. */
#define FUZZ_PREFIX_PARTS FUZZ_SHARDS
static const char *const sub_dirs[FUZZ_SHARDS + 1] = {"shard-a", "shard-b", "out"};
#define OUT_DIR FUZZ_SHARDS

/* The private directory and its shard and output directories. */
static char base_dir[FUZZ_DIR_MAX];
static char dirs[FUZZ_SHARDS + 1][FUZZ_DIR_MAX];

/* Removes what is inside dir, one level of subdirectories included (a
 * staging directory merge left behind). */
static void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char path[FUZZ_DIR_MAX * 2];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		/* Linux says EISDIR for a directory, POSIX allows EPERM. */
		if (unlink(path) != 0 && (errno == EISDIR || errno == EPERM)) {
			empty_dir(path);
			rmdir(path);
		}
	}
	closedir(d);
}

static void remove_dirs(void)
{
	for (size_t i = 0; i < FUZZ_SHARDS + 1; i++) {
		empty_dir(dirs[i]);
		rmdir(dirs[i]);
	}
	rmdir(base_dir);
}

/* Makes the private directory and its subdirectories. */
static bool make_dirs(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[FUZZ_DIR_MAX];
	int n = snprintf(path, sizeof path, "%s/fuzz-outdir-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof path || mkdtemp(path) == NULL)
		return false;
	memcpy(base_dir, path, (size_t)n + 1);
	memset(dirs, 0, sizeof dirs); /* what remove_dirs() may meet half made */
	for (size_t i = 0; i < FUZZ_SHARDS + 1; i++) {
		n = snprintf(dirs[i], sizeof dirs[i], "%s/%s", base_dir, sub_dirs[i]);
		if (n < 0 || (size_t)n >= sizeof dirs[i] || mkdir(dirs[i], 0700) != 0) {
			remove_dirs();
			return false;
		}
	}
	return true;
}

/* Writes len bytes to dir/name. */
static bool put_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char path[FUZZ_DIR_MAX * 2];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return false;
	bool ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

/* Makes the private directory and writes the NUL-separated parts of data
 * as the files of the shard directories (a missing part is a missing
 * file); returns the number of directories given (1 or 2), or 0 after
 * removing what it made when a directory or file cannot be written. */
static size_t write_shards(const uint8_t *data, size_t size)
{
	if (!make_dirs())
		return 0;
	if (size == 0)
		data = (const uint8_t *)""; /* memchr() wants a pointer even for 0 bytes */
	const uint8_t *end = data + size, *p = data;
	size_t parts = 0;
	for (size_t k = 0; k < FUZZ_SHARDS * FUZZ_FILES + FUZZ_PREFIX_PARTS && p != NULL; k++) {
		const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = (size_t)((nul ? nul : end) - p);
		bool prefix = k >= FUZZ_SHARDS * FUZZ_FILES;
		const char *dir = dirs[prefix ? k - FUZZ_SHARDS * FUZZ_FILES : k / FUZZ_FILES];
		if (!put_file(dir, prefix ? OUTDIR_PREFIX_ATTACKS : shard_files[k % FUZZ_FILES], p,
		              len)) {
			remove_dirs();
			return 0;
		}
		p = nul ? nul + 1 : NULL;
		parts++;
	}
	return parts > FUZZ_FILES ? 2 : 1;
}

/* ---- merge ---- */

/* summary.h: the warnings of summary.json are one-line messages. */
static const char *check_warnings(const merge_t *m)
{
	size_t n = merge_warning_count(m);
	for (size_t i = 0; i < n; i++) {
		const char *w = merge_warning(m, i);
		if (w == NULL || w[0] == '\0')
			return "merge_warning: missing or empty warning";
		if (strpbrk(w, "\r\n") != NULL) {
			fprintf(stderr, "merge warning: '%s'\n", w);
			return "merge_warning: warning of more than one line";
		}
	}
	return merge_warning(m, n) == NULL ? NULL : "merge_warning: a warning past the end";
}

/* Entries in dir: n_files regular files named in shard_files, or nothing. */
static const char *check_out_dir(bool written)
{
	DIR *d = opendir(dirs[OUT_DIR]);
	size_t found = 0, known = 0;
	if (d == NULL)
		return "merge: output directory gone";
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		found++;
		for (size_t i = 0; i < FUZZ_FILES; i++)
			known += strcmp(e->d_name, shard_files[i]) == 0;
	}
	closedir(d);
	if (!written)
		return found == 0 ? NULL : "merge: a failed merge left files behind";
	return found == FUZZ_FILES && known == FUZZ_FILES
	           ? NULL
	           : "merge_write: not exactly the three output files";
}

/* Rows of attacks.csv and packets of timeseries.csv, of shards or of the
 * merged output. */
struct tally {
	size_t attacks;
	uint64_t packets; /* summed modulo 2^64 on both sides of the comparison */
};

static int tally_attack(const struct csvread_attack *a, void *arg)
{
	(void)a;
	((struct tally *)arg)->attacks++;
	return 0;
}

static int tally_bin(const struct csvread_bin *b, void *arg)
{
	((struct tally *)arg)->packets += b->packets;
	return 0;
}

/* Adds dir's CSV files to t, read with the full readers as merge reads
 * them; false when one cannot be read. */
static bool tally_dir(const char *dir, struct tally *t, struct bs_err *err)
{
	for (size_t i = 1; i < FUZZ_FILES; i++) {
		char path[FUZZ_DIR_MAX * 2];
		snprintf(path, sizeof path, "%s/%s", dir, shard_files[i]);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			return false;
		int rc = i == 1 ? csvread_attacks_full(f, tally_attack, t, err)
		                : csvread_timeseries_full(f, tally_bin, t, err);
		fclose(f);
		if (rc != 0)
			return false;
	}
	return true;
}

/* merge.h: the output is what collect writes, so the full readers and
 * merge itself read it back; every row read is written or joined into
 * another; the series holds every packet of the shards' series. in is
 * the tally of the shards kept. */
static const char *read_merged(const merge_t *m, const struct tally *in, struct bs_err *err)
{
	struct tally out = {0};
	if (!tally_dir(dirs[OUT_DIR], &out, err))
		return "merge_write: the full readers refuse a merged CSV file";
	if (out.attacks != merge_attack_count(m))
		return "merge_write: merge_attack_count() is not the rows of attacks.csv";
	if (out.attacks + merge_join_count(m) != in->attacks)
		return "merge_write: rows written and joins do not add up to the rows read";
	if (out.packets != in->packets)
		return "merge_write: timeseries.csv lacks packets of the shards or has more";
	merge_t *again = merge_create();
	if (again == NULL)
		return "merge: out of memory in the check";
	const char *why = merge_add_shard(again, dirs[OUT_DIR], err) == 0
	                      ? NULL
	                      : "merge_write: merge cannot read its own output as a shard";
	merge_free(again);
	return why;
}

const char *fuzz_run_merge(const uint8_t *data, size_t size)
{
	static const int add_codes[] = {-BS_EIO,    -BS_EFORMAT, -BS_EEXIST,
	                                -BS_ERANGE, -BS_ENOMEM,  0};
	static const int write_codes[] = {-BS_EIO, -BS_ERANGE, -BS_ENOMEM, 0};
	const char *why = NULL;

	size_t n_shards = write_shards(data, size);
	if (n_shards == 0)
		return "merge: cannot write the shard files";
	merge_t *m = merge_create();
	struct bs_err *err = malloc(sizeof *err); /* on the heap: ASan sees any overrun */
	if (m == NULL || err == NULL) {
		merge_free(m);
		free(err);
		remove_dirs();
		return "merge: out of memory in the check";
	}
	memset(err, 'x', sizeof *err);
	int rc = 0;
	struct tally in = {0};
	for (size_t i = 0; i < n_shards && rc == 0 && why == NULL; i++) {
		size_t kept = merge_shard_count(m), warned = merge_warning_count(m);
		rc = merge_add_shard(m, dirs[i], err);
		why = check_err("merge_add_shard", rc, err, add_codes);
		if (why != NULL || rc != 0)
			break;
		if (merge_shard_count(m) == kept + 1) {
			if (!tally_dir(dirs[i], &in, err))
				why = "merge_add_shard: kept a shard whose CSV files do not read";
		} else if (merge_shard_count(m) != kept || merge_warning_count(m) == warned) {
			why = "merge_add_shard: shard neither kept nor skipped with a warning";
		}
	}
	if (why == NULL)
		why = check_warnings(m);
	bool written = false;
	if (why == NULL && rc == 0) {
		memset(err, 'x', sizeof *err);
		rc = merge_write(m, dirs[OUT_DIR], FUZZ_COMMAND_LINE, FUZZ_VERSION, err);
		written = rc == 0;
		why = check_err("merge_write", rc, err, write_codes);
	}
	if (why == NULL)
		why = check_out_dir(written);
	if (why == NULL && written)
		why = read_merged(m, &in, err);
	if (why != NULL && memchr(err->msg, '\0', sizeof err->msg) != NULL)
		fprintf(stderr, "merge: rc %d, message '%s'\n", rc, err->msg);
	merge_free(m);
	free(err);
	remove_dirs();
	return why;
}

/* ---- report ---- */

/* UTC days and hours of the report's tables. */
typedef size_t (*periods_fn)(const report_t *r, const struct report_period **out);

/* report_days() or report_hours(): consecutive periods of len_us that hold
 * the covered time and, with no --since/--until, every attack. */
static const char *check_periods(const report_t *r, periods_fn get, uint64_t len_us)
{
	const struct report_totals *t = report_totals(r);
	const struct report_period *p;
	size_t n = get(r, &p);
	uint64_t covered = 0, attacks = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i].start_us % len_us != 0 ||
		    (i > 0 && p[i].start_us != p[i - 1].start_us + len_us))
			return "report_days/hours: periods not consecutive whole days or hours";
		if (p[i].covered_us > len_us || p[i].victims > p[i].attacks)
			return "report_days/hours: more covered than the period, or victims than "
			       "attacks";
		covered += p[i].covered_us;
		attacks += p[i].attacks;
	}
	if (covered != t->covered_us || attacks != t->attacks)
		return "report_days/hours: the periods do not hold the covered time and attacks";
	return NULL;
}

static const char *check_bins(const report_t *r)
{
	const struct report_bin *b;
	size_t n = report_bins(r, &b);
	uint64_t packets = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i].end_us <= b[i].start_us)
			return "report_bins: a bin that ends before it starts";
		if (i > 0 &&
		    (b[i].start_us < b[i - 1].start_us ||
		     (b[i].start_us == b[i - 1].start_us && b[i].end_us <= b[i - 1].end_us)))
			return "report_bins: bins out of order or the same bin twice";
		packets += b[i].packets;
	}
	return packets == report_totals(r)->packets ? NULL
	                                            : "report_totals: packets not the bins' sum";
}

/* The mix and the bucket tables add up to the totals. */
static const char *check_counts(const report_t *r)
{
	const struct report_totals *t = report_totals(r);
	const struct report_mix *m = report_mix(r);
	uint64_t attacks = 0, packets = 0;
	for (int p = 0; p < BS_PROTO_COUNT; p++) {
		if (m->victims[p] > m->attacks[p] || m->uniform_failed[p] > m->attacks[p])
			return "report_mix: more victims or failures than attacks of a protocol";
		attacks += m->attacks[p];
		packets += m->packets[p];
	}
	if (attacks != t->attacks || packets != t->attack_packets)
		return "report_mix: protocols do not add up to the attacks";
	for (int k = 0; k < BS_RESP_COUNT; k++)
		if (m->responses[k] > t->attacks)
			return "report_mix: more attacks with a response type than attacks";
	const struct report_bucket *b;
	size_t n = report_repeats(r, &b);
	uint64_t victims = 0;
	attacks = 0;
	for (size_t i = 0; i < n; i++) {
		victims += b[i].count;
		attacks += b[i].attacks;
	}
	if (victims != t->victims || attacks != t->attacks)
		return "report_repeats: buckets do not add up to the victims and attacks";
	n = report_peak_ppm(r, &b);
	attacks = 0;
	for (size_t i = 0; i < n; i++)
		attacks += b[i].count;
	return attacks == t->attacks ? NULL
	                             : "report_peak_ppm: buckets do not add up to the attacks";
}

/* The top tables: at most top_n rows, in their order. */
static const char *check_tops(const report_t *r)
{
	const struct report_victim *v;
	size_t n = report_top_victims(r, &v);
	for (size_t i = 0; i < n; i++)
		if (v[i].attacks == 0 || (i > 0 && v[i].attacks > v[i - 1].attacks) ||
		    v[i].country == NULL || v[i].as_org == NULL)
			return "report_top_victims: a row out of order or incomplete";
	if (n > FUZZ_TOP)
		return "report_top_victims: more than top_n rows";
	n = report_top_rates(r, &v);
	for (size_t i = 0; i < n; i++)
		if (isnan(v[i].max_est_pps) || (i > 0 && v[i].max_est_pps > v[i - 1].max_est_pps))
			return "report_top_rates: a row without a rate or out of order";
	if (n > FUZZ_TOP)
		return "report_top_rates: more than top_n rows";
	const struct report_group *g;
	for (int as = 0; as < 2; as++) {
		n = as ? report_top_ases(r, &g) : report_top_countries(r, &g);
		for (size_t i = 0; i < n; i++)
			if (g[i].victims == 0 || g[i].victims > g[i].attacks ||
			    (i > 0 && g[i].attacks > g[i - 1].attacks) ||
			    (as ? g[i].asn == 0 || g[i].as_org == NULL : g[i].country == NULL))
				return "report_top_countries/ases: a row out of order or "
				       "incomplete";
		if (n > FUZZ_TOP)
			return "report_top_countries/ases: more than top_n rows";
	}
	return NULL;
}

/* Quantiles in order, and a CDF from the minimum to the maximum at 1. */
static const char *check_dists(const report_t *r)
{
	for (int m = 0; m < REPORT_METRIC_COUNT; m++) {
		const struct report_dist *d = report_dist(r, (enum report_metric)m);
		const struct report_cdf_point *c;
		size_t n = report_cdf(r, (enum report_metric)m, &c);
		if (d->n > report_totals(r)->attacks)
			return "report_dist: more values than attacks";
		for (int q = 1; q < REPORT_Q_COUNT; q++)
			if (d->q[q] < d->q[q - 1])
				return "report_dist: quantiles out of order";
		if (n != (d->n < REPORT_CDF_MAX_POINTS ? d->n : REPORT_CDF_MAX_POINTS))
			return "report_cdf: not min(n, REPORT_CDF_MAX_POINTS) points";
		for (size_t i = 0; i < n; i++)
			if (!(c[i].fraction > 0 && c[i].fraction <= 1) ||
			    (i > 0 &&
			     (c[i].value < c[i - 1].value || c[i].fraction < c[i - 1].fraction)))
				return "report_cdf: points out of order or fractions outside (0, "
				       "1]";
		if (n > 0 && (c[0].value != d->q[REPORT_Q_MIN] ||
		              c[n - 1].value != d->q[REPORT_Q_MAX] || c[n - 1].fraction != 1.0))
			return "report_cdf: does not run from the minimum to the maximum at 1";
	}
	return NULL;
}

/* report.h's promises about a finished report over n_dirs directories. */
static const char *check_report(const report_t *r, size_t n_dirs)
{
	const struct report_totals *t = report_totals(r);
	const struct report_dir *d;
	if (report_dirs(r, &d) != n_dirs || t->dirs != n_dirs)
		return "report_dirs: not the directories read";
	uint64_t rows = 0;
	for (size_t i = 0; i < n_dirs; i++) {
		if (d[i].path == NULL || d[i].last_us < d[i].first_us || d[i].interval_s == 0)
			return "report_dirs: a directory without path, time order or interval";
		for (size_t w = 0; w < d[i].n_warnings; w++)
			if (d[i].warnings[w] == NULL)
				return "report_dirs: a NULL warning";
		rows += d[i].rows;
	}
	if (t->attacks + t->duplicates != rows)
		return "report_totals: attacks and duplicates are not the rows read";
	if (t->victims > t->attacks || t->victims_v6 > t->victims ||
	    t->uniform_failed > t->attacks || t->rate_known > t->attacks ||
	    t->with_country > t->attacks || t->with_asn > t->attacks)
		return "report_totals: a count above the attacks or victims";
	if (t->last_us < t->first_us || t->covered_us > t->last_us - t->first_us)
		return "report_totals: more covered than the covered period";
	const char *why = check_periods(r, report_days, BS_US_PER_DAY);
	if (why == NULL)
		why = check_periods(r, report_hours, BS_US_PER_HOUR);
	if (why == NULL)
		why = check_bins(r);
	if (why == NULL)
		why = check_counts(r);
	if (why == NULL)
		why = check_tops(r);
	return why == NULL ? check_dists(r) : why;
}

/* The totals two reports over the same data agree on. */
static bool same_totals(const struct report_totals *a, const struct report_totals *b)
{
	return a->attacks == b->attacks && a->duplicates == b->duplicates &&
	       a->victims == b->victims && a->victims_v6 == b->victims_v6 &&
	       a->packets == b->packets && a->attack_packets == b->attack_packets &&
	       a->first_us == b->first_us && a->last_us == b->last_us &&
	       a->covered_us == b->covered_us && a->uniform_failed == b->uniform_failed &&
	       a->rate_known == b->rate_known && a->with_country == b->with_country &&
	       a->with_asn == b->with_asn && a->interval_min == b->interval_min &&
	       a->interval_max == b->interval_max && a->dirs == b->dirs;
}

/* A report over the first n directories but those in skip: the codes and
 * messages of report_add_dir() (failed[i] set for a directory refused)
 * and report_finish() (*rc) checked, the report in *out. */
static const char *load_report(size_t n, const bool *skip, bool *failed, report_t **out, int *rc,
                               struct bs_err *err)
{
	static const int add_codes[] = {-BS_EIO, -BS_EFORMAT, -BS_ENOMEM, 0};
	static const int finish_codes[] = {-BS_ERANGE, -BS_ENOMEM, 0};
	*out = report_create(0, REPORT_NO_UNTIL, FUZZ_TOP);
	if (*out == NULL)
		return "report: out of memory in the check";
	const char *why = NULL;
	for (size_t i = 0; i < n && why == NULL; i++) {
		if (skip[i])
			continue;
		memset(err, 'x', sizeof *err);
		int add = report_add_dir(*out, dirs[i], err);
		why = check_err("report_add_dir", add, err, add_codes);
		failed[i] = add != 0;
	}
	if (why != NULL)
		return why;
	memset(err, 'x', sizeof *err);
	*rc = report_finish(*out, err);
	return check_err("report_finish", *rc, err, finish_codes);
}

const char *fuzz_run_report(const uint8_t *data, size_t size)
{
	size_t n = write_shards(data, size);
	if (n == 0)
		return "report: cannot write the directories";
	struct bs_err *err = malloc(sizeof *err); /* on the heap: ASan sees any overrun */
	report_t *r = NULL, *good = NULL;
	bool none[FUZZ_SHARDS] = {false}, failed[FUZZ_SHARDS] = {false}, again[FUZZ_SHARDS];
	int rc = 0, good_rc = 0;
	const char *why = err != NULL ? load_report(n, none, failed, &r, &rc, err)
	                              : "report: out of memory in the check";
	size_t n_read = 0;
	for (size_t i = 0; i < n; i++)
		n_read += !failed[i];
	if (why == NULL && rc == 0)
		why = check_report(r, n_read);
	/* report.h: a directory that fails contributes nothing, so the report
	 * is the one over the others alone. */
	if (why == NULL && n_read > 0 && n_read < n) {
		why = load_report(n, failed, again, &good, &good_rc, err);
		if (why == NULL &&
		    (good_rc != rc ||
		     (rc == 0 && !same_totals(report_totals(r), report_totals(good)))))
			why = "report_add_dir: a directory refused still changed the report";
	}
	if (why != NULL && err != NULL && memchr(err->msg, '\0', sizeof err->msg) != NULL)
		fprintf(stderr, "report: rc %d, message '%s'\n", rc, err->msg);
	report_free(r);
	report_free(good);
	free(err);
	remove_dirs();
	return why;
}
