// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fobench-p4 - participant P4 of the benchmark: the floor for any program that counts opens per
 * process (Benchmarks/p4/fobench-p4.bpf.c: one sys_exit_openat program, a hash map keyed by tgid).
 * Whatever fileopend adds per open is also reported as a multiple of what this adds.
 *
 * Usage: fobench-p4 --object FILE
 * Prints {"ready":true,...} once attached; on SIGUSR1 prints the opens counted so far over every
 * process, as a JSON line; on SIGINT/SIGTERM detaches and prints them a last time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stopping, snapshot_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		snapshot_requested = 1;
	else
		stopping = 1;
}

/* Every process's count, summed. */
static void print_total(int opens_fd)
{
	uint32_t key, next, *prev = NULL;
	uint64_t value, total = 0, processes = 0;

	while (bpf_map_get_next_key(opens_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(opens_fd, &key, &value)) {
			total += value;
			processes++;
		}
	}
	printf("{\"opens\":%llu,\"processes\":%llu}\n", (unsigned long long)total, (unsigned long long)processes);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option options[] = { { "object", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
	const char *object_path = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt != 'o') {
			fprintf(stderr, "usage: fobench-p4 --object FILE\n");
			return 64;
		}
		object_path = optarg;
	}
	if (!object_path) {
		fprintf(stderr, "fobench-p4: --object is required\n");
		return 64;
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	struct bpf_object *obj = bpf_object__open_file(object_path, NULL);

	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "fobench-p4: loading %s failed: %s (errno %d)\n", object_path, strerror(errno), errno);
		return 1;
	}
	struct bpf_link *link = bpf_program__attach(bpf_object__find_program_by_name(obj, "count_openat"));
	int opens_fd = bpf_object__find_map_fd_by_name(obj, "opens");

	if (!link || opens_fd < 0) {
		fprintf(stderr, "fobench-p4: attaching count_openat failed: %s (errno %d)\n", strerror(errno), errno);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	printf("{\"ready\":true,\"pid\":%d,\"mode\":\"tracepoint\"}\n", (int)getpid());
	fflush(stdout);
	while (!stopping) {
		pause();
		if (snapshot_requested) {
			snapshot_requested = 0;
			print_total(opens_fd);
		}
	}
	bpf_link__destroy(link);
	print_total(opens_fd);
	bpf_object__close(obj);
	return 0;
}
