/* collector.c - the collect pipeline (see collector.h). */
#include "collector.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bs_error.h"
#include "classify.h"
#include "reader.h"
#include "results.h"
#include "tseries.h"

struct input {
	char *uri;
	int64_t size_bytes; /* -1 when not a regular file */
	dev_t dev;
	ino_t ino;
	bool has_inode;
	uint64_t packets;
	uint64_t first_us, last_us;
	char *error;        /* NULL or what went wrong */
	bool skipped;       /* never processed */
	bool has_first;     /* first_us known from the ordering pass */
	reader_t *held;     /* standard input stays open between passes */
};

struct collector {
	struct collector_config cfg;
	struct input *inputs;
	size_t n_inputs, cap_inputs;
	char **warnings;
	size_t n_warnings, cap_warnings;
	struct summary_counters counters;
	uint64_t first_us, last_us; /* packet time range of accepted packets */
	bool stopped;
	attack_table_t *attacks;
	results_t *results;
	tseries_t *tseries;
	const char *failed_output;
	int64_t bytes_total, bytes_done;
};

/* Doubles *cap until it holds need items of size bytes; overflow-checked. */
static int grow(void **array, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return -BS_ENOMEM;
		n *= 2;
	}
	void *p = realloc(*array, n * size);
	if (p == NULL)
		return -BS_ENOMEM;
	*array = p;
	*cap = n;
	return 0;
}

__attribute__((format(printf, 2, 3))) static int add_warning(collector_t *c, const char *fmt, ...)
{
	if (grow((void **)&c->warnings, &c->cap_warnings, c->n_warnings + 1, sizeof *c->warnings))
		return -BS_ENOMEM;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	char *copy = strdup(buf);
	if (copy == NULL)
		return -BS_ENOMEM;
	c->warnings[c->n_warnings++] = copy;
	return 0;
}

/* Records a per-file problem both on the input and as a run warning. */
static int input_failed(collector_t *c, struct input *in, const char *why)
{
	free(in->error);
	in->error = strdup(why);
	if (in->error == NULL)
		return -BS_ENOMEM;
	c->counters.files_failed++;
	return add_warning(c, "%s: %s", in->uri, why);
}

static int on_attack(const struct attack_record *rec, void *arg)
{
	collector_t *c = arg;
	struct geo_info geo;
	const struct geo_info *g = NULL;
	if (c->cfg.geo != NULL && geo_lookup(c->cfg.geo, &rec->victim, &geo) == 0)
		g = &geo;
	int rc = results_add(c->results, rec, g);
	if (rc == 0)
		rc = tseries_add_attack(c->tseries, rec);
	return rc;
}

collector_t *collector_create(const struct collector_config *cfg)
{
	collector_t *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->cfg = *cfg;
	c->attacks = attack_table_create(&cfg->params, cfg->telescope, on_attack, c);
	c->results = results_create();
	c->tseries = tseries_create(cfg->interval_s);
	if (c->attacks == NULL || c->results == NULL || c->tseries == NULL) {
		collector_free(c);
		return NULL;
	}
	return c;
}

void collector_free(collector_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_inputs; i++) {
		free(c->inputs[i].uri);
		free(c->inputs[i].error);
		reader_free(c->inputs[i].held);
	}
	free(c->inputs);
	for (size_t i = 0; i < c->n_warnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	attack_table_free(c->attacks);
	results_free(c->results);
	tseries_free(c->tseries);
	free(c);
}

int collector_add_input(collector_t *c, const char *uri)
{
	if (grow((void **)&c->inputs, &c->cap_inputs, c->n_inputs + 1, sizeof *c->inputs))
		return -BS_ENOMEM;
	struct input *in = &c->inputs[c->n_inputs];
	memset(in, 0, sizeof *in);
	in->uri = strdup(uri);
	if (in->uri == NULL)
		return -BS_ENOMEM;
	in->size_bytes = -1;
	struct stat st;
	if (strcmp(uri, "-") != 0 && stat(uri, &st) == 0 && S_ISREG(st.st_mode)) {
		in->size_bytes = st.st_size;
		in->dev = st.st_dev;
		in->ino = st.st_ino;
		in->has_inode = true;
	}
	c->n_inputs++;
	return 0;
}

/* The same file named twice (or through a link) would count every packet
 * twice: keep the first. */
static bool is_duplicate(const collector_t *c, size_t i)
{
	const struct input *in = &c->inputs[i];
	for (size_t j = 0; j < i; j++) {
		const struct input *o = &c->inputs[j];
		if (in->has_inode && o->has_inode && in->dev == o->dev && in->ino == o->ino)
			return true;
	}
	return false;
}

/* Ordering pass: first packet time of every input. Standard input cannot
 * be opened twice, so its reader is kept (its first packet is read again
 * by nobody: we remember that it is pending). */
static int probe_inputs(collector_t *c)
{
	for (size_t i = 0; i < c->n_inputs; i++) {
		struct input *in = &c->inputs[i];
		int rc;
		if (is_duplicate(c, i)) {
			in->skipped = true;
			if ((rc = add_warning(c, "%s: given twice, read once", in->uri)))
				return rc;
			continue;
		}
		char err[READER_ERRLEN];
		reader_t *r;
		rc = reader_open(in->uri, c->cfg.filter, &r, err, sizeof err);
		if (rc == -BS_ENOMEM)
			return rc;
		if (rc != 0) {
			in->skipped = true;
			if ((rc = input_failed(c, in, err)))
				return rc;
			continue;
		}
		if (strcmp(in->uri, "-") == 0) {
			in->held = r;
			continue;
		}
		struct reader_packet pkt;
		if (reader_next(r, &pkt) == 1) {
			in->first_us = pkt.ts_us;
			in->has_first = true;
		}
		reader_free(r);
		if (in->size_bytes > 0)
			c->bytes_total += in->size_bytes;
	}
	return 0;
}

static int by_first_packet(const void *a, const void *b)
{
	const struct input *x = a, *y = b;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	return strcmp(x->uri, y->uri);
}

static void count_failure(struct summary_counters *k, int rc)
{
	if (rc == -BS_ETRUNC)
		k->truncated++;
	else
		k->malformed++;
}

/* One packet through the pipeline. Returns 0 or a fatal error. */
static int process_packet(collector_t *c, const struct reader_packet *pkt)
{
	struct summary_counters *k = &c->counters;
	k->packets++;
	if (pkt->ts_us < c->last_us)
		k->out_of_order++;
	if (pkt->filtered) {
		k->filtered++;
		return 0;
	}
	if (pkt->l3 == NULL) {
		k->non_ip++;
		return 0;
	}
	struct bs_event ev;
	int rc = classify_packet(pkt->l3, pkt->l3_len, pkt->ethertype, &ev);
	switch (rc) {
	case CLASSIFY_BACKSCATTER:
		ev.ts_us = pkt->ts_us;
		break;
	case CLASSIFY_NOT_BACKSCATTER:
		k->not_backscatter++;
		return 0;
	case CLASSIFY_FRAGMENT:
		k->fragments++;
		return 0;
	case CLASSIFY_NOT_IP:
		k->non_ip++;
		return 0;
	default:
		count_failure(k, rc);
		return 0;
	}
	if (!bs_prefixes_contains(c->cfg.telescope, &ev.dst)) {
		k->outside_telescope++;
		return 0;
	}
	rc = tseries_add_packet(c->tseries, ev.ts_us, ev.proto);
	if (rc == -BS_ERANGE) {
		/* So far from the rest of the capture that binning it would
		 * need an absurd number of bins: a corrupt timestamp. */
		k->time_outliers++;
		return 0;
	}
	if (rc != 0)
		return rc;
	k->backscatter++;
	if (c->first_us == 0 || ev.ts_us < c->first_us)
		c->first_us = ev.ts_us;
	if (ev.ts_us > c->last_us)
		c->last_us = ev.ts_us;
	return attack_table_update(c->attacks, &ev);
}

static void report_progress(collector_t *c, size_t i)
{
	if (c->cfg.progress == NULL)
		return;
	struct collector_progress p = {
		.file_index = i,
		.n_files = c->n_inputs,
		.uri = c->inputs[i].uri,
		.packets = c->counters.packets,
		.bytes_done = c->bytes_done,
		.bytes_total = c->bytes_total,
	};
	c->cfg.progress(&p, c->cfg.progress_arg);
}

static bool stop_requested(const collector_t *c)
{
	return c->cfg.stop != NULL && *c->cfg.stop;
}

/* Reads one input to its end (or a stop request). */
static int read_input(collector_t *c, size_t i)
{
	struct input *in = &c->inputs[i];
	reader_t *r = in->held;
	in->held = NULL;
	char err[READER_ERRLEN];
	if (r == NULL) {
		int rc = reader_open(in->uri, c->cfg.filter, &r, err, sizeof err);
		if (rc == -BS_ENOMEM)
			return rc;
		if (rc != 0)
			return input_failed(c, in, err);
	}
	struct reader_packet pkt;
	int got;
	uint32_t since_check = 0;
	while ((got = reader_next(r, &pkt)) == 1) {
		if (in->packets == 0 || pkt.ts_us < in->first_us)
			in->first_us = pkt.ts_us;
		if (pkt.ts_us > in->last_us)
			in->last_us = pkt.ts_us;
		in->packets++;
		int rc = process_packet(c, &pkt);
		if (rc != 0) {
			reader_free(r);
			return rc;
		}
		if (++since_check == COLLECTOR_PROGRESS_EVERY) {
			since_check = 0;
			report_progress(c, i);
			if (stop_requested(c)) {
				c->stopped = true;
				break;
			}
		}
	}
	int rc = 0;
	if (got < 0) {
		snprintf(err, sizeof err, "cut short or corrupt after %llu packets: %s",
			 (unsigned long long)in->packets, reader_error(r));
		rc = input_failed(c, in, err);
	}
	reader_free(r);
	if (in->size_bytes > 0)
		c->bytes_done += in->size_bytes;
	return rc;
}

int collector_run(collector_t *c)
{
	int rc = probe_inputs(c);
	if (rc != 0)
		return rc;
	qsort(c->inputs, c->n_inputs, sizeof *c->inputs, by_first_packet);
	for (size_t i = 0; i < c->n_inputs && !c->stopped; i++) {
		if (c->inputs[i].skipped)
			continue;
		report_progress(c, i);
		if ((rc = read_input(c, i)) != 0)
			return rc;
		if (stop_requested(c))
			c->stopped = true;
	}
	if (c->stopped && (rc = add_warning(c, "stopped by a signal: results cover the packets read so far")))
		return rc;
	/* Flows still open are ended as of their last packet, so a trace
	 * shorter than a timeout still reports its attacks. */
	return attack_table_flush(c->attacks);
}

enum collector_status collector_status(const collector_t *c)
{
	size_t read_ok = 0;
	for (size_t i = 0; i < c->n_inputs; i++)
		if (!c->inputs[i].skipped && c->inputs[i].error == NULL)
			read_ok++;
	bool any_read = false;
	for (size_t i = 0; i < c->n_inputs; i++)
		if (c->inputs[i].packets > 0 || (!c->inputs[i].skipped && c->inputs[i].error == NULL))
			any_read = true;
	if (!any_read)
		return COLLECTOR_NO_INPUT;
	if (read_ok < c->n_inputs || c->stopped)
		return COLLECTOR_WARNINGS;
	return COLLECTOR_OK;
}

size_t collector_warning_count(const collector_t *c)
{
	return c->n_warnings;
}

const char *collector_warning(const collector_t *c, size_t i)
{
	return i < c->n_warnings ? c->warnings[i] : NULL;
}

size_t collector_attack_count(const collector_t *c)
{
	return results_count(c->results);
}

const char *collector_failed_output(const collector_t *c)
{
	return c->failed_output;
}

int collector_write(collector_t *c, const char *dir, const char *command_line, const char *version)
{
	const bs_prefixes_t *tel = c->cfg.telescope;
	int rc = results_write_csv(c->results, dir, bs_prefixes_size(tel, BS_AF_INET),
				   bs_prefixes_size(tel, BS_AF_INET6));
	if (rc != 0) {
		c->failed_output = "attacks.csv";
		return rc;
	}
	if ((rc = tseries_write_csv(c->tseries, dir)) != 0) {
		c->failed_output = "timeseries.csv";
		return rc;
	}
	struct summary_input *ins = calloc(c->n_inputs ? c->n_inputs : 1, sizeof *ins);
	if (ins == NULL)
		return -BS_ENOMEM;
	for (size_t i = 0; i < c->n_inputs; i++) {
		const struct input *in = &c->inputs[i];
		ins[i] = (struct summary_input){
			.uri = in->uri,
			.size_bytes = in->size_bytes,
			.packets = in->packets,
			.first_us = in->first_us,
			.last_us = in->last_us,
			.error = in->error,
			.skipped = in->skipped,
		};
	}
	struct summary s = {
		.version = version,
		.command_line = command_line,
		.preset = c->cfg.preset,
		.params = c->cfg.params,
		.interval_s = c->cfg.interval_s,
		.telescope = tel,
		.geo_db = c->cfg.geo_db,
		.asn_db = c->cfg.asn_db,
		.filter = c->cfg.filter,
		.inputs = ins,
		.n_inputs = c->n_inputs,
		.counters = c->counters,
		.first_us = c->first_us,
		.last_us = c->last_us,
		.partial = c->stopped,
		.partial_reason = c->stopped ? "stopped by a signal" : NULL,
		.warnings = (const char *const *)c->warnings,
		.n_warnings = c->n_warnings,
	};
	attack_table_stats(c->attacks, &s.attack_stats);
	rc = summary_write(dir, &s);
	free(ins);
	if (rc != 0)
		c->failed_output = "summary.json";
	return rc;
}
