/* packet_counters.c - see packet_counters.h. */
#include "telescope/packet_counters.h"

void packet_counters_add(struct packet_counters *sum, const struct packet_counters *k)
{
	sum->packets += k->packets;
	sum->non_ip += k->non_ip;
	sum->malformed += k->malformed;
	sum->truncated += k->truncated;
	sum->fragments += k->fragments;
	sum->outside_telescope += k->outside_telescope;
	sum->not_backscatter += k->not_backscatter;
	sum->backscatter += k->backscatter;
	sum->filtered += k->filtered;
	sum->out_of_order += k->out_of_order;
	sum->time_outliers += k->time_outliers;
	sum->files_failed += k->files_failed;
}
