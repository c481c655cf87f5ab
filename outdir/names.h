/* names.h - the file names of an output directory (INTERFACE.md "Output
 * directory"), named once: users' scripts and notebooks open them by
 * these names for years. */
#ifndef OUTDIR_NAMES_H
#define OUTDIR_NAMES_H

#define OUTDIR_ATTACKS    "attacks.csv"
#define OUTDIR_TIMESERIES "timeseries.csv"
#define OUTDIR_SUMMARY    "summary.json"
/* The edge flows of a run, for merge to stitch (flowstate.h). */
#define OUTDIR_FLOWSTATE "flows.state"
/* collect --prefix-view: attacks on victim prefixes (carpet bombing). */
#define OUTDIR_PREFIX_ATTACKS "prefix_attacks.csv"
/* The first packets of every attack (collect --evidence, pcapng.h). */
#define OUTDIR_EVIDENCE "evidence.pcapng"

#endif
