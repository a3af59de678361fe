// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fobench-load - the benchmark's load generator. Built static, so that the dynamic loader opens
 * nothing: every open this process (comm "fobench-load") makes is one it counts.
 *
 *   --op fail      openat() of a missing path (ENOENT): a traced open that stays in the kernel
 *   --op file      openat() + close() of a real file (--path, default /etc/hostname)
 *   --op getppid   an untraced system call: the tax tracing puts on everything else
 *   --workers W    W worker processes in parallel (default 1)
 *   --seconds S    run for S seconds (default 2), or --count N operations per worker
 *   --rate R       R operations per second in all, paced; 0 (default) = flat out
 *   --fork-every K each worker forks a short-lived child per K operations (0 = no children)
 *
 * Prints one JSON line: operations done (the exact number of traced opens for fail and file),
 * wall time, ns per operation per worker (wall), CPU ns per operation (user + system of all
 * workers and children, which includes the BPF programs run in the caller's context), and the
 * number of processes that did operations.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum op { OP_FAIL, OP_FILE, OP_GETPPID };

/* Shared with the workers (MAP_SHARED): each adds what it did, once, at its end. */
struct totals {
	uint64_t ops;
	uint64_t processes;
	uint64_t failures;	/* operations that did not behave as expected (a missing file, ...) */
};

static enum op op = OP_FAIL;
static const char *path = "/etc/hostname";
static const char *missing = "/nonexistent/fobench/missing-file";

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One operation; returns 0 when it behaved as expected. Raw syscalls: no libc caching. */
static int one_op(void)
{
	long fd;

	switch (op) {
	case OP_FAIL:
		fd = syscall(SYS_openat, AT_FDCWD, missing, O_RDONLY);
		return fd == -1 && errno == ENOENT ? 0 : -1;
	case OP_FILE:
		fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
		if (fd < 0)
			return -1;
		close((int)fd);
		return 0;
	case OP_GETPPID:
		syscall(SYS_getppid);
		return 0;
	}
	return -1;
}

/*
 * `count` operations (or until `deadline`), paced at `period_ns` each (0 = flat out) from `start`.
 * Pacing sleeps only when ahead by more than 50 µs, so a late worker catches up in a burst.
 */
static uint64_t run_ops(uint64_t count, uint64_t deadline, uint64_t start, uint64_t period_ns,
			uint64_t done_before, uint64_t *failures)
{
	uint64_t done = 0;

	while (done < count) {
		if ((done & 63) == 0 && deadline && now_ns() >= deadline)
			break;
		if (period_ns) {
			uint64_t due = start + (done_before + done) * period_ns, now = now_ns();

			if (due > now + 50000) {
				struct timespec ts = { (time_t)((due - now) / 1000000000ull),
						       (long)((due - now) % 1000000000ull) };

				nanosleep(&ts, NULL);
			}
		}
		if (one_op())
			(*failures)++;
		done++;
	}
	return done;
}

int main(int argc, char **argv)
{
	unsigned long workers = 1, fork_every = 0;
	double seconds = 2, rate = 0;
	uint64_t count = 0;
	static const struct option options[] = {
		{ "op", required_argument, NULL, 'o' },
		{ "path", required_argument, NULL, 'p' },
		{ "workers", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "fork-every", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!strcmp(optarg, "fail"))
				op = OP_FAIL;
			else if (!strcmp(optarg, "file"))
				op = OP_FILE;
			else if (!strcmp(optarg, "getppid"))
				op = OP_GETPPID;
			else {
				fprintf(stderr, "fobench-load: unknown --op %s (fail, file, getppid)\n", optarg);
				return 64;
			}
			break;
		case 'p': path = optarg; break;
		case 'w': workers = strtoul(optarg, NULL, 0); break;
		case 's': seconds = atof(optarg); break;
		case 'n': count = strtoull(optarg, NULL, 0); break;
		case 'r': rate = atof(optarg); break;
		case 'k': fork_every = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: fobench-load --op fail|file|getppid [--workers W] [--seconds S | --count N] "
				"[--rate R] [--fork-every K] [--path FILE]\n");
			return 64;
		}
	}
	if (workers < 1)
		workers = 1;

	struct totals *totals = mmap(NULL, sizeof(*totals), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (totals == MAP_FAILED) {
		fprintf(stderr, "fobench-load: mmap failed: %s (errno %d)\n", strerror(errno), errno);
		return 1;
	}
	/* Each worker paces its share of the rate; the deadline stops a count-less run. */
	uint64_t period_ns = rate > 0 ? (uint64_t)(1e9 * (double)workers / rate) : 0;
	uint64_t start = now_ns(), deadline = count ? 0 : start + (uint64_t)(seconds * 1e9);
	uint64_t per_worker = count ? count : UINT64_MAX;

	for (unsigned long w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "fobench-load: fork failed: %s (errno %d)\n", strerror(errno), errno);
			return 1;
		}
		if (pid)
			continue;
		/* A worker: by itself, or through short-lived children of fork_every operations each. */
		uint64_t done = 0, failures = 0, processes = 0;

		while (done < per_worker && (!deadline || now_ns() < deadline)) {
			uint64_t chunk = fork_every ? fork_every : per_worker - done;

			if (chunk > per_worker - done)
				chunk = per_worker - done;
			if (!fork_every) {
				done += run_ops(chunk, deadline, start, period_ns, done, &failures);
				processes = 1;
				break;
			}
			pid_t child = fork();

			if (child == 0) {
				uint64_t child_failures = 0;
				uint64_t n = run_ops(chunk, deadline, start, period_ns, done, &child_failures);

				__atomic_fetch_add(&totals->ops, n, __ATOMIC_RELAXED);
				__atomic_fetch_add(&totals->failures, child_failures, __ATOMIC_RELAXED);
				__atomic_fetch_add(&totals->processes, 1, __ATOMIC_RELAXED);
				_exit(0);
			}
			if (child < 0) {
				fprintf(stderr, "fobench-load: fork failed: %s (errno %d)\n", strerror(errno), errno);
				_exit(1);
			}
			waitpid(child, NULL, 0);
			done += chunk;	/* for pacing only; the child added what it really did */
		}
		if (!fork_every) {
			__atomic_fetch_add(&totals->ops, done, __ATOMIC_RELAXED);
			__atomic_fetch_add(&totals->failures, failures, __ATOMIC_RELAXED);
			__atomic_fetch_add(&totals->processes, processes, __ATOMIC_RELAXED);
		}
		_exit(0);
	}
	int failed_workers = 0, status;

	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed_workers++;
	uint64_t elapsed = now_ns() - start;
	struct rusage usage;

	getrusage(RUSAGE_CHILDREN, &usage);	/* workers and their children, all reaped */
	uint64_t cpu_ns = (uint64_t)usage.ru_utime.tv_sec * 1000000000ull + (uint64_t)usage.ru_utime.tv_usec * 1000ull +
			  (uint64_t)usage.ru_stime.tv_sec * 1000000000ull + (uint64_t)usage.ru_stime.tv_usec * 1000ull;
	uint64_t ops = totals->ops;
	static const char *const names[] = { "fail", "file", "getppid" };

	printf("{\"op\":\"%s\",\"workers\":%lu,\"rate_target\":%.0f,\"fork_every\":%lu,\"ops\":%llu,"
	       "\"processes\":%llu,\"failures\":%llu,\"elapsed_ns\":%llu,\"rate\":%.1f,"
	       "\"ns_per_op\":%.1f,\"cpu_ns_per_op\":%.1f}\n",
	       names[op], workers, rate, fork_every, (unsigned long long)ops,
	       (unsigned long long)totals->processes, (unsigned long long)totals->failures,
	       (unsigned long long)elapsed, ops ? (double)ops * 1e9 / (double)elapsed : 0.0,
	       ops ? (double)elapsed * (double)workers / (double)ops : 0.0,
	       ops ? (double)cpu_ns / (double)ops : 0.0);
	return failed_workers ? 1 : 0;
}
