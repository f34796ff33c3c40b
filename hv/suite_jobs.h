/* The suite's guests as jobs spread over the online pCPUs, their output kept in suite order.
 *
 * Each job runs whole on one pCPU (its VM is made, run and destroyed there). Whatever the hypervisor
 * prints while a job runs belongs to it: the job with the lowest unfinished index writes straight to the
 * console, the others into their own buffer, written out when every job before them is done. So the log
 * reads as if the jobs had run one after another, and with one pCPU they do. TAP result lines are
 * numbered when they are written, in that order.
 *
 * Ordering rules: jobs are taken by an atomic counter, lowest index first; `head` (the next job to be
 * written) and every job's buffer change only under the order lock; a job's `done` is set under it too. */
#ifndef HV_SUITE_JOBS_H
#define HV_SUITE_JOBS_H

#include "lib/types.h"

struct suite_job;
typedef void (*suite_job_fn)(struct suite_job *job);

struct suite_job {
	u32 index;         /* suite order, set by suite_jobs_run() */
	u32 pcpu;          /* the pCPU it ran on */
	suite_job_fn run;  /* the caller's: runs the job, prints its results */
	void *ctx;         /* the caller's */
	bool after_previous; /* runs right after job index - 1, on its pCPU */
	u32 weight;        /* the caller's guess of its cost (its vCPUs): heavier jobs start first */
	char *out;         /* output while it is not the head (pool pages) */
	u64 out_len, out_pages;
	bool growing;      /* its buffer is being enlarged */
	bool done;
};

/* Runs jobs[0 .. n-1] on every online pCPU (the boot CPU too) and returns when all are done and
 * written out. They start heaviest first (then in suite order), so the longest is not left for last;
 * the output is in suite order whatever the start order. */
void suite_jobs_run(struct suite_job *jobs, u32 n);

/* A TAP result line ("ok N - text" or "not ok N - text"), numbered in suite order; from a job or not. */
void suite_jobs_result(bool ok, const char *text);
/* How many result lines were written (the plan's N). */
u32 suite_jobs_results(void);

/* For a job whose VM found no memory (having freed what it got): true after one more job has finished,
 * when the memory other pCPUs' VMs held may be free again; false when no other job is running, so the
 * memory is not there at all. A waiting job does not count as running: two cannot wait for each other. */
bool suite_jobs_wait_for_memory(void);

#endif
