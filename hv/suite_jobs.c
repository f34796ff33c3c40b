/* Suite jobs on every pCPU, output in suite order (see suite_jobs.h). */
#include "suite_jobs.h"
#include "console.h"
#include "log.h"
#include "lib/fmt.h"
#include "mm.h"
#include "pcpu.h"
#include "spinlock.h"
#include "x86.h"

/* In a job's buffer a result line is RESULT_MARK, 'Y' or 'N', its text and '\n'; it gets its number when
 * it is written out. A guest's own bytes never contain the mark (append() replaces it). */
#define RESULT_MARK '\x01'
#define OUT_FIRST_PAGES 4    /* most jobs print a few KiB */
#define OUT_MAX_PAGES 1024   /* 4 MiB; a job that prints more waits until it is the head */
#define WORKER_RETURN_MS 5000

static struct spinlock order_lock;
static struct suite_job *jobs;
static u32 njobs, head;  /* head: the lowest job not yet written out whole */
static u32 *start_order; /* job indices, heaviest first; an after_previous job is not in it */
static u32 nstarts;
static u32 next_start;   /* the next entry of start_order a pCPU takes */
static u32 results;      /* result lines written */
static u32 running;      /* jobs running and not waiting for memory (atomic) */
static u32 finished;     /* jobs finished (atomic) */

static void write_result(bool ok, const char *text, size_t n)
{
	char number[40];
	int len = snprintf(number, sizeof(number), "%s %u - ", ok ? "ok" : "not ok", ++results);
	console_write_now(number, (size_t)len);
	console_write_now(text, n);
}

/* Under the order lock: a buffer's text, its result lines numbered now. */
static void write_out(const char *s, u64 n)
{
	u64 i = 0;
	while (i < n) {
		u64 start = i;
		while (i < n && s[i] != RESULT_MARK)
			i++;
		if (i > start)
			console_write_now(s + start, i - start);
		if (i + 1 >= n)
			break;
		bool ok = s[i + 1] == 'Y';
		u64 text = i + 2;
		for (i = text; i < n && s[i] != '\n'; i++)
			;
		i += i < n; /* the newline is the line's */
		write_result(ok, s + text, i - text);
	}
}

static void release_buffer(struct suite_job *j)
{
	mm_free_pages(j->out, j->out_pages);
	j->out = NULL;
	j->out_len = j->out_pages = 0;
}

/* Under the order lock, with j not the head and room for n bytes (a result line with its mark). */
static void buffer_text(struct suite_job *j, const char *s, size_t n, bool result)
{
	memcpy(j->out + j->out_len, s, n);
	if (!result) /* a guest's bytes cannot pose as a result line */
		for (size_t i = 0; i < n; i++)
			if (j->out[j->out_len + i] == RESULT_MARK)
				j->out[j->out_len + i] = '?';
	j->out_len += n;
}

/* A larger buffer for j, made outside the lock (the pool has its own); false if there is none. */
static bool grow(struct suite_job *j, u64 need)
{
	u64 pages = MAX(j->out_pages * 2, (u64)OUT_FIRST_PAGES);
	while (pages * PAGE_SIZE < need)
		pages *= 2;
	if (pages > OUT_MAX_PAGES)
		return false;
	char *bigger = mm_alloc_pages(pages, PAGE_SIZE);
	if (!bigger)
		return false;
	spin_lock(&order_lock);
	char *old = j->out;
	u64 old_pages = j->out_pages;
	memcpy(bigger, old, j->out_len);
	j->out = bigger;
	j->out_pages = pages;
	spin_unlock(&order_lock);
	mm_free_pages(old, old_pages);
	return true;
}

static void append(struct suite_job *j, const char *s, size_t n, bool result)
{
	for (;;) {
		spin_lock(&order_lock);
		if (j->index == head) {
			if (result)
				write_result(s[1] == 'Y', s + 2, n - 2);
			else
				console_write_now(s, n);
			spin_unlock(&order_lock);
			return;
		}
		u64 need = j->out_len + n;
		if (need <= j->out_pages * PAGE_SIZE) {
			buffer_text(j, s, n, result);
			spin_unlock(&order_lock);
			return;
		}
		spin_unlock(&order_lock);
		/* Not while growing: the pool's out-of-memory message comes back here. */
		if (!j->growing) {
			j->growing = true;
			bool grown = grow(j, need);
			j->growing = false;
			if (grown)
				continue;
		}
		/* No larger buffer: wait to be the head (every job before this one is running or done). */
		while (__atomic_load_n(&head, __ATOMIC_ACQUIRE) != j->index)
			cpu_relax();
	}
}

static bool capture(const char *s, size_t n)
{
	struct suite_job *j = this_pcpu()->job;
	if (!j)
		return false;
	append(j, s, n, false);
	return true;
}

void suite_jobs_result(bool ok, const char *text)
{
	char line[256];
	int n = snprintf(line, sizeof(line) - 1, "%c%c%s", RESULT_MARK, ok ? 'Y' : 'N', text);
	n = MIN(n, (int)sizeof(line) - 2);
	line[n++] = '\n';
	struct suite_job *j = jobs ? this_pcpu()->job : NULL;
	if (j) {
		append(j, line, (size_t)n, true);
		return;
	}
	spin_lock(&order_lock);
	write_result(ok, line + 2, (size_t)n - 2);
	spin_unlock(&order_lock);
}

u32 suite_jobs_results(void)
{
	return results;
}

bool suite_jobs_wait_for_memory(void)
{
	u32 seen = __atomic_load_n(&finished, __ATOMIC_ACQUIRE);
	if (__atomic_sub_fetch(&running, 1, __ATOMIC_ACQ_REL) == 0) {
		__atomic_add_fetch(&running, 1, __ATOMIC_ACQ_REL);
		return false;
	}
	while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) == seen && __atomic_load_n(&running, __ATOMIC_ACQUIRE))
		cpu_relax();
	__atomic_add_fetch(&running, 1, __ATOMIC_ACQ_REL);
	return true;
}

/* j is done: it and every done job after it are written out; the next unfinished one writes on. */
static void finish(struct suite_job *j)
{
	spin_lock(&order_lock);
	j->done = true;
	while (head < njobs && jobs[head].done) {
		write_out(jobs[head].out, jobs[head].out_len);
		release_buffer(&jobs[head]);
		__atomic_store_n(&head, head + 1, __ATOMIC_RELEASE);
	}
	if (head < njobs && jobs[head].out_len) { /* running elsewhere: what it printed so far */
		write_out(jobs[head].out, jobs[head].out_len);
		jobs[head].out_len = 0;
	}
	spin_unlock(&order_lock);
}

static void worker(struct pcpu *self, void *arg)
{
	if (this_pcpu() != self) /* every per-pCPU structure would be shared */
		panic("pCPU %u: its GS base does not name its struct pcpu", self->index);
	pcpu_prepare_for_guests(self);
	for (;;) {
		u32 k = __atomic_fetch_add(&next_start, 1, __ATOMIC_RELAXED);
		if (k >= nstarts)
			return;
		u32 i = start_order[k];
		do { /* and the after_previous jobs behind it, here */
			struct suite_job *j = &jobs[i];
			j->pcpu = self->index;
			self->job = j;
			log_debug("suite job %u on pCPU %u", j->index, self->index); /* check-pcpus.sh reads it */
			__atomic_add_fetch(&running, 1, __ATOMIC_ACQ_REL);
			j->run(j);
			__atomic_sub_fetch(&running, 1, __ATOMIC_ACQ_REL);
			self->job = NULL;
			finish(j);
			__atomic_add_fetch(&finished, 1, __ATOMIC_RELEASE);
		} while (++i < njobs && jobs[i].after_previous);
	}
}

/* One line: how many jobs each pCPU ran (scripts/check-pcpus.sh checks that every one took some). */
static void log_spread(const struct suite_job *list, u32 n)
{
	char line[200];
	int len = 0;
	for (u32 p = 0; p < pcpu_count() && len < (int)sizeof(line) - 32; p++) {
		u32 ran = 0;
		for (u32 i = 0; i < n; i++)
			ran += list[i].pcpu == p;
		len += snprintf(line + len, sizeof(line) - (size_t)len, "%s pCPU %u %u", p ? "," : "", p, ran);
	}
	log_info("suite jobs per pCPU:%s", line);
}

/* Insertion sort, stable: heavier first, suite order among equals; with one pCPU, suite order (a heavy
 * job first would only hold back the output of the rest). */
static u32 order_by_weight(const struct suite_job *list, u32 n, u32 *order, bool by_weight)
{
	u32 m = 0;
	for (u32 i = 0; i < n; i++) {
		if (i && list[i].after_previous)
			continue;
		u32 at = m++;
		for (; by_weight && at && list[order[at - 1]].weight < list[i].weight; at--)
			order[at] = order[at - 1];
		order[at] = i;
	}
	return m;
}

void suite_jobs_run(struct suite_job *list, u32 n)
{
	u64 order_pages = ALIGN_UP((u64)n * sizeof(u32), PAGE_SIZE) / PAGE_SIZE;
	start_order = mm_alloc_pages(order_pages, PAGE_SIZE);
	if (!start_order)
		panic("no memory for the order of %u suite jobs", n);
	for (u32 i = 0; i < n; i++)
		list[i].index = i;
	nstarts = order_by_weight(list, n, start_order, pcpu_online_count() > 1);
	njobs = n;
	head = next_start = running = finished = 0;
	jobs = list;
	console_set_capture(capture);
	for (u32 i = 1; i < pcpu_count(); i++)
		if (__atomic_load_n(&pcpu_get(i)->state, __ATOMIC_ACQUIRE) == PCPU_ONLINE)
			pcpu_post(pcpu_get(i), worker, NULL);
	worker(this_pcpu(), NULL);
	/* The jobs on other pCPUs end by their own watchdog deadlines. */
	while (__atomic_load_n(&head, __ATOMIC_ACQUIRE) < n)
		cpu_relax();
	/* Every job is written out: an AP's worker has nothing left to take and returns at once. */
	for (u32 i = 1; i < pcpu_count(); i++)
		if (!pcpu_wait_idle(pcpu_get(i), WORKER_RETURN_MS))
			log_error("pCPU %u: its suite worker did not return within %u ms", i, WORKER_RETURN_MS);
	console_set_capture(NULL);
	jobs = NULL;
	mm_free_pages(start_order, order_pages);
	log_spread(list, n);
}
