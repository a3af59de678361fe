// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fobench-p1 - participant P1 of the benchmark: the smallest C libbpf consumer of fileopend's own
 * BPF object, the practical lower bound for the daemon's design.
 *
 * It does what fileopend does at its events level and nothing more: loads the very object the
 * build plugin compiled (the .bpf.o under .build-vmtest/plugins/outputs), sets the same
 * `const volatile` globals (excluded_tgid = itself, wakeup_bytes = ring / 4, args_at_exit as the
 * kernel allows), sizes the ring the same, attaches the same programs in the same attach mode
 * (--mode: tracepoint by default, the sys_exit tracepoints of open, openat, openat2 and creat that
 * exist, plus the sys_enter ones where arguments must be parked; fentry; kprobe; plus
 * sched_process_exit), drains on the same policy (records go in with BPF_RB_NO_WAKEUP, the program
 * forces a wakeup past wakeup_bytes; the consumer drains every --drain-ms), counts open records per
 * process in a flat open-addressing table, and folds the kernel's per-process missed map and the
 * per-CPU drops map once a second, so that "records + counted drops = opens" can be checked.
 *
 * Usage: fobench-p1 --object FILE [--mode tracepoint|fentry|kprobe] [--ring-bytes N] [--drain-ms N]
 *                   [--comm NAME] [--stall-at SECONDS --stall-for SECONDS]
 * Prints {"ready":true,...} once attached; on SIGUSR1 drains the ring and prints the counts so far
 * as a JSON line; on SIGINT/SIGTERM detaches, drains the rest and prints the final counts. The test-only --stall-* options block the consumer once, as a
 * stuck consumer would, to measure drops during a stall.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "fileopend.h"

/* A power of two, so the probe sequence can mask; far more than any benchmark scenario makes. */
#define TABLE_SLOTS (1u << 18)

/* One process: identity (tgid + start time), its open records and its folded missed count. */
struct proc_slot {
	uint64_t start_ns;
	uint32_t tgid;
	bool used;
	bool exited;
	uint64_t records;
	uint64_t missed;	/* the kernel's missed count for it, as last folded */
	uint64_t missed_this_fold;	/* summed over its entries during a fold */
	uint64_t fold;		/* the fold that last saw an entry of it */
	char comm[FILEOPEND_COMM_LEN];
};

static struct proc_slot table[TABLE_SLOTS];
static uint64_t table_full;	/* records of processes the table had no room for */
static uint64_t open_records, exit_records, undecodable;
static volatile sig_atomic_t stopping, snapshot_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		snapshot_requested = 1;
	else
		stopping = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The slot of (tgid, start), inserted if new; NULL when the table is full. */
static struct proc_slot *lookup(uint32_t tgid, uint64_t start_ns, const char *comm)
{
	uint32_t h = (uint32_t)((tgid * 0x9E3779B1u) ^ (uint32_t)(start_ns >> 7) * 0x85EBCA6Bu);

	for (uint32_t probe = 0; probe < TABLE_SLOTS; probe++) {
		struct proc_slot *s = &table[(h + probe) & (TABLE_SLOTS - 1)];

		if (!s->used) {
			s->used = true;
			s->tgid = tgid;
			s->start_ns = start_ns;
			memcpy(s->comm, comm, FILEOPEND_COMM_LEN);
			s->comm[FILEOPEND_COMM_LEN - 1] = 0;
			return s;
		}
		if (s->tgid == tgid && s->start_ns == start_ns)
			return s;
	}
	return NULL;
}

/* ring_buffer callback: validate the record exactly as the daemon's decoder does, then count. */
static int handle_record(void *ctx, void *data, size_t size)
{
	const struct fileopend_record *r = data;
	struct proc_slot *s;

	(void)ctx;
	if (size < sizeof(*r)) {
		undecodable++;
		return 0;
	}
	switch (r->kind) {
	case FILEOPEND_RECORD_OPEN:
		if (r->path_len > FILEOPEND_PATH_MAX || r->resolved_len > FILEOPEND_PATH_MAX ||
		    size != sizeof(*r) + r->path_len + r->resolved_len || (r->resolution == 0) != (r->resolved_len == 0)) {
			undecodable++;
			return 0;
		}
		open_records++;
		s = lookup(r->tgid, r->process_start_ns, r->comm);
		if (s)
			s->records++;
		else
			table_full++;
		break;
	case FILEOPEND_RECORD_EXIT:
		exit_records++;
		s = lookup(r->tgid, r->process_start_ns, r->comm);
		if (s)
			s->exited = true;
		break;
	default:
		undecodable++;
	}
	return 0;
}

/*
 * Folds the missed map into the table, then deletes the entries of exited processes (they open
 * nothing more: an exit record or the kernel's exit mark says so), as the daemon's maintenance
 * does, so the map drains. Only a process's totals entry (error 0) counts opens; its errno
 * entries go with it. Deleting during the walk would restart it, so the keys are collected first.
 */
static void fold_missed(int missed_fd)
{
	static struct fileopend_count_key finished[4096];
	static uint64_t folds;
	struct fileopend_count_key key, next, *prev = NULL;
	struct fileopend_counts value;
	size_t nfinished = 0;

	folds++;
	while (bpf_map_get_next_key(missed_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(missed_fd, &key, &value))
			continue;
		struct proc_slot *s = lookup(key.tgid, key.start_ns, value.comm);

		if (!s)
			continue;
		if (s->fold != folds) {
			s->fold = folds;
			s->missed_this_fold = 0;
		}
		/* One entry per result: its opens are its counts by access mode. */
		s->missed_this_fold += value.reads + value.writes + value.read_writes;
		if (s->missed_this_fold > s->missed)
			s->missed = s->missed_this_fold;
		if (key.error == 0 && value.exit_ns)
			s->exited = true;
		if (s->exited && nfinished < sizeof(finished) / sizeof(finished[0]))
			finished[nfinished++] = key;
	}
	for (size_t i = 0; i < nfinished; i++)
		bpf_map_delete_elem(missed_fd, &finished[i]);
}

/* Sum of the per-CPU drop counters, by reason. */
static void read_drops(int drops_fd, uint64_t out[FILEOPEND_DROP_REASON_COUNT])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *values = calloc(ncpu > 0 ? ncpu : 1, sizeof(*values));

	for (uint32_t reason = 0; reason < FILEOPEND_DROP_REASON_COUNT; reason++) {
		out[reason] = 0;
		if (values && !bpf_map_lookup_elem(drops_fd, &reason, values))
			for (int cpu = 0; cpu < ncpu; cpu++)
				out[reason] += values[cpu];
	}
	free(values);
}

/* Writes `value` into the const volatile global `name` of .rodata, before load (like setGlobal). */
static int set_rodata(struct bpf_object *obj, const char *name, const void *value, size_t size)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	size_t data_size = 0;
	const char *current = map ? bpf_map__initial_value(map, &data_size) : NULL;
	int sec_id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;

	if (!current || sec_id < 0) {
		fprintf(stderr, "fobench-p1: set_rodata(%s): no .rodata section or BTF\n", name);
		return -1;
	}
	const struct btf_type *sec = btf__type_by_id(btf, sec_id);
	const struct btf_var_secinfo *var = btf_var_secinfos(sec);

	for (int i = 0; i < btf_vlen(sec); i++, var++) {
		const struct btf_type *t = btf__type_by_id(btf, var->type);

		if (strcmp(btf__name_by_offset(btf, t->name_off), name))
			continue;
		if (var->size != size || var->offset + size > data_size) {
			fprintf(stderr, "fobench-p1: set_rodata(%s): size %u, expected %zu\n", name, var->size, size);
			return -1;
		}
		/* The initial value is read-only here: change a copy and set it back. */
		char *data = malloc(data_size);

		if (!data)
			return -1;
		memcpy(data, current, data_size);
		memcpy(data + var->offset, value, size);
		int err = bpf_map__set_initial_value(map, data, data_size);

		free(data);
		if (err)
			fprintf(stderr, "fobench-p1: bpf_map__set_initial_value(.rodata) failed: errno %d\n", -err);
		return err;
	}
	fprintf(stderr, "fobench-p1: set_rodata(%s): no such variable\n", name);
	return -1;
}

/* Whether tracefs has syscalls/sys_enter_<name> (open and creat are absent on arm64). */
static bool has_syscall_tracepoint(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/syscalls/sys_enter_%s", name);
	return access(path, F_OK) == 0;
}

/* The mode's programs, as fileopend's plan for it (FileOpenProbe.plan). */
static bool wanted_program(const char *name, const char *mode, bool args_at_exit)
{
	static const char *const calls[] = { "open", "openat", "openat2", "creat" };
	char expected[64];

	if (!strcmp(name, "handle_process_exit"))
		return true;
	if (!strcmp(mode, "fentry"))
		return !strcmp(name, "fexit_do_sys_openat2");
	if (!strcmp(mode, "kprobe"))
		return !strcmp(name, "kprobe_do_sys_openat2") || !strcmp(name, "kretprobe_do_sys_openat2");
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (!has_syscall_tracepoint(calls[i]))
			continue;
		snprintf(expected, sizeof(expected), "tp_exit_%s", calls[i]);
		if (!strcmp(name, expected))
			return true;
		snprintf(expected, sizeof(expected), "tp_enter_%s", calls[i]);
		if (!args_at_exit && !strcmp(name, expected))
			return true;
	}
	return false;
}

/* Loads only the mode's programs and attaches them. */
static int load_and_attach(struct bpf_object *obj, const char *mode, bool args_at_exit, struct bpf_link **links,
			   int *nlinks)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, obj) {
		bool wanted = wanted_program(bpf_program__name(prog), mode, args_at_exit);

		bpf_program__set_autoload(prog, wanted);
	}
	if (!strcmp(mode, "tracepoint") && args_at_exit)
		bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "pending"), 1);
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "fobench-p1: bpf_object__load failed: %s (errno %d)\n", strerror(-err), -err);
		return err;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		struct bpf_link *link = bpf_program__attach(prog);

		if (!link) {
			err = -errno;
			fprintf(stderr, "fobench-p1: bpf_program__attach(%s) failed: %s (errno %d)\n",
				bpf_program__name(prog), strerror(-err), -err);
			return err;
		}
		links[(*nlinks)++] = link;
	}
	return 0;
}

/*
 * Folds the missed map and prints the counts so far as one JSON line: open records, missed opens
 * (the kernel's per-process count of opens whose record was dropped), drops by reason, and the
 * records and missed opens of the processes named `comm` (the load generator's).
 */
static void print_summary(int missed_fd, int drops_fd, const char *comm)
{
	uint64_t drops[FILEOPEND_DROP_REASON_COUNT], missed_total = 0;
	uint64_t comm_records = 0, comm_missed = 0, comm_processes = 0, processes = 0;

	fold_missed(missed_fd);
	read_drops(drops_fd, drops);
	for (uint32_t i = 0; i < TABLE_SLOTS; i++) {
		if (!table[i].used)
			continue;
		processes++;
		missed_total += table[i].missed;
		if (!strncmp(table[i].comm, comm, FILEOPEND_COMM_LEN - 1)) {
			comm_processes++;
			comm_records += table[i].records;
			comm_missed += table[i].missed;
		}
	}
	printf("{\"open_records\":%llu,\"exit_records\":%llu,\"undecodable\":%llu,\"missed_opens\":%llu,"
	       "\"processes\":%llu,\"table_full\":%llu,"
	       "\"drops\":{\"ring_buffer_full\":%llu,\"pending_map_full\":%llu,\"exit_ring_buffer_full\":%llu,"
	       "\"missed_map_full\":%llu,\"missed_comm_map_full\":%llu,\"exit_unmarked\":%llu},"
	       "\"comm\":{\"name\":\"%s\",\"records\":%llu,\"missed\":%llu,\"processes\":%llu}}\n",
	       (unsigned long long)open_records, (unsigned long long)exit_records,
	       (unsigned long long)undecodable, (unsigned long long)missed_total,
	       (unsigned long long)processes, (unsigned long long)table_full,
	       (unsigned long long)drops[0], (unsigned long long)drops[1], (unsigned long long)drops[2],
	       (unsigned long long)drops[3], (unsigned long long)drops[4], (unsigned long long)drops[5],
	       comm, (unsigned long long)comm_records,
	       (unsigned long long)comm_missed, (unsigned long long)comm_processes);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *object_path = NULL, *comm = "fobench-load", *mode = "tracepoint";
	unsigned long ring_bytes = 4u << 20, drain_ms = 10;
	double stall_at = -1, stall_for = 0;
	static const struct option options[] = {
		{ "object", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'm' },
		{ "ring-bytes", required_argument, NULL, 'r' },
		{ "drain-ms", required_argument, NULL, 'd' },
		{ "comm", required_argument, NULL, 'c' },
		{ "stall-at", required_argument, NULL, 'a' },
		{ "stall-for", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct bpf_link *links[16];
	int nlinks = 0, opt, err;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'o': object_path = optarg; break;
		case 'm': mode = optarg; break;
		case 'r': ring_bytes = strtoul(optarg, NULL, 0); break;
		case 'd': drain_ms = strtoul(optarg, NULL, 0); break;
		case 'c': comm = optarg; break;
		case 'a': stall_at = atof(optarg); break;
		case 'f': stall_for = atof(optarg); break;
		default:
			fprintf(stderr, "usage: fobench-p1 --object FILE [--mode tracepoint|fentry|kprobe] [--ring-bytes N] "
				"[--drain-ms N] [--comm NAME] [--stall-at S --stall-for S]\n");
			return 64;
		}
	}
	if (!object_path) {
		fprintf(stderr, "fobench-p1: --object is required\n");
		return 64;
	}
	prctl(PR_SET_NAME, "fobench-p1", 0, 0, 0);	/* the consumer thread's name in /proc */
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);

	struct bpf_object *obj = bpf_object__open_file(object_path, NULL);

	if (!obj) {
		fprintf(stderr, "fobench-p1: bpf_object__open_file(%s) failed: %s (errno %d)\n", object_path,
			strerror(errno), errno);
		return 1;
	}
	uint32_t self = (uint32_t)getpid();
	uint64_t wakeup_bytes = ring_bytes / 4;	/* ProbeSettings.effectiveWakeupBytes */

	/* As FileOpenProbe.resolved: read the arguments at exit where tracepoints may read the registers. */
	bool args_at_exit = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_current_task_btf, NULL) == 1 &&
			    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) == 1;

	if (strcmp(mode, "tracepoint") && strcmp(mode, "fentry") && strcmp(mode, "kprobe")) {
		fprintf(stderr, "fobench-p1: --mode takes tracepoint, fentry or kprobe, not %s\n", mode);
		return 64;
	}
	if (set_rodata(obj, "excluded_tgid", &self, sizeof(self)) ||
	    set_rodata(obj, "wakeup_bytes", &wakeup_bytes, sizeof(wakeup_bytes)) ||
	    set_rodata(obj, "args_at_exit", &args_at_exit, sizeof(args_at_exit)))
		return 1;
	if (!strcmp(mode, "fentry")) {
		err = bpf_program__set_attach_target(bpf_object__find_program_by_name(obj, "fexit_do_sys_openat2"), 0,
						     "do_sys_openat2");
		if (err) {
			fprintf(stderr, "fobench-p1: bpf_program__set_attach_target failed: errno %d\n", -err);
			return 1;
		}
	}
	err = bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "events"), ring_bytes);
	if (err) {
		fprintf(stderr, "fobench-p1: bpf_map__set_max_entries(events) failed: errno %d\n", -err);
		return 1;
	}
	if (load_and_attach(obj, mode, args_at_exit, links, &nlinks))
		return 1;

	int missed_fd = bpf_object__find_map_fd_by_name(obj, "missed");
	int drops_fd = bpf_object__find_map_fd_by_name(obj, "drops");
	struct ring_buffer *rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "events"),
						  handle_record, NULL, NULL);

	if (!rb || missed_fd < 0 || drops_fd < 0) {
		fprintf(stderr, "fobench-p1: ring_buffer__new or map lookup failed: errno %d\n", errno);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);	/* print the counts so far (after a full drain) */
	printf("{\"ready\":true,\"pid\":%d,\"mode\":\"%s\",\"args_at_exit\":%s,\"ring_bytes\":%lu,"
	       "\"wakeup_bytes\":%llu,\"drain_ms\":%lu}\n",
	       (int)self, mode, args_at_exit ? "true" : "false", ring_bytes, (unsigned long long)wakeup_bytes, drain_ms);
	fflush(stdout);

	uint64_t start = now_ns(), last_fold = start;
	bool stalled = false;

	while (!stopping) {
		/* Wait for a forced wakeup or the drain interval, then take whatever is there. */
		err = ring_buffer__poll(rb, (int)drain_ms);
		if (err >= 0)
			err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "fobench-p1: ring_buffer__poll/consume failed: %s (errno %d)\n",
				strerror(-err), -err);
			break;
		}
		uint64_t now = now_ns();

		if (snapshot_requested) {
			snapshot_requested = 0;
			ring_buffer__consume(rb);
			print_summary(missed_fd, drops_fd, comm);
		}
		if (now - last_fold >= 1000000000ull) {
			fold_missed(missed_fd);
			last_fold = now;
		}
		if (!stalled && stall_at >= 0 && now - start >= (uint64_t)(stall_at * 1e9)) {
			struct timespec stall = { (time_t)stall_for, (long)((stall_for - (time_t)stall_for) * 1e9) };

			stalled = true;
			while (nanosleep(&stall, &stall) && errno == EINTR && !stopping)
				;
		}
	}
	/* Detach first so the last drain sees every record, then fold a last time. */
	for (int i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	ring_buffer__consume(rb);

	print_summary(missed_fd, drops_fd, comm);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
